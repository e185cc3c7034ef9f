/**
 * `autolab checkout TRIAL DIR`: a trial's files, for editing by hand, in any recipe
 * (git or plain folder). DIR becomes a git repository on branch `trial-<id>` whose
 * history is the trial's lineage (baseline, then each ancestor trial, commit messages
 * being hypotheses), so `git diff > my.patch` in DIR is a patch against that trial,
 * ready for `autolab submit my.patch --parent <id>`.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AutolabError } from '../core/errors.ts';
import { git } from './git.ts';

export interface CheckedOutTrial {
  /** The folder (absolute). */
  dir: string;
  /** The branch checked out in it. */
  branch: string;
  commit: string;
}

/**
 * Makes `dir` (absent or empty) a git repository checked out at `commit` of the private
 * repo `gitDir`, on branch `trial-<trialId>`. The user's recipe is not touched.
 *
 * @example
 * await checkoutTrial(workspace.gitDir, trial.commit, 12, '/tmp/t12');
 * // then: cd /tmp/t12 && edit && git diff > my.patch
 */
export async function checkoutTrial(gitDir: string, commit: string, trialId: number, dir: string): Promise<CheckedOutTrial> {
  const target = resolve(dir);
  const entries = await readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw new AutolabError('UsageError', `cannot use ${target}: ${error.message}`, { hint: 'name a new folder (it is created) or an empty one' });
  });
  if (entries.length > 0) {
    throw new AutolabError('UsageError', `${target} is not empty`, { hint: 'name a new folder (it is created) or an empty one; the trial\'s files are written there' });
  }
  await mkdir(target, { recursive: true });
  const branch = `trial-${trialId}`;
  await git(['init', '--quiet', target]);
  await git(['fetch', '--quiet', '--no-tags', gitDir, commit], { cwd: target });
  await git(['checkout', '--quiet', '-B', branch, commit], { cwd: target });
  return { dir: target, branch, commit };
}
