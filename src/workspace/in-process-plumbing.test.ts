import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import type { Edit } from '../core/trial.ts';
import { git, gitCallTally } from './git.ts';
import { materialiseEdit, type Materialised, type MaterialiseFailure, type MaterialiseOversize } from './materialise.ts';
import { makeTempDir, makeUserRepo } from '../testing/workspace-fixtures.ts';
import type { Workspace } from './workspace.ts';
import { openWorkspace } from './workspace.ts';
import { addWorktree } from './worktrees.ts';

let temp: { dir: string; cleanup: () => Promise<void> };
let workspace: Workspace;
beforeEach(async () => {
  temp = await makeTempDir();
  const { recipe } = await makeUserRepo(temp.dir);
  ({ workspace } = await openWorkspace({ root: temp.dir, repo: recipe }));
});
afterEach(async () => {
  await temp.cleanup();
});

/** Every entry under `root` but its `.git` pointer: type, permission bits, and content or link target. */
async function snapshot(root: string, folder = ''): Promise<string[]> {
  const lines: string[] = [];
  for (const name of (await readdir(join(root, folder))).sort()) {
    const path = folder === '' ? name : `${folder}/${name}`;
    if (path === '.git') continue;
    const stats = await lstat(join(root, path));
    if (stats.isDirectory()) lines.push(`d ${path}`, ...(await snapshot(root, path)));
    else if (stats.isSymbolicLink()) lines.push(`l ${path} -> ${await readlink(join(root, path))}`);
    else lines.push(`f ${path} ${(stats.mode & 0o777).toString(8)} ${(await readFile(join(root, path))).toString('base64')}`);
  }
  return lines;
}

/** git processes started while `work` ran, by subcommand. */
async function gitCallsDuring(work: () => Promise<unknown>): Promise<string[]> {
  gitCallTally({ reset: true });
  await work();
  return Object.keys(gitCallTally({ reset: true })).sort();
}

const gitAt = (cwd: string, ...args: string[]) => git(args, { cwd });
const fsck = () => git(['fsck', '--strict', '--no-dangling', '--no-progress'], { gitDir: workspace.gitDir });

/** A random files edit over the paths of the recipe and new ones (nested folders, deletions, a folder emptied). */
function randomFilesEdit(random: () => number, round: number): Record<string, string | null> {
  const files: Record<string, string | null> = {};
  const pool = ['train.py', 'config.json', 'eval/score.py', 'run.sh', 'main.py', 'gen/a.txt', 'gen/deep/b.txt', 'gen/deep/c.txt', 'new/é ü.txt', 'data/weights.bin'];
  for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
    const path = pool[Math.floor(random() * pool.length)]!;
    files[path] = random() < 0.25 ? null : `${'y'.repeat(Math.floor(random() * 300))}\nround ${round}\n`;
  }
  return files;
}

describe('in-process plumbing equals git byte for byte', () => {
  it('checks commits out exactly as `git worktree add` does, with an index git finds clean', async () => {
    const random = seededRandom(5);
    let parent = workspace.baselineCommit;
    for (let round = 1; round <= 4; round++) {
      const fast = workspace.worktreePath(`fast-${round}`);
      const calls = await gitCallsDuring(() => workspace.createWorktree(`fast-${round}`, parent));
      expect(calls).not.toContain('worktree');
      const slow = join(temp.dir, `slow-${round}`);
      await addWorktree(workspace.gitDir, slow, parent);
      expect(await snapshot(fast)).toEqual(await snapshot(slow));
      expect(await gitAt(fast, 'status', '--porcelain', '--untracked-files=all', '--ignored')).toBe('');
      expect(await gitAt(fast, 'ls-files', '-s')).toBe(await gitAt(slow, 'ls-files', '-s'));
      expect((await gitAt(fast, 'rev-parse', 'HEAD')).trim()).toBe(parent);
      expect(await git(['worktree', 'list', '--porcelain'], { gitDir: workspace.gitDir })).toContain(`worktree ${fast}\nHEAD ${parent}\ndetached`);
      const made = await workspace.materialise({ worktree: fast, parentCommit: parent, trialId: round, edit: { kind: 'files', files: randomFilesEdit(random, round) } });
      if ('error' in made) throw new Error(made.error);
      parent = made.commit;
      await workspace.removeWorktree(`fast-${round}`);
    }
    await fsck();
  });

  it('stages random files edits into the tree, diff and refs that update-index, write-tree and update-ref give', async () => {
    const random = seededRandom(23);
    let parent = workspace.baselineCommit;
    for (let round = 1; round <= 8; round++) {
      // The first round rewrites the executable script (its mode stays) and the symlink (now a file).
      const files = round === 1 ? { 'run.sh': '#!/bin/sh\necho 1\n', 'main.py': 'print(1)\n' } : randomFilesEdit(random, round);
      const edit: Edit = { kind: 'files', files };
      const fastTree = await workspace.createWorktree(`fast-${round}`, parent);
      const slowTree = workspace.worktreePath(`slow-${round}`);
      await addWorktree(workspace.gitDir, slowTree, parent);
      let fast: Materialised | MaterialiseFailure | MaterialiseOversize | undefined;
      const calls = await gitCallsDuring(async () => (fast = await workspace.materialise({ worktree: fastTree, parentCommit: parent, trialId: 100 + round, edit, limits: { maxFileBytes: 1e6, maxDiffBytes: 1e7 } })));
      const slowRef = `${workspace.layout.trialRefPrefix}${200 + round}`;
      const slow = await materialiseEdit(workspace.gitDir, slowRef, { worktree: slowTree, parentCommit: parent, trialId: 200 + round, edit });
      if (!fast || 'error' in fast || 'oversize' in fast || 'error' in slow || 'oversize' in slow) throw new Error(JSON.stringify({ fast, slow }));
      expect(calls.filter((name) => ['update-index', 'write-tree', 'update-ref'].includes(name))).toEqual([]);
      expect(fast.tree).toBe(slow.tree);
      expect(fast.diff).toBe(slow.diff);
      expect(fast.changed).toEqual(slow.changed);
      // The refs and the worktree's HEAD moved, and its index is what git's staging left.
      expect((await git(['rev-parse', `${workspace.layout.trialRefPrefix}${100 + round}`], { gitDir: workspace.gitDir })).trim()).toBe(fast.commit);
      expect((await gitAt(fastTree, 'rev-parse', 'HEAD')).trim()).toBe(fast.commit);
      expect(await gitAt(fastTree, 'status', '--porcelain', '--untracked-files=all')).toBe('');
      expect(await gitAt(fastTree, 'ls-files', '-s')).toBe(await gitAt(slowTree, 'ls-files', '-s'));
      await workspace.removeWorktree(`fast-${round}`);
      await workspace.removeWorktree(`slow-${round}`);
      parent = random() < 0.7 ? fast.commit : parent;
    }
    await fsck();
  });

  it('leaves to git what it cannot do exactly: an attributes file, a file replacing a folder, a held ref lock', async () => {
    const withAttributes = await workspace.createWorktree('attr', workspace.baselineCommit);
    const made = await workspace.materialise({ worktree: withAttributes, parentCommit: workspace.baselineCommit, trialId: 1, edit: { kind: 'files', files: { '.gitattributes': '*.txt text\n' } } });
    if ('error' in made) throw new Error(made.error);
    const calls = await gitCallsDuring(() => workspace.createWorktree('attr-child', made.commit));
    expect(calls).toContain('worktree');
    expect(await readFile(join(workspace.worktreePath('attr-child'), '.gitattributes'), 'utf8')).toBe('*.txt text\n');

    const folderFile = await workspace.createWorktree('folder-file', workspace.baselineCommit);
    let replaced: Materialised | MaterialiseFailure | MaterialiseOversize | undefined;
    const replacing = await gitCallsDuring(async () => (replaced = await workspace.materialise({ worktree: folderFile, parentCommit: workspace.baselineCommit, trialId: 2, edit: { kind: 'files', files: { 'config.json': null, 'config.json/inner': 'x\n' } } })));
    if (!replaced || 'error' in replaced || 'oversize' in replaced) throw new Error(JSON.stringify(replaced));
    expect(replacing).toContain('update-index');
    expect(replaced.changed.map((change) => `${change.status} ${change.path}`).sort()).toEqual(['A config.json/inner', 'D config.json']);

    // Another writer holds the ref's lock: nothing is written in-process, and git says why.
    const locked = await workspace.createWorktree('locked', workspace.baselineCommit);
    const refFile = join(workspace.gitDir, `${workspace.layout.trialRefPrefix}3`);
    await mkdir(join(refFile, '..'), { recursive: true });
    await writeFile(`${refFile}.lock`, '');
    await expect(workspace.materialise({ worktree: locked, parentCommit: workspace.baselineCommit, trialId: 3, edit: { kind: 'files', files: { 'train.py': 'lr = 0.2\n' } } })).rejects.toThrow(/lock/);
    expect(existsSync(refFile)).toBe(false);
    expect((await gitAt(locked, 'rev-parse', 'HEAD')).trim()).toBe(workspace.baselineCommit);
    await fsck();
  });
});

/** Every loose object file of the private repo. */
async function objectFiles(): Promise<string[]> {
  const objects = join(workspace.gitDir, 'objects');
  const names: string[] = [];
  for (const fanout of (await readdir(objects)).filter((name) => /^[0-9a-f]{2}$/.test(name))) names.push(...(await readdir(join(objects, fanout))).map((name) => `${fanout}/${name}`));
  return names.sort();
}

describe('the size limits of a files edit', () => {
  it('an edit over them stores nothing; one surely within them is stored without a quarantine, with the same diff', async () => {
    const limits = { maxFileBytes: 20_000, maxDiffBytes: 30_000 };
    const before = await objectFiles();
    const tooLarge = await workspace.createWorktree('too-large', workspace.baselineCommit);
    expect(await workspace.materialise({ worktree: tooLarge, parentCommit: workspace.baselineCommit, trialId: 1, edit: { kind: 'files', files: { 'big.txt': 'z'.repeat(25_000) } }, limits })).toEqual({ oversize: ['big.txt: 25000 bytes, over the file limit of 20000'] });
    // Each file within the limit, the diff (about 38 KB) over it: measured in the quarantine, then refused.
    const wide = await workspace.createWorktree('wide', workspace.baselineCommit);
    const result = await workspace.materialise({ worktree: wide, parentCommit: workspace.baselineCommit, trialId: 2, edit: { kind: 'files', files: { 'a.txt': 'a\n'.repeat(6_000), 'b.txt': 'b\n'.repeat(6_000), 'c.txt': 'c\n'.repeat(6_000) } }, limits });
    expect(result).toEqual({ oversize: [expect.stringMatching(/^diff is \d+ bytes, over the limit of 30000$/)] });
    expect(await objectFiles()).toEqual(before);
    expect((await readdir(workspace.gitDir)).filter((name) => name.startsWith('autolab-incoming-'))).toEqual([]);

    const small = await workspace.createWorktree('small', workspace.baselineCommit);
    const stored = await workspace.materialise({ worktree: small, parentCommit: workspace.baselineCommit, trialId: 3, edit: { kind: 'files', files: { 'config.json': '{ "batch": 64 }\n' } }, limits });
    if ('error' in stored || 'oversize' in stored) throw new Error(JSON.stringify(stored));
    expect(stored.diff).toBe(await git(['diff-tree', '-r', '-p', '--binary', '--no-renames', workspace.baselineCommit, stored.commit], { gitDir: workspace.gitDir }));
    expect(stored.changed).toEqual([{ path: 'config.json', status: 'M', mode: '100644', size: 16, blob: expect.stringMatching(/^[0-9a-f]{40}$/) }]);
    await fsck();
  });
});

describe('a trial worktree never holds what an earlier trial left', () => {
  it('recreated after a hostile run (files left behind, modes changed, links out, ignored files, folders made read-only), it is exactly a fresh checkout', async () => {
    const name = 'study-7';
    const path = await workspace.createWorktree(name, workspace.baselineCommit);
    // What a hostile run does in its worktree.
    await writeFile(join(path, 'leftover.txt'), 'from trial 7');
    await writeFile(join(path, '.gitignore'), '*.cache\n');
    await writeFile(join(path, 'x.cache'), 'ignored');
    await chmod(join(path, 'train.py'), 0o777);
    await chmod(join(path, 'run.sh'), 0o644);
    await rm(join(path, 'config.json'));
    await symlink('/etc/passwd', join(path, 'config.json'));
    await mkdir(join(path, 'eval', 'nested', 'deep'), { recursive: true });
    await writeFile(join(path, 'eval', 'nested', 'deep', 'x'), 'x');
    await chmod(join(path, 'eval', 'nested'), 0o500);
    await writeFile(join(path, 'train.py'), 'changed by the run\n');
    await workspace.removeWorktree(name);

    const again = await workspace.createWorktree(name, workspace.baselineCommit);
    const fresh = join(temp.dir, 'fresh');
    await addWorktree(workspace.gitDir, fresh, workspace.baselineCommit);
    expect(again).toBe(path);
    expect(await snapshot(again)).toEqual(await snapshot(fresh));
    expect(await gitAt(again, 'status', '--porcelain', '--untracked-files=all', '--ignored')).toBe('');

    // Not removed (a driver killed mid-trial): the folder in the way is discarded by git's path, never reused.
    await writeFile(join(again, 'leftover.txt'), 'from a killed trial');
    await workspace.createWorktree(name, workspace.baselineCommit);
    expect(await snapshot(path)).toEqual(await snapshot(fresh));
  });
});
