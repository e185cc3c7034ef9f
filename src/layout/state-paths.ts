/**
 * Paths no trial may change, whatever the task file says: where the study keeps its
 * state. A diff that writes `.autolab/...` (when the recipe is the task folder) would,
 * once exported and checked out, overwrite the private repo's config or the held-out
 * data, since git overwrites ignored files on checkout. So every path with a
 * `.autolab` segment, and the task file and a store file that lie inside the recipe,
 * are protected in every diff and never exported.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { STATE_DIR_NAME } from './autolab-layout.ts';

/**
 * The recipe-relative POSIX paths of `absolutePaths` that lie inside `repo` (others are
 * dropped): the task file, a store file, a state folder.
 *
 * @example
 * recipeRelativeStatePaths('/proj', ['/proj/autolab.yaml', '/var/db/x.db']); // ['autolab.yaml']
 */
export function recipeRelativeStatePaths(repo: string, absolutePaths: readonly string[]): string[] {
  const inside: string[] = [];
  for (const path of absolutePaths) {
    const rel = relative(repo, path);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) continue;
    inside.push(rel.split(sep).join('/'));
  }
  return inside;
}

/**
 * Why a trial may not change `path` (recipe-relative), or null: a `.autolab` segment
 * anywhere, or one of the study's own state paths inside the recipe.
 *
 * @example
 * statePathProblem('.autolab/repo.git/config', []); // "a path inside a '.autolab' folder, where autolab keeps study state"
 * statePathProblem('train.py', ['autolab.yaml']);   // null
 */
export function statePathProblem(path: string, statePaths: readonly string[]): string | null {
  const segments = path.split('/');
  if (segments.includes(STATE_DIR_NAME)) return `a path inside a '${STATE_DIR_NAME}' folder, where autolab keeps study state`;
  for (const state of statePaths) {
    if (path === state || path.startsWith(`${state}/`)) return `where this study keeps its state or task file (${state})`;
  }
  return null;
}
