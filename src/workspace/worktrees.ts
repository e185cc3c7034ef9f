/**
 * Worktrees of the private repo: one per trial under `.autolab/worktrees/<name>`, and
 * the evaluator's checkout of the baseline. All of them share the private repo's
 * objects and refs; each has its own index and HEAD, so trials materialise in parallel.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { lstat, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AutolabError } from '../core/errors.ts';
import { git, gitResult } from './git.ts';

/** Throws unless `name` is a safe folder name for a worktree (one path segment). */
export function assertWorktreeName(name: string): void {
  // eslint-disable-next-line no-control-regex
  if (name === '' || name === '.' || name === '..' || /[/\\\x00-\x1f\x7f]/.test(name) || name.length > 200) {
    throw new AutolabError('WorkspaceError', `invalid worktree name '${name}'`, {
      hint: 'use one folder name without `/` (e.g. `golf-12`)',
    });
  }
}

/**
 * Checks `commit` out, detached, at `path`. A folder left there by a dead run (or a
 * registration whose folder is gone) is removed first.
 */
export async function addWorktree(gitDir: string, path: string, commit: string): Promise<void> {
  const args = ['worktree', 'add', '--detach', '--quiet', path, commit];
  const first = await gitResult(args, { gitDir });
  if (first.exitCode === 0) return;
  await discardWorktree(gitDir, path);
  await git(args, { gitDir });
}

/**
 * The administrative folder (`<gitDir>/worktrees/<id>`) of the worktree at `path`, when
 * both sides agree: the worktree's `.git` file names it, and it names the worktree back.
 * Null for anything else (no `.git` file, a pointer a trial rewrote, a folder elsewhere).
 */
async function adminDirOf(gitDir: string, path: string): Promise<string | null> {
  try {
    const pointerFile = join(path, '.git');
    if (!(await lstat(pointerFile)).isFile()) return null;
    const pointer = (await readFile(pointerFile, 'utf8')).trim();
    if (!pointer.startsWith('gitdir: ')) return null;
    const admin = await realpath(resolve(path, pointer.slice('gitdir: '.length)));
    if (dirname(admin) !== join(await realpath(gitDir), 'worktrees')) return null;
    const back = (await readFile(join(admin, 'gitdir'), 'utf8')).trim();
    return back === join(await realpath(path), '.git') ? admin : null;
  } catch {
    return null;
  }
}

/** `adminDirOf` with synchronous calls (a few small files: no trips through the thread pool). */
function adminDirOfSync(gitDir: string, path: string): string | null {
  try {
    const pointerFile = join(path, '.git');
    if (!lstatSync(pointerFile).isFile()) return null;
    const pointer = readFileSync(pointerFile, 'utf8').trim();
    if (!pointer.startsWith('gitdir: ')) return null;
    const admin = realpathSync(resolve(path, pointer.slice('gitdir: '.length)));
    if (dirname(admin) !== join(realpathSync(gitDir), 'worktrees')) return null;
    const back = readFileSync(join(admin, 'gitdir'), 'utf8').trim();
    return back === join(realpathSync(path), '.git') ? admin : null;
  } catch {
    return null;
  }
}

/**
 * Takes the worktree at `path` out of the way at once: its folder and git's record of it
 * (when both sides agree, see `adminDirOf`) are renamed into a new folder under
 * `trashDir`, so that the name is free and git no longer knows the worktree, and that
 * folder is returned for the caller to delete when it likes. Null, with nothing moved,
 * when the registration does not check out or the folder cannot be renamed there (then
 * `discardWorktree`). A record that cannot be moved is deleted here.
 *
 * @example
 * const trash = moveWorktreeToTrash(gitDir, path, trashDir);
 * if (trash === null) await discardWorktree(gitDir, path); else void rm(trash, { recursive: true, force: true });
 */
export function moveWorktreeToTrash(gitDir: string, path: string, trashDir: string): string | null {
  const admin = adminDirOfSync(gitDir, path);
  if (admin === null) return null;
  let folder: string;
  try {
    mkdirSync(trashDir, { recursive: true });
    folder = mkdtempSync(join(trashDir, `${basename(path)}-`));
    renameSync(path, join(folder, 'worktree'));
  } catch {
    return null;
  }
  try {
    renameSync(admin, join(folder, 'record'));
  } catch {
    rmSync(admin, { recursive: true, force: true });
  }
  return folder;
}

/** Deletes what `moveWorktreeToTrash` left under `trashDir` (a killed driver's removals that never finished). */
export async function emptyWorktreeTrash(trashDir: string): Promise<void> {
  const names = existsSync(trashDir) ? await readdir(trashDir).catch(() => [] as string[]) : [];
  await Promise.all(names.map((name) => rm(join(trashDir, name), { recursive: true, force: true }).catch(() => undefined)));
}

/**
 * Removes the worktree at `path` (registered or not, clean or not). A worktree whose
 * registration checks out (see `adminDirOf`) is removed in-process, as `git worktree
 * remove --force --force` does (its folder, then git's record of it); any other by git.
 */
export async function discardWorktree(gitDir: string, path: string): Promise<void> {
  const admin = existsSync(path) ? await adminDirOf(gitDir, path) : null;
  if (admin !== null) {
    await rm(path, { recursive: true, force: true });
    await rm(admin, { recursive: true, force: true });
    return;
  }
  const removed = existsSync(path)
    ? await gitResult(['worktree', 'remove', '--force', '--force', path], { gitDir })
    : undefined;
  await rm(path, { recursive: true, force: true });
  if (removed?.exitCode !== 0) {
    await forgetRecordsOf(gitDir, path);
    await git(['worktree', 'prune'], { gitDir });
  }
}

/**
 * Deletes git's records (`<gitDir>/worktrees/<id>`) that name `path` as their worktree,
 * locked ones included: a checkout killed while its record was still locked as incomplete
 * leaves one that `git worktree prune` spares and `git worktree add` refuses to reuse.
 */
async function forgetRecordsOf(gitDir: string, path: string): Promise<void> {
  const records = join(gitDir, 'worktrees');
  const names = existsSync(records) ? await readdir(records).catch(() => [] as string[]) : [];
  const wanted = new Set([join(resolve(path), '.git'), join(await realpath(dirname(resolve(path))).catch(() => dirname(resolve(path))), basename(path), '.git')]);
  await Promise.all(
    names.map(async (name) => {
      const named = await readFile(join(records, name, 'gitdir'), 'utf8').catch(() => '');
      if (wanted.has(named.trim())) await rm(join(records, name), { recursive: true, force: true });
    }),
  );
}

/**
 * Removes every folder under `worktreesDir` whose name starts with `prefix` and is not
 * in `keep`, then lets git
 * forget worktrees whose folders are gone. For cleanup after a killed driver.
 */
export async function pruneWorktreeFolders(
  gitDir: string,
  worktreesDir: string,
  keep: readonly string[],
  prefix = '',
): Promise<string[]> {
  const kept = new Set(keep);
  const names = existsSync(worktreesDir) ? await readdir(worktreesDir) : [];
  const removed = names.filter((name) => name.startsWith(prefix) && !kept.has(name));
  await Promise.all(removed.map((name) => rm(join(worktreesDir, name), { recursive: true, force: true })));
  await git(['worktree', 'prune'], { gitDir });
  return removed;
}

/**
 * True when `path` is a worktree at `commit` whose tracked files are unmodified
 * (untracked files, such as caches a score command leaves, are tolerated).
 */
export async function isPristineCheckout(path: string, commit: string): Promise<boolean> {
  if (!existsSync(join(path, '.git'))) return false;
  const status = await gitResult(['status', '--porcelain=v2', '--branch', '--untracked-files=no', '--ignored=no'], { cwd: path });
  if (status.exitCode !== 0) return false;
  const lines = status.stdout.toString('utf8').split('\n').filter((line) => line !== '');
  return lines.includes(`# branch.oid ${commit}`) && lines.every((line) => line.startsWith('#'));
}
