import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Edit } from '../core/trial.ts';
import { git } from './git.ts';
import { makeTempDir, makeUserRepo, userRepoState } from '../testing/workspace-fixtures.ts';
import type { Workspace } from './workspace.ts';
import { openWorkspace } from './workspace.ts';

let temp: { dir: string; cleanup: () => Promise<void> };
let workspace: Workspace;
let top: string;
beforeEach(async () => {
  temp = await makeTempDir();
  ({ top } = await makeUserRepo(temp.dir));
  ({ workspace } = await openWorkspace({ root: temp.dir, repo: join(top, 'recipe') }));
});
afterEach(async () => {
  await temp.cleanup();
});

const LR_PATCH = `diff --git a/train.py b/train.py
--- a/train.py
+++ b/train.py
@@ -1,3 +1,3 @@
-lr = 0.1
+lr = 0.05
 epochs = 3
 print("training")
`;

describe('Workspace.materialise', () => {
  it('applies a patch, commits it under the trial ref, and recomputes the diff with git', async () => {
    const before = await userRepoState(top);
    const worktree = await workspace.createWorktree('t1', workspace.baselineCommit);
    const result = await workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 1, message: 'halve lr', edit: { kind: 'patch', patch: LR_PATCH } });
    if ('error' in result) throw new Error(result.error);
    expect(result.changed).toEqual([{ path: 'train.py', status: 'M', mode: '100644', size: 'lr = 0.05\nepochs = 3\nprint("training")\n'.length, blob: expect.any(String) }]);
    const gitDiff = await git(['diff', '--no-renames', '--binary', workspace.baselineCommit, result.commit], { gitDir: workspace.gitDir });
    expect(result.diff).toBe(gitDiff);
    expect(result.diff).toContain('+lr = 0.05');
    expect(result.diff).toContain('index '); // git's own header, not the proposer's
    expect(result.tree).toBe(await workspace.treeOf(result.commit));
    expect(await workspace.trialCommit(1)).toBe(result.commit);
    expect(await git(['log', '--format=%s %P', '-1', result.commit], { gitDir: workspace.gitDir })).toBe(`halve lr ${workspace.baselineCommit}\n`);
    expect(await readFile(join(worktree, 'train.py'), 'utf8')).toContain('lr = 0.05');
    // The worktree is clean at the new commit.
    expect(await git(['status', '--porcelain'], { cwd: worktree })).toBe('');
    expect((await git(['rev-parse', 'HEAD'], { cwd: worktree })).trim()).toBe(result.commit);
    expect(await workspace.readFileAt(result.commit, 'train.py')).toContain('lr = 0.05');
    expect(await userRepoState(top)).toEqual(before);
  });

  it('writes and deletes files for a files edit, keeping modes, replacing symlinks, and never staging other worktree files', async () => {
    const worktree = await workspace.createWorktree('t2', workspace.baselineCommit);
    await writeFile(join(worktree, 'run-output.log'), 'artifact of a run\n');
    const result = await workspace.materialise({
      worktree,
      parentCommit: workspace.baselineCommit,
      trialId: 2,
      edit: { kind: 'files', files: { 'run.sh': '#!/bin/sh\necho fast\n', 'new/dir/opt.py': 'x = 1\n', 'config.json': null, 'main.py': 'print(1)\n', './gone-already.txt': null } },
    });
    if ('error' in result) throw new Error(result.error);
    const byPath = Object.fromEntries(result.changed.map((entry) => [entry.path, entry]));
    expect(Object.keys(byPath).sort()).toEqual(['config.json', 'main.py', 'new/dir/opt.py', 'run.sh']);
    expect(byPath['config.json']).toMatchObject({ status: 'D', mode: '100644', size: 0 });
    expect(byPath['main.py']).toMatchObject({ status: 'T', mode: '100644', size: 9 });
    expect(byPath['new/dir/opt.py']).toMatchObject({ status: 'A', mode: '100644', size: 6 });
    expect(byPath['run.sh']).toMatchObject({ status: 'M', mode: '100755' });
    expect(await workspace.readFileAt(result.commit, 'run-output.log')).toBeNull();
    expect(result.diff).toBe(await workspace.diffBetween(workspace.baselineCommit, result.commit));
  });

  it('tolerates wrong hunk line counts (as models write them) but not wrong content', async () => {
    const worktree = await workspace.createWorktree('t8', workspace.baselineCommit);
    const miscounted = LR_PATCH.replace('@@ -1,3 +1,3 @@', '@@ -1,7 +1,9 @@');
    const result = await workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 9, edit: { kind: 'patch', patch: miscounted } });
    if ('error' in result) throw new Error(result.error);
    expect(await workspace.readFileAt(result.commit, 'train.py')).toBe('lr = 0.05\nepochs = 3\nprint("training")\n');
  });

  it('reports a patch that does not apply as an error, leaving no commit', async () => {
    const worktree = await workspace.createWorktree('t3', workspace.baselineCommit);
    const bad = LR_PATCH.replace('-lr = 0.1', '-lr = 0.7');
    const result = await workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 3, edit: { kind: 'patch', patch: bad } });
    expect(result).toEqual({ error: expect.stringMatching(/patch failed|does not apply/) });
    expect(await workspace.trialCommit(3)).toBeNull();
    const garbage = await workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 3, edit: { kind: 'patch', patch: 'this is not a diff\n' } });
    expect('error' in garbage).toBe(true);
  });

  it('yields a commit with the parent tree for an empty patch, an empty files edit, or a no-op edit', async () => {
    const edits: Edit[] = [
      { kind: 'patch', patch: '' },
      { kind: 'files', files: {} },
      { kind: 'files', files: { 'config.json': '{ "batch": 32 }\n' } },
    ];
    for (const [index, edit] of edits.entries()) {
      const worktree = await workspace.createWorktree(`e${index}`, workspace.baselineCommit);
      const result = await workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 10 + index, edit });
      if ('error' in result) throw new Error(result.error);
      expect(result.tree).toBe(workspace.baselineTree);
      expect(result.commit).not.toBe(workspace.baselineCommit);
      expect(result.diff).toBe('');
      expect(result.changed).toEqual([]);
    }
  });

  it('refuses files edits that escape the worktree or write through a symlink', async () => {
    const worktree = await workspace.createWorktree('t4', workspace.baselineCommit);
    const { symlink } = await import('node:fs/promises');
    await symlink(temp.dir, join(worktree, 'escape'));
    for (const path of ['/etc/passwd', '../outside.txt', 'a/../../outside.txt', '.git/config', 'sub/.GIT/x', 'escape/pwned.txt', 'x\\y']) {
      const result = await workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 4, edit: { kind: 'files', files: { [path]: 'pwned' } } });
      expect(result, path).toEqual({ error: expect.stringContaining('refusing') });
    }
    expect(existsSync(join(temp.dir, 'pwned.txt'))).toBe(false);
    expect(existsSync(join(temp.dir, 'outside.txt'))).toBe(false);
  });

  it('handles binary patches (recomputed as git binary diffs)', async () => {
    const worktree = await workspace.createWorktree('t5', workspace.baselineCommit);
    const result = await workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 5, edit: { kind: 'files', files: { 'data/weights.bin': '\u0000\u0001changed\u0000' } } });
    if ('error' in result) throw new Error(result.error);
    expect(result.diff).toContain('GIT binary patch');
    // The binary diff applies back onto the parent in a fresh worktree.
    const again = await workspace.createWorktree('t6', workspace.baselineCommit);
    const replay = await workspace.materialise({ worktree: again, parentCommit: workspace.baselineCommit, trialId: 6, edit: { kind: 'patch', patch: result.diff } });
    if ('error' in replay) throw new Error(replay.error);
    expect(replay.tree).toBe(result.tree);
  });

  it('refuses a worktree that is not at the parent commit', async () => {
    const worktree = await workspace.createWorktree('t7', workspace.baselineCommit);
    const first = await workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 7, edit: { kind: 'patch', patch: LR_PATCH } });
    if ('error' in first) throw new Error(first.error);
    await expect(workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 8, edit: { kind: 'patch', patch: '' } })).rejects.toThrow(/not at the parent commit/);
    // Chaining onto the trial's own commit works in the same worktree.
    const second = await workspace.materialise({ worktree, parentCommit: first.commit, trialId: 8, edit: { kind: 'files', files: { 'b.txt': 'b\n' } } });
    if ('error' in second) throw new Error(second.error);
    expect(second.changed.map((entry) => entry.path)).toEqual(['b.txt']);
  });

  it('materialises trials in parallel on different worktrees', async () => {
    const count = 6;
    const results = await Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const worktree = await workspace.createWorktree(`p${index}`, workspace.baselineCommit);
        return workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 20 + index, edit: { kind: 'files', files: { [`f${index}.txt`]: `${index}\n` } } });
      }),
    );
    for (const [index, result] of results.entries()) {
      if ('error' in result) throw new Error(result.error);
      expect(result.changed.map((entry) => entry.path)).toEqual([`f${index}.txt`]);
      expect(await workspace.trialCommit(20 + index)).toBe(result.commit);
    }
    expect(new Set(results.map((result) => ('commit' in result ? result.commit : ''))).size).toBe(count);
  });
});
