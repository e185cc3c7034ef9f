import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeApplyFailure, firstMismatch, parsePatchHunks } from './patch-diagnosis.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autolab-patch-diagnosis-'));
  execFileSync('git', ['init', '-q'], { cwd: dir });
  await writeFile(join(dir, 'f.txt'), 'a\nb\nc\nd\ne\nf\ng\nh\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** What git apply says about `patch` in the test folder, and autolab's explanation of it. */
async function diagnose(patch: string): Promise<string> {
  let stderr = '';
  try {
    execFileSync('git', ['apply', '--check', '--recount', '-'], { cwd: dir, input: patch, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    stderr = String((error as { stderr: Buffer }).stderr);
  }
  expect(stderr, 'git must refuse the patch').not.toBe('');
  return describeApplyFailure(dir, patch, stderr);
}

const TWO_HUNKS = `diff --git a/f.txt b/f.txt
--- a/f.txt
+++ b/f.txt
@@ -1,3 +1,3 @@
 a
-b
+B
 c
@@ -5,3 +5,3 @@
 e
-X
+F
 g
`;

describe('why a patch does not apply', () => {
  it('parses hunks with their file, position and expected lines', () => {
    const hunks = parsePatchHunks(TWO_HUNKS);
    expect(hunks.map((hunk) => [hunk.file, hunk.index, hunk.of, hunk.oldStart, hunk.expected])).toEqual([
      ['f.txt', 1, 2, 1, ['a', 'b', 'c']],
      ['f.txt', 2, 2, 5, ['e', 'X', 'g']],
    ]);
    expect(firstMismatch(['e', 'f', 'g'], ['e', 'X', 'g'], 1)).toEqual({ line: 2, expected: 'X', found: 'f' });
  });

  it('names the file, the hunk and the first line that differs', async () => {
    const text = await diagnose(TWO_HUNKS);
    expect(text).toMatch(/^error: /); // git's own words first
    expect(text).toContain("autolab: hunk 2 of 2 in f.txt (@@ -5,3 +5,3 @@) does not match the parent's f.txt: at line 6 the patch expects `X`, the file has `f`");
    expect(text).toContain('autolab checkout PARENT DIR');
  });

  it('shows the malformed line of a corrupt patch and what breaks patches', async () => {
    const text = await diagnose('diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n a\n-b\n+B\nc without its leading space\n d\n');
    expect(text).toMatch(/autolab: the patch is malformed at its line \d+: `c without its leading space`/);
    expect(text).toContain('starts with a space (context), - (removed) or + (added)');
  });

  it('says when a file is missing from the parent (paths relative to the recipe root)', async () => {
    const text = await diagnose('diff --git a/sub/f.txt b/sub/f.txt\n--- a/sub/f.txt\n+++ b/sub/f.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n');
    expect(text).toContain('autolab: sub/f.txt does not exist in the parent trial; paths in the patch are relative to the recipe root');
  });

  it('says when the input is no diff at all', async () => {
    const text = await diagnose('just some words\n');
    expect(text).toContain('autolab: the input is not a unified diff');
  });
});
