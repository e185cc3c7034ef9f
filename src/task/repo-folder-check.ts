/**
 * The recipe folder a task file names (`repo:`) is imported whole into the private repo
 * and copied into every trial's worktree, so it must be a project folder: not the file
 * system root, not a system folder (`/etc` would import `/etc/shadow`), not the home
 * folder itself (its credentials), and owned by the user running autolab.
 */
import type { Stats } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';

/** Folders that are never a recipe, nor any folder directly inside them that is a system path itself. */
export const SYSTEM_FOLDERS: readonly string[] = [
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/proc',
  '/run',
  '/sbin',
  '/sys',
  '/usr',
  '/var',
  '/home',
  '/Users',
  '/System',
  '/Library',
  '/private',
];

/** Folders whose whole subtree is the system's (a recipe there is a mistake). */
const SYSTEM_SUBTREES: readonly string[] = ['/etc', '/proc', '/sys', '/dev', '/boot', '/usr/lib', '/usr/bin', '/usr/sbin', '/bin', '/sbin', '/lib', '/lib64', '/var/lib', '/var/log', '/run', '/System'];

/**
 * Why `repo` (absolute, existing, with its `stats`) cannot be a recipe folder, or null.
 *
 * @example
 * recipeFolderProblem('/etc', statSync('/etc'), { uid: 0 }); // 'is a system folder (/etc): ...'
 */
export function recipeFolderProblem(repo: string, stats: Pick<Stats, 'uid' | 'isDirectory'>, user: { uid: number | null; home?: string } = currentUser()): string | null {
  const path = resolve(repo);
  if (path === '/') return 'is the root of the file system: autolab would copy every file of the machine into its private repo; name the project folder instead';
  const subtree = SYSTEM_SUBTREES.find((root) => path === root || path.startsWith(`${root}/`));
  if (SYSTEM_FOLDERS.includes(path) || subtree !== undefined) return `is a system folder (${subtree ?? path}): autolab copies the recipe folder into its private repo and every trial's worktree; name your project's folder`;
  const home = user.home ?? homedir();
  if (home !== '' && resolve(home) === path) return 'is your home folder: its credentials (~/.ssh, ~/.aws, ...) would be copied into every trial; name the project folder inside it';
  if (user.uid !== null && user.uid !== 0 && stats.uid !== user.uid) return `is owned by another user (uid ${stats.uid}, you are ${user.uid}): a recipe folder must be yours`;
  return null;
}

function currentUser(): { uid: number | null } {
  return { uid: typeof process.getuid === 'function' ? process.getuid() : null };
}
