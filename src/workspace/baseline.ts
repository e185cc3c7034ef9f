/**
 * The baseline (trial 0) in the private repo: reading a recorded one, and recording a
 * freshly imported tree exactly once (also when two processes open the workspace at the
 * same time). Baseline commits are deterministic: the same source imports to the same
 * commit, so studies of one task share it and a lost private repo can be rebuilt.
 */
import { AutolabError } from '../core/errors.ts';
import { git, gitResult, zeroOidLike } from './git.ts';

/** Where the baseline came from. */
export type BaselineSource =
  /** A commit of the user's repository (only its recipe folder was imported). */
  | { kind: 'git'; commit: string }
  /** A snapshot of a plain folder's files. */
  | { kind: 'folder' };

export interface BaselineCommit {
  /** The baseline commit in the private repo. */
  commit: string;
  tree: string;
  source: BaselineSource;
}

const MESSAGE_PREFIX = 'autolab baseline from ';
const FOLDER_SOURCE = 'folder snapshot';
/** Fixed author and committer date of baseline commits (2000-01-01), for determinism. */
const BASELINE_DATE = '946684800 +0000';

/**
 * The baseline commit that `revision` (a ref or commit id) names in the private repo;
 * null when it does not exist. Throws when it exists but is not a baseline commit.
 */
export async function readBaseline(gitDir: string, revision: string): Promise<BaselineCommit | null> {
  const result = await gitResult(['cat-file', '--batch'], { gitDir, input: `${revision}\n` });
  if (result.exitCode !== 0) throw new AutolabError('GitError', `cannot read the baseline in ${gitDir}: ${result.stderr.trim()}`);
  const text = result.stdout.toString('utf8');
  const header = /^([0-9a-f]{40,64}) (\w+) \d+\n/.exec(text);
  if (!header) return null;
  const commit = header[1] as string;
  const tree = header[2] === 'commit' ? /^tree ([0-9a-f]{40,64})$/m.exec(text)?.[1] : undefined;
  const body = text.slice(text.indexOf('\n\n') + 2);
  const from = body.startsWith(MESSAGE_PREFIX) ? body.slice(MESSAGE_PREFIX.length).split('\n')[0]?.trim() : undefined;
  if (!tree || from === undefined) {
    throw new AutolabError('WorkspaceError', `${revision} in ${gitDir} is not an autolab baseline commit`, {
      hint: 'the private repo is damaged; delete the .autolab folder beside the task file to start over',
    });
  }
  const source: BaselineSource = /^[0-9a-f]{40,64}$/.test(from) ? { kind: 'git', commit: from } : { kind: 'folder' };
  return { commit, tree, source };
}

/** The (deterministic) baseline commit of `tree` imported from `source`. */
export async function commitBaseline(gitDir: string, tree: string, source: BaselineSource): Promise<BaselineCommit> {
  const message = `${MESSAGE_PREFIX}${source.kind === 'git' ? source.commit : FOLDER_SOURCE}\n`;
  const env = { GIT_AUTHOR_DATE: BASELINE_DATE, GIT_COMMITTER_DATE: BASELINE_DATE };
  const commit = (await git(['commit-tree', tree, '-F', '-'], { gitDir, input: message, env })).trim();
  return { commit, tree, source };
}

/**
 * Points `ref` at `baseline.commit` unless `ref` already exists; resolves with the
 * baseline `ref` names afterwards (the existing one when another process won).
 */
export async function claimBaselineRef(gitDir: string, ref: string, baseline: BaselineCommit): Promise<BaselineCommit> {
  const update = await gitResult(['update-ref', '-m', 'autolab baseline', ref, baseline.commit, zeroOidLike(baseline.commit)], { gitDir });
  if (update.exitCode === 0) return baseline;
  const existing = await readBaseline(gitDir, ref);
  if (existing) return existing;
  throw new AutolabError('GitError', `cannot record the baseline in ${gitDir}: ${update.stderr.trim()}`);
}
