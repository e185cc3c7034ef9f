/**
 * Importing the baseline from the user's repository: only the committed content of the
 * recipe folder at one revision, copied object by object into the private repo (the
 * user's work tree, index and refs are only read).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { AutolabWarning } from '../core/errors.ts';
import { AutolabError } from '../core/errors.ts';
import { git, gitPipe } from './git.ts';
import type { UserRepoLocation } from './user-repo.ts';

export type GitImport =
  | { kind: 'imported'; tree: string; sourceCommit: string; warnings: AutolabWarning[] }
  /** The revision or the folder does not exist in git (an unborn HEAD, an uncommitted folder). */
  | { kind: 'not-committed'; reason: string };

export interface GitImportOptions {
  /** The recipe folder (absolute). */
  repo: string;
  location: UserRepoLocation;
  /** The revision to import (default HEAD). */
  baseline: string;
  /** The private bare repo. */
  gitDir: string;
  /** `<root>/.autolab`; left out of the import when it lies inside the recipe folder. */
  stateDir: string;
}

/** How many uncommitted paths a warning names before it says "and N more". */
const NAMED_CHANGES = 10;

export async function importFromGit(options: GitImportOptions): Promise<GitImport> {
  const { location, baseline, gitDir } = options;
  if (baseline === '' || /\s/.test(baseline) || baseline.startsWith('-')) {
    throw new AutolabError('BaselineError', `invalid baseline revision '${baseline}'`, { hint: 'use a commit, branch or tag name' });
  }
  const top = { cwd: location.toplevel, profile: 'user' as const };
  const treeSpec = location.prefix === '' ? `${baseline}^{tree}` : `${baseline}:${location.prefix}`;
  const stateRelative = relative(options.repo, options.stateDir).split(sep).join('/');
  const stateInside = stateRelative !== '' && !stateRelative.startsWith('..') && !stateRelative.startsWith('/');
  const queries = [`${baseline}^{commit}`, treeSpec];
  if (stateInside) queries.push(location.prefix === '' ? `${baseline}:${stateRelative}` : `${treeSpec}/${stateRelative}`);
  const found = (await git(['cat-file', '--batch-check'], { ...top, input: `${queries.join('\n')}\n` })).split('\n');
  const commit = /^([0-9a-f]{40,64}) commit /.exec(found[0] ?? '')?.[1];
  if (!commit) return { kind: 'not-committed', reason: `revision '${baseline}' does not exist in ${location.toplevel}` };
  const tree = /^([0-9a-f]{40,64}) tree /.exec(found[1] ?? '')?.[1];
  if (!tree) {
    return { kind: 'not-committed', reason: `the recipe folder has no committed content at '${baseline}' (${commit.slice(0, 12)}) in ${location.toplevel}` };
  }
  const objects = await git(['rev-list', '--objects', tree], top);
  await gitPipe(
    { args: ['pack-objects', '--stdout', '-q'], options: { ...top, input: objects } },
    { args: ['index-pack', '--stdin'], options: { gitDir } },
  );
  const stateCommitted = stateInside && !/ missing$/.test(found[2] ?? ' missing');
  const importedTree = stateCommitted ? await dropPath(gitDir, tree, stateRelative) : tree;
  const warnings = await uncommittedChanges(options.repo, location, commit);
  return { kind: 'imported', tree: importedTree, sourceCommit: commit, warnings };
}

/** `tree` without `path` (the `.autolab` folder, should the user have committed it). */
async function dropPath(gitDir: string, tree: string, path: string): Promise<string> {
  // update-index insists on a work tree; an empty scratch folder serves (it is not read).
  const scratch = await mkdtemp(join(tmpdir(), 'autolab-import-'));
  const env = { GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    await git(['read-tree', tree], { gitDir, env });
    const files = await git(['ls-tree', '-r', '-z', '--name-only', tree, '--', path], { gitDir });
    await git(['update-index', '--force-remove', '-z', '--stdin'], { gitDir, workTree: scratch, cwd: scratch, env, input: files });
    return (await git(['write-tree'], { gitDir, env })).trim();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A warning naming uncommitted (or untracked) paths under the recipe folder, if any. */
async function uncommittedChanges(repo: string, location: UserRepoLocation, commit: string): Promise<AutolabWarning[]> {
  const status = await git(['status', '--porcelain', '-z', '--untracked-files=all', '--no-renames', '--', '.'], { cwd: repo, profile: 'user' });
  const entries = status.split('\0').filter((entry) => entry.length > 3);
  if (entries.length === 0) return [];
  const strip = location.prefix === '' ? '' : `${location.prefix}/`;
  const named = entries.slice(0, NAMED_CHANGES).map((entry) => {
    const code = entry.slice(0, 2).trim();
    const path = entry.slice(3);
    return `${code} ${path.startsWith(strip) ? path.slice(strip.length) : path}`;
  });
  const more = entries.length > NAMED_CHANGES ? `, and ${entries.length - NAMED_CHANGES} more` : '';
  return [
    {
      code: 'uncommitted_changes',
      message:
        `the baseline is commit ${commit.slice(0, 12)} as committed; ${entries.length} uncommitted change(s) under ${repo} ` +
        `are not part of it: ${named.join(', ')}${more} (commit them first if they should be measured)`,
    },
  ];
}
