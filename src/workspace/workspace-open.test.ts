import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from './git.ts';
import { makePlainRecipe, makeTempDir, makeUserRepo, userRepoState, writeFiles } from '../testing/workspace-fixtures.ts';
import { openWorkspace } from './workspace.ts';

let temp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

async function lsTree(gitDir: string, commit: string): Promise<string[]> {
  return (await git(['ls-tree', '-r', '--format=%(objectmode) %(path)', commit], { gitDir })).trim().split('\n');
}

describe('openWorkspace from a git repository', () => {
  it('imports only the committed recipe folder at HEAD, at its prefix, and leaves the user repo untouched', async () => {
    const { top, recipe, head } = await makeUserRepo(temp.dir);
    const before = await userRepoState(top);
    const { workspace, warnings } = await openWorkspace({ root: top, repo: recipe });
    expect(warnings).toEqual([]);
    expect(workspace.baselineSource).toEqual({ kind: 'git', commit: head });
    expect(await lsTree(workspace.gitDir, workspace.baselineCommit)).toEqual([
      '100644 config.json',
      '100644 data/weights.bin',
      '100644 eval/score.py',
      '120000 main.py',
      '100755 run.sh',
      '100644 train.py',
    ]);
    // Same tree as the user's folder: objects copied, not rewritten.
    expect(workspace.baselineTree).toBe((await git(['rev-parse', 'HEAD:recipe'], { cwd: top })).trim());
    expect(await git(['log', '--format=%s', workspace.baselineCommit], { gitDir: workspace.gitDir })).toBe(`autolab baseline from ${head}\n`);
    expect(await git(['rev-parse', 'refs/autolab/trials/0'], { gitDir: workspace.gitDir })).toBe(`${workspace.baselineCommit}\n`);
    expect(await readFile(join(top, '.autolab', '.gitignore'), 'utf8')).toBe('*\n');
    expect(await userRepoState(top)).toEqual(before);
  });

  it('warns about uncommitted changes under the recipe folder and imports the committed content', async () => {
    const { top, recipe } = await makeUserRepo(temp.dir);
    await writeFile(join(recipe, 'train.py'), 'lr = 0.5\n');
    await writeFiles(recipe, { 'notes.txt': 'draft\n' });
    await writeFiles(top, { 'outside.txt': 'not in the recipe\n' });
    const before = await userRepoState(top);
    const { workspace, warnings } = await openWorkspace({ root: temp.dir, repo: recipe });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.code).toBe('uncommitted_changes');
    expect(warnings[0]?.message).toContain('M train.py');
    expect(warnings[0]?.message).toContain('?? notes.txt');
    expect(warnings[0]?.message).not.toContain('outside.txt');
    expect(await workspace.readFileAt(workspace.baselineCommit, 'train.py')).toBe('lr = 0.1\nepochs = 3\nprint("training")\n');
    expect(await workspace.readFileAt(workspace.baselineCommit, 'notes.txt')).toBeNull();
    expect(await userRepoState(top)).toEqual(before);
  });

  it('imports a named baseline revision and the whole repo when the recipe is the top folder', async () => {
    const { top, head } = await makeUserRepo(temp.dir);
    await writeFile(join(top, 'README.md'), 'changed\n');
    await git(['commit', '--quiet', '-am', 'second'], { cwd: top });
    const { workspace } = await openWorkspace({ root: temp.dir, repo: top, baseline: 'HEAD~1' });
    expect(workspace.baselineSource).toEqual({ kind: 'git', commit: head });
    expect(await workspace.readFileAt(workspace.baselineCommit, 'README.md')).toBe('# project\n');
    expect(await workspace.readFileAt(workspace.baselineCommit, 'recipe/train.py')).toContain('lr = 0.1');
    await expect(openWorkspace({ root: join(temp.dir, 'user', 'recipe'), repo: top, baseline: 'no-such-branch' })).rejects.toThrow(/no-such-branch/);
  });

  it('is idempotent: a second open returns the recorded baseline without importing again', async () => {
    const { top, recipe } = await makeUserRepo(temp.dir);
    const first = await openWorkspace({ root: top, repo: recipe });
    await writeFile(join(recipe, 'train.py'), 'lr = 9\n');
    await git(['commit', '--quiet', '-am', 'moved on'], { cwd: top });
    const second = await openWorkspace({ root: top, repo: recipe });
    expect(second.workspace.baselineCommit).toBe(first.workspace.baselineCommit);
    expect(second.warnings).toEqual([]);
    expect(second.workspace.baselineSource).toEqual(first.workspace.baselineSource);
    // The store's record wins, and a lost private repo is rebuilt to the same commit.
    const fromStore = await openWorkspace({ root: top, repo: recipe, baselineCommit: first.workspace.baselineCommit });
    expect(fromStore.workspace.baselineCommit).toBe(first.workspace.baselineCommit);
    // A study the store has no baseline for (new, or --fresh) imports the current HEAD.
    const fresh = await openWorkspace({ root: top, repo: recipe, baselineCommit: null });
    expect(fresh.workspace.baselineCommit).not.toBe(first.workspace.baselineCommit);
    expect(await fresh.workspace.readFileAt(fresh.workspace.baselineCommit, 'train.py')).toBe('lr = 9\n');
    expect((await openWorkspace({ root: top, repo: recipe })).workspace.baselineCommit).toBe(fresh.workspace.baselineCommit);
    // The old baseline stays readable by its id.
    expect(await first.workspace.readFileAt(first.workspace.baselineCommit, 'train.py')).toContain('lr = 0.1');
  });

  it('gives each study its own refs, and rebuilds a lost private repo to the same baseline commit', async () => {
    const { top, recipe, head } = await makeUserRepo(temp.dir);
    const a = await openWorkspace({ root: top, repo: recipe, study: 'golf', baseline: head });
    const b = await openWorkspace({ root: top, repo: recipe, study: 'golf@2024 v2' });
    expect(b.workspace.baselineCommit).toBe(a.workspace.baselineCommit);
    const refs = await git(['for-each-ref', '--format=%(refname)'], { gitDir: a.workspace.gitDir });
    expect(refs).toContain('refs/autolab/studies/golf/trials/0');
    expect(refs).toContain('refs/autolab/studies/golf%402024%20v2/trials/0');
    await git(['worktree', 'prune'], { gitDir: a.workspace.gitDir });
    const { rm } = await import('node:fs/promises');
    await rm(join(top, '.autolab'), { recursive: true, force: true });
    const rebuilt = await openWorkspace({ root: top, repo: recipe, study: 'golf', baselineCommit: a.workspace.baselineCommit });
    expect(rebuilt.workspace.baselineCommit).toBe(a.workspace.baselineCommit);
    await rm(join(top, '.autolab'), { recursive: true, force: true });
    await expect(openWorkspace({ root: top, repo: recipe, study: 'golf', baselineCommit: 'f'.repeat(40) })).rejects.toThrow(/missing from/);
  });

  it('leaves out the .autolab folder when the task file lives inside the recipe folder', async () => {
    const { top, recipe } = await makeUserRepo(temp.dir);
    const { workspace } = await openWorkspace({ root: recipe, repo: recipe });
    expect(existsSync(join(recipe, '.autolab', 'repo.git'))).toBe(true);
    // The user's git ignores the private state entirely.
    expect(await git(['status', '--porcelain', '--untracked-files=all'], { cwd: top })).toBe('');
    await workspace.createWorktree('t', workspace.baselineCommit);
    await workspace.evaluatorDir();
    expect(await git(['status', '--porcelain', '--untracked-files=all'], { cwd: top })).toBe('');
    expect((await lsTree(workspace.gitDir, workspace.baselineCommit)).some((line) => line.includes('.autolab'))).toBe(false);
  });

  it('drops a committed .autolab folder from the import', async () => {
    const { top, recipe } = await makeUserRepo(temp.dir);
    await writeFiles(recipe, { '.autolab/stale.txt': 'committed by mistake\n' });
    await git(['add', '-f', 'recipe/.autolab/stale.txt'], { cwd: top });
    await git(['commit', '--quiet', '-m', 'oops'], { cwd: top });
    const { workspace } = await openWorkspace({ root: recipe, repo: recipe });
    const files = await lsTree(workspace.gitDir, workspace.baselineCommit);
    expect(files).toContain('100644 train.py');
    expect(files.some((line) => line.includes('.autolab'))).toBe(false);
  });

  it('snapshots the folder when the recipe folder has no committed content yet', async () => {
    const { top } = await makeUserRepo(temp.dir);
    const fresh = join(top, 'fresh');
    await writeFiles(fresh, { 'a.py': 'x = 1\n' });
    const { workspace, warnings } = await openWorkspace({ root: temp.dir, repo: fresh });
    expect(warnings.map((w) => w.code)).toEqual(['baseline_not_committed']);
    expect(workspace.baselineSource).toEqual({ kind: 'folder' });
    expect(await workspace.readFileAt(workspace.baselineCommit, 'a.py')).toBe('x = 1\n');
  });
});

describe('openWorkspace from a plain folder', () => {
  it('snapshots files, modes and symlinks, skipping .git, node_modules and .autolab', async () => {
    const recipe = await makePlainRecipe(temp.dir);
    await writeFiles(recipe, {
      'node_modules/pkg/index.js': 'x',
      'sub/node_modules/y.js': 'y',
      '.autolab/old': 'z',
      '.gitignore': 'train.py\n',
    });
    await mkdir(join(recipe, 'empty'));
    const { workspace, warnings } = await openWorkspace({ root: recipe, repo: recipe });
    expect(warnings).toEqual([]);
    expect(workspace.baselineSource).toEqual({ kind: 'folder' });
    expect(await lsTree(workspace.gitDir, workspace.baselineCommit)).toEqual([
      '100644 .gitignore',
      '100644 config.json',
      '100644 data/weights.bin',
      '100644 eval/score.py',
      '120000 main.py',
      '100755 run.sh',
      '100644 train.py',
    ]);
    expect(await git(['log', '--format=%s', workspace.baselineCommit], { gitDir: workspace.gitDir })).toBe('autolab baseline from folder snapshot\n');
    const again = await openWorkspace({ root: recipe, repo: recipe });
    expect(again.workspace.baselineCommit).toBe(workspace.baselineCommit);
    expect(again.workspace.baselineSource).toEqual({ kind: 'folder' });
  });

  it('warns when the snapshot is larger than 50 MB', async () => {
    const recipe = await makePlainRecipe(temp.dir);
    await writeFile(join(recipe, 'big.bin'), Buffer.alloc(51 * 1024 * 1024));
    const { warnings } = await openWorkspace({ root: temp.dir, repo: recipe });
    expect(warnings.map((w) => w.code)).toEqual(['large_snapshot']);
  });

  it('refuses a recipe folder that does not exist', async () => {
    await expect(openWorkspace({ root: temp.dir, repo: join(temp.dir, 'nope') })).rejects.toThrow(/does not exist/);
  });
});
