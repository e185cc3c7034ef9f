import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from './git.ts';
import { makeTempDir, makeUserRepo } from '../testing/workspace-fixtures.ts';
import type { Workspace } from './workspace.ts';
import { openWorkspace } from './workspace.ts';
import { addWorktree, moveWorktreeToTrash } from './worktrees.ts';

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

async function registered(): Promise<string[]> {
  const list = await git(['worktree', 'list', '--porcelain'], { gitDir: workspace.gitDir });
  return list.split('\n').filter((line) => line.startsWith('worktree ')).map((line) => line.slice('worktree '.length));
}

describe('trial worktrees', () => {
  it('checks out over a locked record a killed checkout left (its folder never written): `git worktree add` refuses it, prune spares it', async () => {
    const path = join(temp.dir, 'evaluator-checkout');
    const record = join(workspace.gitDir, 'worktrees', 'evaluator-checkout');
    await mkdir(record, { recursive: true });
    await writeFile(join(record, 'gitdir'), `${join(path, '.git')}\n`);
    await writeFile(join(record, 'commondir'), '../..\n');
    await writeFile(join(record, 'HEAD'), `${workspace.baselineCommit}\n`);
    await writeFile(join(record, 'locked'), 'initializing');
    await addWorktree(workspace.gitDir, path, workspace.baselineCommit);
    expect(await readFile(join(path, 'train.py'), 'utf8')).toContain('lr = 0.1');
    expect((await git(['rev-parse', 'HEAD'], { cwd: path })).trim()).toBe(workspace.baselineCommit);
    expect((await registered()).filter((listed) => listed === path)).toHaveLength(1);
  });

  it('creates a detached checkout of the commit under .autolab/worktrees', async () => {
    const path = await workspace.createWorktree('study-1', workspace.baselineCommit);
    expect(path).toBe(join(temp.dir, '.autolab', 'worktrees', 'study-1'));
    expect(await readFile(join(path, 'train.py'), 'utf8')).toContain('lr = 0.1');
    expect((await git(['rev-parse', 'HEAD'], { cwd: path })).trim()).toBe(workspace.baselineCommit);
    expect(await registered()).toContain(path);
  });

  it('recreates a worktree over a stale folder from a dead run, and over a registration whose folder is gone', async () => {
    const path = await workspace.createWorktree('study-2', workspace.baselineCommit);
    await writeFile(join(path, 'train.py'), 'half-written by a killed run');
    await writeFile(join(path, 'junk.bin'), 'junk');
    const again = await workspace.createWorktree('study-2', workspace.baselineCommit);
    expect(again).toBe(path);
    expect(await readFile(join(path, 'train.py'), 'utf8')).toContain('lr = 0.1');
    expect(existsSync(join(path, 'junk.bin'))).toBe(false);
    // A plain folder (never a worktree) in the way.
    await workspace.removeWorktree('study-2');
    await mkdir(join(path, 'deep'), { recursive: true });
    await writeFile(join(path, 'deep', 'x'), 'x');
    await workspace.createWorktree('study-2', workspace.baselineCommit);
    expect(existsSync(join(path, 'deep'))).toBe(false);
    // The folder deleted behind git's back.
    await rm(path, { recursive: true, force: true });
    await workspace.createWorktree('study-2', workspace.baselineCommit);
    expect(await git(['status', '--porcelain'], { cwd: path })).toBe('');
  });

  it('removes a worktree and its registration', async () => {
    const path = await workspace.createWorktree('study-3', workspace.baselineCommit);
    await workspace.removeWorktree('study-3');
    expect(existsSync(path)).toBe(false);
    expect(await registered()).not.toContain(path);
    await workspace.removeWorktree('study-3'); // already gone: no error
  });

  it('removes a worktree whose .git pointer a trial rewrote without touching what it points at', async () => {
    const other = await workspace.createWorktree('victim', workspace.baselineCommit);
    const victimAdmin = (await readFile(join(other, '.git'), 'utf8')).trim().slice('gitdir: '.length);
    // Pointed at another worktree's registration.
    const hostile = await workspace.createWorktree('hostile-1', workspace.baselineCommit);
    await writeFile(join(hostile, '.git'), `gitdir: ${victimAdmin}\n`);
    await workspace.removeWorktree('hostile-1');
    // Pointed at a folder outside the private repo, and replaced by a folder.
    const outside = join(temp.dir, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'gitdir'), join(temp.dir, '.autolab', 'worktrees', 'hostile-2', '.git'));
    const second = await workspace.createWorktree('hostile-2', workspace.baselineCommit);
    await writeFile(join(second, '.git'), `gitdir: ${outside}\n`);
    await workspace.removeWorktree('hostile-2');
    const third = await workspace.createWorktree('hostile-3', workspace.baselineCommit);
    await rm(join(third, '.git'));
    await mkdir(join(third, '.git'));
    await workspace.removeWorktree('hostile-3');
    for (const path of [hostile, second, third]) expect(existsSync(path)).toBe(false);
    expect(existsSync(outside)).toBe(true);
    expect(existsSync(victimAdmin)).toBe(true);
    expect(await registered()).toEqual([expect.stringMatching(/repo\.git$/), other]);
    expect(await git(['status', '--porcelain'], { cwd: other })).toBe('');
    // Names are free again.
    await workspace.createWorktree('hostile-1', workspace.baselineCommit);
  });

  it('prunes every worktree not kept (optionally only those with a prefix)', async () => {
    const a = await workspace.createWorktree('golf-1', workspace.baselineCommit);
    const b = await workspace.createWorktree('golf-2', workspace.baselineCommit);
    const c = await workspace.createWorktree('other-1', workspace.baselineCommit);
    await mkdir(join(temp.dir, '.autolab', 'worktrees', 'golf-stray'), { recursive: true });
    const removed = await workspace.pruneWorktrees(['golf-2'], 'golf-');
    expect(removed.sort()).toEqual(['golf-1', 'golf-stray']);
    expect(existsSync(a)).toBe(false);
    expect(existsSync(b)).toBe(true);
    expect(existsSync(c)).toBe(true);
    const paths = await registered();
    expect(paths).not.toContain(a);
    expect(paths).toEqual(expect.arrayContaining([b, c]));
    expect(await workspace.pruneWorktrees([])).toEqual(['golf-2', 'other-1']);
    expect(await registered()).toHaveLength(1); // only the bare repo itself
  });

  it('frees a removed worktree at once and deletes it in the background, whatever the trial left in it', async () => {
    const path = await workspace.createWorktree('golf-7', workspace.baselineCommit);
    const admin = (await readFile(join(path, '.git'), 'utf8')).trim().slice('gitdir: '.length);
    // Files left behind, modes changed, read-only folders, a symlink out, an untracked tree.
    await mkdir(join(path, 'left', 'deep'), { recursive: true });
    await writeFile(join(path, 'left', 'deep', 'file'), 'x');
    await writeFile(join(path, 'left', 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    await symlink(temp.dir, join(path, 'escape'));
    await chmod(join(path, 'left', 'deep'), 0o555);
    await chmod(join(path, 'train.py'), 0o400);
    await workspace.removeWorktree('golf-7');
    // Gone from its place and from git's list before the deletion ends; the name is free.
    expect(existsSync(path)).toBe(false);
    expect(existsSync(admin)).toBe(false);
    expect(await registered()).not.toContain(path);
    const again = await workspace.createWorktree('golf-7', workspace.baselineCommit);
    expect(existsSync(join(again, 'left'))).toBe(false);
    expect(existsSync(join(again, 'escape'))).toBe(false);
    expect(await git(['status', '--porcelain', '--untracked-files=all', '--ignored'], { cwd: again })).toBe('');
    await workspace.settle();
    const trash = join(temp.dir, '.autolab', 'worktrees.removing');
    expect(await readdir(trash)).toEqual([]);
    // The symlink's target was never followed.
    expect(existsSync(join(temp.dir, '.autolab'))).toBe(true);
  });

  it('deletes the removals a killed driver left half done when worktrees are pruned', async () => {
    const path = await workspace.createWorktree('golf-8', workspace.baselineCommit);
    // What a driver killed right after the renames leaves: the folders moved, not yet deleted.
    const trashDir = join(temp.dir, '.autolab', 'worktrees.removing');
    const moved = moveWorktreeToTrash(workspace.gitDir, path, trashDir);
    expect(moved).not.toBeNull();
    expect(await readdir(moved!)).toEqual(['record', 'worktree']);
    await workspace.pruneWorktrees([], 'golf-');
    expect(await readdir(trashDir)).toEqual([]);
    expect(await registered()).toHaveLength(1);
  });

  it('rejects unsafe worktree names', async () => {
    for (const name of ['../x', 'a/b', '', '..', 'a\\b', 'x\ny']) {
      await expect(workspace.createWorktree(name, workspace.baselineCommit), name).rejects.toThrow(/invalid worktree name/);
    }
  });
});

describe('evaluator checkout', () => {
  it('is a checkout of the baseline, created once and recreated when missing or damaged', async () => {
    const path = await workspace.evaluatorDir();
    expect(path).toBe(join(temp.dir, '.autolab', 'evaluator'));
    expect(await readFile(join(path, 'eval', 'score.py'), 'utf8')).toContain('loss');
    // Untracked leftovers (caches) are tolerated.
    await writeFile(join(path, 'cache.pyc'), 'x');
    expect(await workspace.evaluatorDir()).toBe(path);
    expect(existsSync(join(path, 'cache.pyc'))).toBe(true);
    // A modified protected file is not.
    await writeFile(join(path, 'eval', 'score.py'), 'print(\'{"loss": 0}\')\n');
    await workspace.evaluatorDir();
    expect(await readFile(join(path, 'eval', 'score.py'), 'utf8')).toContain('1.0');
    // Missing, or with a broken .git pointer.
    await rm(path, { recursive: true, force: true });
    await workspace.evaluatorDir();
    expect(existsSync(join(path, 'train.py'))).toBe(true);
    await writeFile(join(path, '.git'), 'gitdir: /nonexistent\n');
    await workspace.evaluatorDir();
    expect((await git(['rev-parse', 'HEAD'], { cwd: path })).trim()).toBe(workspace.baselineCommit);
    // Concurrent calls agree.
    const paths = await Promise.all([workspace.evaluatorDir(), workspace.evaluatorDir(), workspace.evaluatorDir()]);
    expect(new Set(paths)).toEqual(new Set([path]));
  });
});
