/**
 * Handing a trial back to the user: as a patch file (always), or as a branch of the
 * user's repository (recipes in git only). Neither touches the user's working copy,
 * index or HEAD.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutolabError } from '../core/errors.ts';
import type { BaselineSource } from './baseline.ts';
import { git, gitResult, zeroOidLike } from './git.ts';
import type { UserRepoLocation } from './user-repo.ts';

/** A trial's change against the baseline, ready to write to a file. */
export interface ExportedPatch {
  /** Binary-safe unified diff; paths relative to the recipe folder. */
  patch: string;
  /** How to apply it to the user's recipe (mentions `--directory` for a subfolder recipe). */
  applyHint: string;
}

export interface ExportedBranch {
  /** The branch name (as given; its ref is `refs/heads/<branch>`). */
  branch: string;
  /** The new commit in the user's repository. */
  commit: string;
}

/** The instruction printed beside an exported patch. */
export function applyHintFor(repo: string, location: UserRepoLocation | null, patchFile = 'PATCH_FILE'): string {
  const file = shellQuote(patchFile);
  if (location === null) return `cd ${shellQuote(repo)} && git apply ${file}   (or: patch -p1 < ${file})`;
  if (location.prefix === '') return `cd ${shellQuote(location.toplevel)} && git apply ${file}`;
  return `cd ${shellQuote(location.toplevel)} && git apply --directory=${shellQuote(location.prefix)} ${file}`;
}

export interface ExportBranchRequest {
  /** The trial's change against the baseline (from the private repo). */
  patch: string;
  source: BaselineSource;
  location: UserRepoLocation | null;
  branchName: string;
  /** The commit message (the trial's hypothesis). */
  message: string;
}

/**
 * Creates `refs/heads/<branchName>` in the user's repository: the baseline's source
 * commit plus the trial's diff at the recipe's prefix, built in a temporary index.
 * Refuses when the branch exists or the recipe is a plain folder.
 */
export async function exportBranchToUserRepo(request: ExportBranchRequest): Promise<ExportedBranch> {
  const { source, location, branchName } = request;
  if (source.kind !== 'git' || location === null) {
    throw new AutolabError('ExportError', 'the recipe is a plain folder (not in git), so there is no repository to put a branch in', {
      hint: 'export the trial as a patch instead: `autolab export --patch FILE`',
    });
  }
  const user = { cwd: location.toplevel, profile: 'user' as const };
  const ref = `refs/heads/${branchName}`;
  const valid = await gitResult(['check-ref-format', ref], user);
  if (valid.exitCode !== 0 || branchName.startsWith('-')) {
    throw new AutolabError('ExportError', `'${branchName}' is not a valid branch name`, { hint: 'see `git help check-ref-format`' });
  }
  const existing = await gitResult(['rev-parse', '--verify', '--quiet', ref], user);
  if (existing.exitCode === 0) throw branchExists(branchName, location.toplevel);
  const scratch = await mkdtemp(join(tmpdir(), 'autolab-export-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    await git(['read-tree', source.commit], { ...user, env });
    if (request.patch.trim() !== '') {
      const directory = location.prefix === '' ? [] : [`--directory=${location.prefix}`];
      const applied = await gitResult(['apply', '--cached', '--whitespace=nowarn', ...directory, '-'], { ...user, env, input: request.patch });
      if (applied.exitCode !== 0) {
        throw new AutolabError('ExportError', `the trial's diff does not apply to ${source.commit.slice(0, 12)}: ${applied.stderr.trim()}`);
      }
    }
    const tree = (await git(['write-tree'], { ...user, env })).trim();
    const message = `${request.message.trim() || 'autolab trial'}\n`;
    const commit = (await git(['commit-tree', tree, '-p', source.commit, '-F', '-'], { ...user, input: message })).trim();
    const updated = await gitResult(['update-ref', '-m', 'autolab export', ref, commit, zeroOidLike(commit)], user);
    if (updated.exitCode !== 0) throw branchExists(branchName, location.toplevel);
    return { branch: branchName, commit };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function branchExists(name: string, toplevel: string): AutolabError {
  return new AutolabError('ExportError', `branch '${name}' already exists in ${toplevel}`, {
    hint: 'choose another name with --branch, or delete the old branch first (`git branch -D NAME`)',
  });
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
