/**
 * Symlink escapes: a trial may add or change symbolic links, but none may point outside
 * the recipe (an absolute target, or a relative one that climbs above the root).
 */
import { readlink, realpath } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import type { ChangedPath } from './changed-paths.ts';

const SYMLINK_MODE = '120000';

/**
 * One message per changed symlink of `worktree` that is absolute or resolves outside
 * the worktree root; empty when there is none.
 *
 * @example
 * await symlinkEscapes(worktree, changed); // ["data/x: symlink target '../../etc/passwd' resolves outside the recipe"]
 */
export async function symlinkEscapes(worktree: string, changed: readonly ChangedPath[]): Promise<string[]> {
  const links = changed.filter((entry) => entry.mode === SYMLINK_MODE && entry.status !== 'D');
  if (links.length === 0) return [];
  const root = await realpath(worktree);
  const messages: string[] = [];
  for (const link of links) {
    let target: string;
    try {
      target = await readlink(join(worktree, link.path));
    } catch (error) {
      messages.push(`${link.path}: cannot read the symlink (${(error as Error).message})`);
      continue;
    }
    if (target.startsWith('/') || /^[A-Za-z]:[\\/]/.test(target)) {
      messages.push(`${link.path}: symlink target '${target}' is absolute`);
      continue;
    }
    const lexical = posix.normalize(posix.join(posix.dirname(link.path), target));
    if (lexical === '..' || lexical.startsWith('../')) {
      messages.push(`${link.path}: symlink target '${target}' resolves outside the recipe`);
      continue;
    }
    // Through other links (which may be older than this trial): where it really lands.
    const landed = await realpath(join(worktree, link.path)).catch(() => null);
    if (landed !== null) {
      const inside = relative(root, landed);
      if (inside === '..' || inside.startsWith(`..${sep}`) || inside.startsWith(sep)) {
        messages.push(`${link.path}: symlink target '${target}' resolves outside the recipe (to ${landed})`);
      }
    }
  }
  return messages;
}
