import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { makeTempDir } from '../testing/workspace-fixtures.ts';
import { CatFileBatch } from './cat-file-batch.ts';
import { diffCommitsBatched } from './changed-paths.ts';
import { diffInProcess } from './diff-in-process.ts';
import { DiffTreeBatch } from './diff-tree-batch.ts';
import { git } from './git.ts';
import { diffCommits } from './changed-paths.ts';
import { objectId, writeLooseObject } from './loose-objects.ts';
import { ObjectReader } from './object-reader.ts';
import { serializeTree, type TreeEntry } from './tree-objects.ts';

let temp: { dir: string; cleanup: () => Promise<void> };
let gitDir: string;
let objects: string;
let batch: CatFileBatch;
let differ: DiffTreeBatch;
let reader: ObjectReader;
beforeAll(async () => {
  temp = await makeTempDir();
  gitDir = join(temp.dir, 'repo.git');
  await git(['init', '--bare', '-q', gitDir]);
  objects = join(gitDir, 'objects');
  batch = new CatFileBatch(gitDir);
  differ = new DiffTreeBatch(gitDir);
  reader = new ObjectReader(gitDir, () => batch);
});
afterAll(async () => {
  differ.close();
  batch.close();
  await temp.cleanup();
});

/** A folder of files (path -> content, or a nested folder) written as tree objects; returns the root tree's id. */
type Folder = { [name: string]: string | Buffer | { mode: string; content: string } | Folder };
async function writeFolder(folder: Folder): Promise<string> {
  const entries: TreeEntry[] = [];
  for (const [name, value] of Object.entries(folder)) {
    if (typeof value === 'string' || Buffer.isBuffer(value)) entries.push({ name, mode: '100644', oid: await writeLooseObject(objects, 'sha1', 'blob', Buffer.from(value)) });
    else if (typeof value.mode === 'string' && typeof value.content === 'string') entries.push({ name, mode: value.mode, oid: await writeLooseObject(objects, 'sha1', 'blob', Buffer.from(value.content)) });
    else entries.push({ name, mode: '40000', oid: await writeFolder(value as Folder) });
  }
  return writeLooseObject(objects, 'sha1', 'tree', serializeTree(entries));
}

let commits = 0;
async function commitOf(folder: Folder): Promise<string> {
  const tree = await writeFolder(folder);
  const stamp = `${1_700_000_000 + commits++} +0000`;
  return writeLooseObject(objects, 'sha1', 'commit', Buffer.from(`tree ${tree}\nauthor t <t@t> ${stamp}\ncommitter t <t@t> ${stamp}\n\nc\n`));
}

/** What git gives (the long-lived `git diff-tree`, parsed as the workspace parses it). */
const gitDiff = (from: string, to: string) => diffCommitsBatched(differ, gitDir, from, to, [objects]);

/** Lines that make xdiff's choices interesting: repeats (sliding groups), function-name candidates, blanks, CRs, UTF-8, a long name. */
const POOL = ['{', '}', '', '  x = 1;', 'function f() {', 'a', 'b', 'c', '_init:', '$var', '  return 0;', 'héllo wörld', `${'long_name'.repeat(12)} {`, '\tfoo  \r', '# comment', '    }'];

function randomLines(random: () => number, count: number): string[] {
  return Array.from({ length: count }, () => (random() < 0.35 ? `line ${Math.floor(random() * 1e6)}` : POOL[Math.floor(random() * POOL.length)]!));
}

/** An edit of `lines`: a few replacements, insertions and deletions at random places. */
function randomEdit(random: () => number, lines: readonly string[]): string[] {
  const out = [...lines];
  const steps = 1 + Math.floor(random() * 4);
  for (let step = 0; step < steps; step++) {
    const at = Math.floor(random() * (out.length + 1));
    const kind = random();
    const fresh = () => (random() < 0.6 ? `"knob_${step}": ${random().toFixed(6)},` : POOL[Math.floor(random() * POOL.length)]!);
    if (kind < 0.5 && at < out.length) out[at] = fresh();
    else if (kind < 0.75) out.splice(at, 0, ...Array.from({ length: 1 + Math.floor(random() * 3) }, fresh));
    else if (at < out.length) out.splice(at, 1 + Math.floor(random() * 2));
  }
  return out;
}

const text = (lines: readonly string[]) => lines.map((line) => `${line}\n`).join('');

describe('diffInProcess', () => {
  it('gives exactly what git diff-tree gives on random edits of text files, whenever it answers', async () => {
    const random = seededRandom(19);
    let answered = 0;
    // DIFF_CASES=N tries more (500: 300 answered in-process, all equal to git).
    const cases = Number(process.env.DIFF_CASES ?? 150);
    for (let round = 0; round < cases; round++) {
      const a = randomLines(random, 1 + Math.floor(random() * 40));
      const b = randomLines(random, 1 + Math.floor(random() * 25));
      const before: Folder = { 'a.txt': text(a), src: { 'b.js': text(b), 'same.txt': 'same\n' }, 'z.json': '{}\n' };
      const after: Folder = { 'a.txt': text(random() < 0.8 ? randomEdit(random, a) : a), src: { 'b.js': text(random() < 0.5 ? randomEdit(random, b) : b), 'same.txt': 'same\n' }, 'z.json': '{}\n' };
      const [from, to] = [await commitOf(before), await commitOf(after)];
      const mine = await diffInProcess(gitDir, reader, from, to);
      if (mine === null) continue;
      answered += 1;
      expect(mine, `round ${round}`).toEqual(await gitDiff(from, to));
    }
    // Most edits are answered in-process (the check can fail: a case it declines proves nothing).
    expect(answered).toBeGreaterThan(cases * 0.3);
  }, 600_000);

  it('answers a knob edit of the golf recipe exactly as git (several hunks, function names, a file in a folder)', async () => {
    const golf = join(import.meta.dirname, '..', '..', 'examples', 'golf');
    const train = readFileSync(join(golf, 'train.js'), 'utf8');
    const config = readFileSync(join(golf, 'config.json'), 'utf8');
    const from = await commitOf({ 'config.json': config, 'train.js': train, lib: { 'train.js': train } });
    const edited = train.replace('const width = 48;', 'const width = 97;').replace('const context = 4;', 'const context = 7;').replace(/^const header = /m, 'const header2 = ');
    const to = await commitOf({ 'config.json': config.replace('"lr": 0.001', '"lr": 0.0271').replace('"steps": 6000', '"steps": 812'), 'train.js': edited, lib: { 'train.js': edited } });
    const mine = await diffInProcess(gitDir, reader, from, to);
    expect(mine).not.toBeNull();
    expect(mine).toEqual(await gitDiff(from, to));
    expect(mine!.changed.map((change) => change.path)).toEqual(['config.json', 'lib/train.js', 'train.js']);
    // The same tree: an empty diff, no git call needed.
    expect(await diffInProcess(gitDir, reader, to, to)).toEqual({ changed: [], diff: '' });
  });

  it('leaves to git what it cannot be sure of: added, deleted, binary, mode changes, symlinks, no final newline, attributes, quoted paths, sliding groups', async () => {
    const base: Folder = { 'a.txt': 'one\ntwo\nthree\n', 'b.txt': 'x\n' };
    const cases: Folder[] = [
      { ...base, 'new.txt': 'new\n' },
      { 'a.txt': 'one\ntwo\nthree\n' },
      { ...base, 'b.txt': Buffer.from([0x78, 0, 0x0a]) },
      { ...base, 'b.txt': { mode: '100755', content: 'x\n' } },
      { ...base, 'b.txt': { mode: '120000', content: 'a.txt' } },
      { ...base, 'b.txt': 'x' },
      { ...base, 'b.txt': 'y\n', '.gitattributes': '* -diff\n' },
      { ...base, 'a.txt': 'one\ntwo\nthree\nthree\n' },
    ];
    for (const [i, after] of cases.entries()) {
      const from = await commitOf(i === 6 ? { ...base, '.gitattributes': '* -diff\n' } : base);
      const to = await commitOf(after);
      expect(await diffInProcess(gitDir, reader, from, to), `case ${i}`).toBeNull();
    }
    const quoted = await commitOf({ 'a b.txt': 'x\n' });
    expect(await diffInProcess(gitDir, reader, quoted, await commitOf({ 'a b.txt': 'y\n' }))).toBeNull();
  });

  it('abbreviates the index line as git does when another object shares the first 7 digits, loose or packed', async () => {
    // Another blob whose id starts as the new blob's does (found among 20,000 made up in memory).
    const others = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) others.set(objectId('sha1', 'blob', Buffer.from(`other ${i}\n`)).slice(0, 7), `other ${i}\n`);
    let content = '';
    let twin: string | undefined;
    for (let j = 0; twin === undefined; j++) {
      content = `value ${j}\n`;
      twin = others.get(objectId('sha1', 'blob', Buffer.from(content)).slice(0, 7));
    }
    await writeLooseObject(objects, 'sha1', 'blob', Buffer.from(twin));
    for (const packed of [false, true]) {
      if (packed) await git(['repack', '-a', '-d', '-q'], { gitDir });
      const from = await commitOf({ 'c.txt': `start ${packed}\n` });
      const to = await commitOf({ 'c.txt': content });
      const mine = await diffInProcess(gitDir, reader, from, to);
      // A one-shot git: the long-lived one keeps the loose objects it listed once.
      expect(mine).toEqual(await diffCommits(gitDir, from, to));
      expect(mine!.diff).toMatch(new RegExp(`\\.\\.${objectId('sha1', 'blob', Buffer.from(content)).slice(0, 8)} 100644`));
    }
  });
});
