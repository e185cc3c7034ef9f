/**
 * Where the recipe folder sits in the user's git repository, if it sits in one.
 */
import { AutolabError } from '../core/errors.ts';
import { gitResult } from './git.ts';

/** The user's repository and the recipe folder's place in it. */
export interface UserRepoLocation {
  /** Absolute path of the user's work tree (`git rev-parse --show-toplevel`). */
  toplevel: string;
  /** The recipe folder relative to `toplevel`, POSIX, no trailing slash; '' at the top. */
  prefix: string;
  /** `sha1` or `sha256`; the private repo uses the same. */
  objectFormat: string;
}

/**
 * Locates `folder` in a git work tree; null when it is a plain folder.
 *
 * @example
 * await locateInUserRepo('/home/me/proj/recipe'); // { toplevel: '/home/me/proj', prefix: 'recipe', objectFormat: 'sha1' }
 */
export async function locateInUserRepo(folder: string): Promise<UserRepoLocation | null> {
  const result = await gitResult(['rev-parse', '--show-toplevel', '--show-prefix', '--show-object-format'], { cwd: folder, profile: 'user' });
  if (result.exitCode !== 0) {
    if (/not a git repository/i.test(result.stderr)) return null;
    throw new AutolabError('GitError', `cannot inspect the git repository around ${folder}: ${result.stderr.trim()}`, {
      hint: 'if git reports "dubious ownership", add the folder to safe.directory (see `git help config`)',
    });
  }
  const [toplevel = '', prefix = '', objectFormat = 'sha1'] = result.stdout.toString('utf8').split('\n');
  return { toplevel, prefix: prefix.replace(/\/+$/, ''), objectFormat };
}
