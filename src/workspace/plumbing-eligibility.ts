/**
 * When the private repo's plumbing may be done in-process (a worktree checked out, a
 * files edit staged and its trees written, refs moved) and still give exactly what git
 * gives: the repo's config holds only the settings `git init --bare` writes, with their
 * usual values (no `core.filemode=false`, `core.symlinks=false`, case folding or reflogs
 * of every ref), and no attributes file can change how a file is checked out or hashed.
 * Anything else is left to git.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** section.key (lower case) -> the values under which in-process plumbing is exact. */
const PLAIN_VALUES: ReadonlyMap<string, readonly string[]> = new Map([
  ['core.repositoryformatversion', ['0', '1']],
  ['core.filemode', ['true']],
  ['core.bare', ['true']],
  ['core.logallrefupdates', ['false']],
  ['core.symlinks', ['true']],
  ['core.ignorecase', ['false']],
  ['core.precomposeunicode', ['false']],
  ['extensions.objectformat', ['sha1', 'sha256']],
  ['gc.pruneexpire', ['never']],
]);

/**
 * True when `configText` is a plain config: `[section]` headers and `key = value` lines
 * of the keys above with the values above (comments and blank lines allowed). Anything
 * the simple reading cannot be sure of (subsections, includes, quoting, continuations)
 * makes it not plain.
 *
 * @example
 * isPlainRepoConfig('[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n'); // true
 */
export function isPlainRepoConfig(configText: string): boolean {
  let section: string | null = null;
  for (const raw of configText.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([A-Za-z0-9.-]+)\]$/.exec(line);
    if (header) {
      section = header[1]!.toLowerCase();
      continue;
    }
    const setting = /^([A-Za-z][A-Za-z0-9-]*)\s*=\s*([A-Za-z0-9]+)$/.exec(line);
    if (!setting || section === null) return false;
    const allowed = PLAIN_VALUES.get(`${section}.${setting[1]!.toLowerCase()}`);
    if (!allowed?.includes(setting[2]!.toLowerCase())) return false;
  }
  return true;
}

/** Whether in-process plumbing gives what git gives in the private repo at `gitDir` (see the file's comment); read on every call (cheap, and a config can change). */
export async function plainPlumbingRepo(gitDir: string): Promise<boolean> {
  if (existsSync(join(gitDir, 'info', 'attributes'))) return false;
  // A small file read synchronously: no trip through the thread pool.
  let config: string;
  try {
    config = readFileSync(join(gitDir, 'config'), 'utf8');
  } catch {
    return false;
  }
  return isPlainRepoConfig(config);
}

/** True when a path of a tree is an attributes file (checkouts and hashing then follow it: left to git). */
export function isAttributesPath(path: string): boolean {
  return path === '.gitattributes' || path.endsWith('/.gitattributes');
}
