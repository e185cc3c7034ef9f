import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from './git.ts';
import { makePlainRecipe, makeTempDir, makeUserRepo, userRepoState } from '../testing/workspace-fixtures.ts';
import type { Workspace } from './workspace.ts';
import { openWorkspace } from './workspace.ts';

let temp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

/** Two chained trials: a text change plus a binary change, then a new file and a deletion. */
async function twoTrials(workspace: Workspace): Promise<string> {
  const w1 = await workspace.createWorktree('x1', workspace.baselineCommit);
  const first = await workspace.materialise({
    worktree: w1,
    parentCommit: workspace.baselineCommit,
    trialId: 1,
    edit: { kind: 'files', files: { 'train.py': 'lr = 0.02\nepochs = 3\nprint("training")\n', 'data/weights.bin': '\u0000\u0009binary\u0000' } },
  });
  if ('error' in first) throw new Error(first.error);
  const w2 = await workspace.createWorktree('x2', first.commit);
  const second = await workspace.materialise({
    worktree: w2,
    parentCommit: first.commit,
    trialId: 2,
    edit: { kind: 'files', files: { 'opt/sched.py': 'warmup = 100\n', 'config.json': null } },
  });
  if ('error' in second) throw new Error(second.error);
  return second.commit;
}

describe('exportPatch', () => {
  it('gives the diff against the baseline with recipe-relative paths that apply cleanly to a fresh clone', async () => {
    const { top, recipe } = await makeUserRepo(temp.dir);
    const { workspace } = await openWorkspace({ root: temp.dir, repo: recipe });
    const trial = await twoTrials(workspace);
    const before = await userRepoState(top);
    const patchFile = join(temp.dir, 'trial.patch');
    const { patch, applyHint } = await workspace.exportPatch(trial, patchFile);
    expect(patch).toContain('diff --git a/train.py b/train.py');
    expect(patch).toContain('diff --git a/opt/sched.py b/opt/sched.py');
    expect(patch).toContain('GIT binary patch');
    expect(applyHint).toBe(`cd ${top} && git apply --directory=recipe ${patchFile}`);
    await writeFile(patchFile, patch);
    const clone = join(temp.dir, 'clone');
    await git(['clone', '--quiet', top, clone]);
    await git(['apply', '--directory=recipe', patchFile], { cwd: clone });
    expect(await readFile(join(clone, 'recipe', 'train.py'), 'utf8')).toContain('lr = 0.02');
    expect(await readFile(join(clone, 'recipe', 'opt', 'sched.py'), 'utf8')).toBe('warmup = 100\n');
    await git(['add', '-A'], { cwd: clone });
    expect((await git(['write-tree', '--prefix=recipe/'], { cwd: clone })).trim()).toBe(await workspace.treeOf(trial));
    expect(await userRepoState(top)).toEqual(before);
  });

  it('hints a plain git apply for a plain folder', async () => {
    const recipe = await makePlainRecipe(temp.dir);
    const { workspace } = await openWorkspace({ root: temp.dir, repo: recipe });
    const { patch, applyHint } = await workspace.exportPatch(await twoTrials(workspace));
    expect(applyHint).toContain(`cd ${recipe} && git apply PATCH_FILE`);
    const patchFile = join(temp.dir, 'p.diff');
    await writeFile(patchFile, patch);
    await git(['apply', patchFile], { cwd: recipe });
    expect(await readFile(join(recipe, 'opt', 'sched.py'), 'utf8')).toBe('warmup = 100\n');
  });
});

describe('exportBranch', () => {
  it("creates a branch of the user's baseline commit plus the trial, without touching the working copy, index or HEAD", async () => {
    const { top, recipe, head } = await makeUserRepo(temp.dir);
    const { workspace } = await openWorkspace({ root: temp.dir, repo: recipe });
    // The user moves on and leaves uncommitted work: none of it may be disturbed.
    await writeFile(join(top, 'README.md'), 'newer\n');
    await git(['commit', '--quiet', '-am', 'later work'], { cwd: top });
    await writeFile(join(recipe, 'train.py'), 'uncommitted edit\n');
    await git(['add', 'recipe/train.py'], { cwd: top });
    await writeFile(join(top, 'scratch.txt'), 'untracked\n');
    const before = await userRepoState(top);

    const trial = await twoTrials(workspace);
    const { branch, commit } = await workspace.exportBranch(trial, 'autolab/trial-2', 'lower lr and add a schedule');
    expect(branch).toBe('autolab/trial-2');
    const after = await userRepoState(top);
    expect(after.refs).toContain(`refs/heads/autolab/trial-2 ${commit}`);
    expect({ ...after, refs: before.refs }).toEqual(before);
    expect((after.refs ?? '').replace(`refs/heads/autolab/trial-2 ${commit}\n`, '')).toBe(before.refs);
    expect(await readFile(join(recipe, 'train.py'), 'utf8')).toBe('uncommitted edit\n');

    expect((await git(['rev-parse', `${commit}^`], { cwd: top })).trim()).toBe(head);
    expect(await git(['log', '-1', '--format=%B', commit], { cwd: top })).toBe('lower lr and add a schedule\n\n');
    expect((await git(['rev-parse', `${commit}:recipe`], { cwd: top })).trim()).toBe(await workspace.treeOf(trial));
    expect(await git(['show', `${commit}:README.md`], { cwd: top })).toBe('# project\n');
    expect(await git(['diff', '--name-status', head, commit], { cwd: top })).toBe(
      'D\trecipe/config.json\nM\trecipe/data/weights.bin\nA\trecipe/opt/sched.py\nM\trecipe/train.py\n',
    );
    await expect(workspace.exportBranch(trial, 'autolab/trial-2', 'again')).rejects.toThrow(/already exists/);
    await expect(workspace.exportBranch(trial, 'bad..name', 'x')).rejects.toThrow(/not a valid branch name/);
  });

  it('works when the recipe is the whole repository', async () => {
    const { top } = await makeUserRepo(temp.dir);
    const { workspace } = await openWorkspace({ root: temp.dir, repo: top });
    const worktree = await workspace.createWorktree('w', workspace.baselineCommit);
    const result = await workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 1, edit: { kind: 'files', files: { 'recipe/train.py': 'lr = 1\n' } } });
    if ('error' in result) throw new Error(result.error);
    const { commit } = await workspace.exportBranch(result.commit, 'try', 'x');
    expect(await git(['show', `${commit}:recipe/train.py`], { cwd: top })).toBe('lr = 1\n');
    expect((await workspace.exportPatch(result.commit)).applyHint).toBe(`cd ${top} && git apply PATCH_FILE`);
  });

  it('refuses for a plain-folder recipe and points to --patch', async () => {
    const recipe = await makePlainRecipe(temp.dir);
    const { workspace } = await openWorkspace({ root: temp.dir, repo: recipe });
    await expect(workspace.exportBranch(workspace.baselineCommit, 'x', 'y')).rejects.toMatchObject({
      name: 'ExportError',
      hint: expect.stringContaining('--patch'),
    });
  });
});
