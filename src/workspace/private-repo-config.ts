/**
 * The private repo's own config, verified on every open. autolab runs git there with
 * hooks and fsmonitor off and without the user's global or system config, but git
 * always reads the repo's `config` file: a planted one (for instance by checking out a
 * branch that carried `.autolab/repo.git/config`) could name a filter, a textconv or an
 * fsmonitor program that git would run. Only the keys git and autolab write are allowed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AutolabError } from '../core/errors.ts';
import { git } from './git.ts';

/** Keys (lower case) `git init --bare`, `git worktree` and autolab write to the private repo's config. */
const ALLOWED_KEYS: ReadonlySet<string> = new Set([
  'core.repositoryformatversion',
  'core.filemode',
  'core.bare',
  'core.logallrefupdates',
  'core.ignorecase',
  'core.precomposeunicode',
  'core.symlinks',
  'extensions.objectformat',
  'gc.pruneexpire',
]);

/**
 * The keys of the private repo's config that autolab never writes (read from the file
 * alone: no includes followed, nothing run); empty when it is as autolab left it.
 *
 * @example
 * await unexpectedConfigKeys('/proj/.autolab/repo.git'); // ['filter.x.clean']
 */
export async function unexpectedConfigKeys(gitDir: string): Promise<string[]> {
  const file = join(gitDir, 'config');
  if (!existsSync(file)) return [];
  const listing = await git(['config', '--file', file, '--no-includes', '--list', '--name-only', '-z']);
  const keys = listing.split('\0').filter((key) => key !== '').map((key) => key.toLowerCase());
  return [...new Set(keys.filter((key) => !ALLOWED_KEYS.has(key)))];
}

/** Throws a `WorkspaceError` naming the keys when the private repo's config holds any autolab never writes. */
export async function assertPrivateRepoConfig(gitDir: string): Promise<void> {
  const unexpected = await unexpectedConfigKeys(gitDir);
  if (unexpected.length === 0) return;
  throw new AutolabError(
    'WorkspaceError',
    `the private repo's config (${join(gitDir, 'config')}) holds settings autolab never writes: ${unexpected.join(', ')}. It may have been overwritten (e.g. by checking out a branch that carried .autolab/), and git would run what they name`,
    { hint: `look at the file; remove those settings (\`git config --file ${join(gitDir, 'config')} --unset KEY\`) if you did not add them on purpose, then run again` },
  );
}
