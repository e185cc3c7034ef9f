/**
 * Loose refs moved in-process, as `git update-ref --no-deref --stdin` moves them in one
 * transaction: every ref's `<file>.lock` created exclusively first (a lock held by
 * anyone else gives up, touching nothing), the new value written to each lock, then
 * each lock renamed over its ref. Only where git would do nothing more: no reflog file
 * exists for a ref (a private repo does not log ref updates, see
 * `plumbing-eligibility.ts`); anything else is left to git (false).
 */
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** One ref to set: its file (`<gitDir>/refs/...`, or a worktree's `HEAD`), its reflog's file, and the object id. */
export interface RefFileUpdate {
  file: string;
  reflog: string;
  value: string;
}

/** A ref name of the private repo this writes as a file: `refs/` and plain segments only. */
export function isPlainRefName(ref: string): boolean {
  if (!/^refs\/[A-Za-z0-9._/-]+$/.test(ref)) return false;
  return ref.split('/').every((segment) => segment !== '' && !segment.startsWith('.') && !segment.endsWith('.lock') && !segment.includes('..'));
}

/**
 * Sets every ref of `updates` (see the file's comment); false when it wrote nothing and
 * git must do it.
 *
 * @example
 * await updateRefFiles([{ file: join(gitDir, ref), reflog: join(gitDir, 'logs', ref), value: commit }]);
 */
export async function updateRefFiles(updates: readonly RefFileUpdate[]): Promise<boolean> {
  // A few bytes per ref: synchronous calls (no trips through the thread pool), in git's order.
  if (updates.some((update) => existsSync(update.reflog))) return false;
  const locked: string[] = [];
  const release = () => {
    for (const lock of locked) rmSync(lock, { force: true });
  };
  try {
    for (const update of updates) {
      const current = lstatSync(update.file, { throwIfNoEntry: false }) ?? null;
      if (current !== null && !current.isFile()) return (release(), false);
      mkdirSync(dirname(update.file), { recursive: true });
      const fd = openSync(`${update.file}.lock`, 'wx');
      locked.push(`${update.file}.lock`);
      try {
        writeSync(fd, `${update.value}\n`);
      } finally {
        closeSync(fd);
      }
    }
  } catch {
    release();
    return false;
  }
  for (const update of updates) renameSync(`${update.file}.lock`, update.file);
  return true;
}
