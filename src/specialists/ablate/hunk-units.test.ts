import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeUnit, diffUnits, removalPatch, reverseHunkLines, selectUnits, type DiffUnit } from './hunk-units.ts';
import { formatUnifiedDiff, parseUnifiedDiff, unquoteC } from '../shared/unified-diff.ts';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

function git(dir: string, args: string[], input?: string): string {
  return execFileSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

const numbered = (from: number, to: number, tag = 'line') => Array.from({ length: to - from + 1 }, (_, i) => `${tag} ${from + i}`).join('\n') + '\n';

/**
 * A real repository with a base and a head commit whose diff has every kind of unit:
 * several hunks in one file (one at the start, one at the end), a file without a final
 * newline, a new file, a deleted file, a new and a modified binary file, a mode change,
 * a path with a space and one git quotes.
 */
describe('diff units, on real git diffs', () => {
  let dir: string;
  let base: string;
  let head: string;
  let diff: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-hunks-'));
    git(dir, ['init', '-q', '-b', 'main']);
    await writeFile(join(dir, 'a.txt'), numbered(1, 60));
    await writeFile(join(dir, 'noeol.txt'), 'first\nsecond\nlast');
    await writeFile(join(dir, 'gone.txt'), 'to be deleted\n');
    await writeFile(join(dir, 'blob.bin'), Buffer.from([0, 1, 2, 3, 255, 0, 7, 8]));
    await writeFile(join(dir, 'run.sh'), 'echo hi\n');
    await writeFile(join(dir, 'with space.txt'), 'one\ntwo\n');
    await writeFile(join(dir, 'tést.txt'), 'alpha\nbeta\n');
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', 'base']);
    base = git(dir, ['rev-parse', 'HEAD']).trim();

    const a = numbered(1, 60).split('\n');
    a[0] = 'LINE ONE CHANGED';
    a.splice(10, 2, 'inserted a', 'inserted b', 'inserted c'); // lines 11-12 replaced by 3
    a.splice(30, 0, 'pure insertion');
    a.splice(45, 3); // a pure deletion
    a[a.length - 2] = 'last line changed';
    await writeFile(join(dir, 'a.txt'), a.join('\n'));
    await writeFile(join(dir, 'noeol.txt'), 'first\nsecond\nlast, now with a newline\n');
    await unlink(join(dir, 'gone.txt'));
    await writeFile(join(dir, 'new.txt'), 'brand\nnew\n');
    await writeFile(join(dir, 'new.bin'), Buffer.from([9, 0, 9, 0, 200]));
    await writeFile(join(dir, 'blob.bin'), Buffer.from([0, 1, 2, 3, 254, 0, 7, 8, 9]));
    await chmod(join(dir, 'run.sh'), 0o755);
    await writeFile(join(dir, 'with space.txt'), 'one\nTWO\n');
    await writeFile(join(dir, 'tést.txt'), 'alpha\nBETA\n');
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', 'head']);
    head = git(dir, ['rev-parse', 'HEAD']).trim();
    diff = git(dir, ['diff-tree', '-r', '-p', '--binary', '--no-renames', base, head]);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The tree after applying `patch` (git apply --index, as materialise does) at `commit`. */
  const treeAfter = (commit: string, patch: string): string => {
    git(dir, ['checkout', '-q', '-f', '--detach', commit]);
    git(dir, ['clean', '-qfd']);
    if (patch !== '') git(dir, ['apply', '--index', '--recount', '--whitespace=nowarn', '-'], patch);
    const tree = git(dir, ['write-tree']).trim();
    git(dir, ['reset', '-q', '--hard']);
    return tree;
  };
  const treeOf = (commit: string) => git(dir, ['rev-parse', `${commit}^{tree}`]).trim();
  const fileAt = (treeish: string, path: string): string[] | null => {
    try {
      return git(dir, ['show', `${treeish}:${path}`]).split('\n');
    } catch {
      return null;
    }
  };
  /**
   * git apply finds a hunk near its stated line, so a wrong start would still apply:
   * check that every text hunk's old side sits exactly at its old start in `before`,
   * and its new side exactly at its new start in `after`.
   */
  const expectExactPositions = (patch: string, before: string, after: string) => {
    for (const file of parseUnifiedDiff(patch).files) {
      if (file.binaryLines) continue;
      const oldLines = fileAt(before, file.path) ?? [];
      const newLines = fileAt(after, file.path) ?? [];
      for (const hunk of file.hunks) {
        const oldSide = hunk.lines.filter((line) => line[0] === ' ' || line[0] === '-').map((line) => line.slice(1));
        const newSide = hunk.lines.filter((line) => line[0] === ' ' || line[0] === '+').map((line) => line.slice(1));
        const oldFrom = hunk.oldCount === 0 ? hunk.oldStart : hunk.oldStart - 1;
        const newFrom = hunk.newCount === 0 ? hunk.newStart : hunk.newStart - 1;
        expect(oldLines.slice(oldFrom, oldFrom + oldSide.length), `${file.path} ${hunk.header} (old side)`).toEqual(oldSide);
        expect(newLines.slice(newFrom, newFrom + newSide.length), `${file.path} ${hunk.header} (new side)`).toEqual(newSide);
      }
    }
  };

  it('parses and prints the diff back byte for byte', () => {
    const parsed = parseUnifiedDiff(diff);
    expect(formatUnifiedDiff(parsed)).toBe(diff);
    expect(parsed.files.map((file) => `${file.change}:${file.path}`).sort()).toEqual(
      ['modify:a.txt', 'modify:blob.bin', 'delete:gone.txt', 'add:new.bin', 'add:new.txt', 'modify:noeol.txt', 'modify:run.sh', 'modify:tést.txt', 'modify:with space.txt'].sort(),
    );
    const a = parsed.files.find((file) => file.path === 'a.txt')!;
    expect(a.hunks.length).toBeGreaterThanOrEqual(4);
    for (const hunk of a.hunks) {
      expect(hunk.lines.filter((line) => line[0] !== '+' && line[0] !== '\\').length).toBe(hunk.oldCount);
      expect(hunk.lines.filter((line) => line[0] !== '-' && line[0] !== '\\').length).toBe(hunk.newCount);
    }
  });

  it('splits into hunk units and whole-file units, with stable keys', () => {
    const units = diffUnits(parseUnifiedDiff(diff));
    const a = units.filter((unit) => unit.path === 'a.txt');
    expect(a.every((unit) => unit.hunk !== null && unit.hunksInFile === a.length)).toBe(true);
    const whole = Object.fromEntries(units.filter((unit) => unit.hunk === null).map((unit) => [unit.path, unit.wholeFile]));
    expect(whole).toEqual({ 'blob.bin': 'binary', 'gone.txt': 'deleted file', 'new.bin': 'new binary file', 'new.txt': 'new file', 'run.sh': 'mode change' });
    expect(new Set(units.map((unit) => unit.key)).size).toBe(units.length);
    expect(units.every((unit) => unit.reversible)).toBe(true);
    expect(describeUnit(a[0]!)).toBe(`hunk 1/${a.length} of a.txt (LINE ONE CHANGED)`);
    expect(describeUnit(units.find((unit) => unit.path === 'new.txt')!)).toBe('all of new.txt (new file: brand)');
    // A hunk keeps its key when an earlier hunk of its file is gone (its line numbers shift).
    const dropped = a[1]!; // replaces 2 lines by 3: every later hunk moves up by one line
    const tree = treeAfter(head, removalPatch(parseUnifiedDiff(diff), [dropped]));
    const commit = git(dir, ['commit-tree', tree, '-p', head, '-m', 'without one hunk']).trim();
    const after = diffUnits(parseUnifiedDiff(git(dir, ['diff-tree', '-r', '-p', '--binary', '--no-renames', base, commit])));
    expect(after.map((unit) => unit.key)).toEqual(units.filter((unit) => unit !== dropped).map((unit) => unit.key));
    expect(after.find((unit) => unit.key === a[2]!.key)!.hunk).toBe(1);
  });

  it('selecting every unit gives the diff back; selecting none gives nothing', () => {
    const parsed = parseUnifiedDiff(diff);
    const units = diffUnits(parsed);
    expect(selectUnits(parsed, units)).toBe(diff);
    expect(selectUnits(parsed, [])).toBe('');
    expect(removalPatch(parsed, [])).toBe('');
  });

  it('removing any one unit from the head equals applying all the others to the base (git apply)', () => {
    const parsed = parseUnifiedDiff(diff);
    const units = diffUnits(parsed);
    for (const unit of units) {
      const others = units.filter((other) => other !== unit);
      const removal = removalPatch(parsed, [unit]);
      const selection = selectUnits(parsed, others);
      const removed = treeAfter(head, removal);
      const built = treeAfter(base, selection);
      expect(removed, describeUnit(unit)).toBe(built);
      expectExactPositions(removal, head, removed);
      expectExactPositions(selection, base, built);
      expect(removed).not.toBe(treeOf(head));
    }
  });

  it('removing groups of units (halves, a file, everything) is exact too', () => {
    const parsed = parseUnifiedDiff(diff);
    const units = diffUnits(parsed);
    const half = Math.floor(units.length / 2);
    const groups: DiffUnit[][] = [units.slice(0, half), units.slice(half), units.filter((unit) => unit.path === 'a.txt'), units.filter((_, i) => i % 2 === 0), [units[1]!, units[3]!]];
    for (const group of groups) {
      const keep = units.filter((unit) => !group.includes(unit));
      const removal = removalPatch(parsed, group);
      const result = treeAfter(head, removal);
      expect(result).toBe(treeAfter(base, selectUnits(parsed, keep)));
      expectExactPositions(removal, head, result);
      expectExactPositions(selectUnits(parsed, keep), base, result);
    }
    expect(treeAfter(head, removalPatch(parsed, units))).toBe(treeOf(base));
  });

  it('reverses a hunk body: removals first in each run, no-newline markers stay with their line', () => {
    expect(reverseHunkLines([' a', '-b', '\\ No newline at end of file', '+c', '+d', ' e'])).toEqual([' a', '-c', '-d', '+b', '\\ No newline at end of file', ' e']);
  });

  it('rejects a hunk whose body does not match its counts', () => {
    expect(() => parseUnifiedDiff('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n')).toThrow(/ends early/);
  });

  it('unquotes C-quoted paths', () => {
    expect(unquoteC('"a/t\\303\\251st \\"q\\".txt"')).toBe('a/tést "q".txt');
  });
});
