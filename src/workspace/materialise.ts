/**
 * Materialise: turn a proposed edit into a commit of the private repo. The edit is
 * applied in the trial's worktree (checked out at the parent commit), only the paths
 * the edit touched are staged (never build outputs lying in the worktree), and the
 * trial's diff and changed paths are recomputed from git.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { AutolabError } from '../core/errors.ts';
import type { Edit } from '../core/trial.ts';
import type { ChangedPath } from './changed-paths.ts';
import { diffCommits } from './changed-paths.ts';
import { writeFilesEdit } from './files-edit.ts';
import { git, gitResult } from './git.ts';
import { describeApplyFailure } from './patch-diagnosis.ts';

const FULL_OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export interface MaterialiseRequest {
  /** The trial's worktree (from `createWorktree`), checked out at `parentCommit`. */
  worktree: string;
  parentCommit: string;
  edit: Edit;
  trialId: number;
  /** Commit message (the hypothesis); default `autolab trial <id>`. */
  message?: string;
}

export interface Materialised {
  commit: string;
  tree: string;
  /** `git diff --no-renames --binary <parent> <commit>`, recomputed by git. */
  diff: string;
  changed: ChangedPath[];
}

/** The edit could not be applied; `error` is git's (or the path check's) explanation. */
export interface MaterialiseFailure {
  error: string;
}

/**
 * Materialises `request` and points `ref` (the trial's ref) at the new commit; see
 * `Workspace.materialise`.
 */
export async function materialiseEdit(gitDir: string, ref: string, request: MaterialiseRequest): Promise<Materialised | MaterialiseFailure> {
  const { worktree, edit, trialId } = request;
  if (!Number.isInteger(trialId) || trialId < 1) {
    throw new AutolabError('WorkspaceError', `invalid trial id ${trialId} (trial 0 is the baseline)`);
  }
  const inWorktree = { cwd: worktree };
  const parentCommit = FULL_OID.test(request.parentCommit)
    ? request.parentCommit
    : (await git(['rev-parse', '--verify', '--end-of-options', `${request.parentCommit}^{commit}`], inWorktree)).trim();
  await assertCheckedOutAt(worktree, parentCommit);
  if (edit.kind === 'patch') {
    if (edit.patch.trim() !== '') {
      // --index: only the patched paths are staged. --recount: hunk line counts that a
      // model got wrong are inferred from the hunk itself (the content must still match).
      const applied = await gitResult(['apply', '--index', '--recount', '--whitespace=nowarn', '-'], { ...inWorktree, input: edit.patch });
      if (applied.exitCode !== 0) return { error: await describeApplyFailure(worktree, edit.patch, applied.stderr || `git apply exited with ${applied.exitCode}`) };
    }
  } else {
    const written = await writeFilesEdit(worktree, edit.files);
    if ('error' in written) return written;
    if (written.paths.length > 0) {
      await git(['update-index', '--add', '--remove', '--replace', '-z', '--stdin'], {
        ...inWorktree,
        input: `${written.paths.join('\0')}\0`,
      });
    }
  }
  const tree = (await git(['write-tree'], inWorktree)).trim();
  const message = `${request.message?.trim() || `autolab trial ${trialId}`}\n`;
  const commit = (await git(['commit-tree', tree, '-p', parentCommit, '-F', '-'], { ...inWorktree, input: message })).trim();
  // The trial's ref (shared) and the worktree's own HEAD, in one transaction.
  await git(['update-ref', '--no-deref', '--stdin'], {
    ...inWorktree,
    input: `update ${ref} ${commit}\nupdate HEAD ${commit}\n`,
  });
  const { diff, changed } = await diffCommits(gitDir, parentCommit, commit);
  return { commit, tree, diff, changed };
}

/** Reads the worktree's HEAD from its files (no git call) and checks it is `commit`. */
async function assertCheckedOutAt(worktree: string, commit: string): Promise<void> {
  let head: string | undefined;
  try {
    const pointer = (await readFile(join(worktree, '.git'), 'utf8')).trim();
    const adminDir = pointer.startsWith('gitdir: ') ? pointer.slice('gitdir: '.length) : undefined;
    if (adminDir) head = (await readFile(join(isAbsolute(adminDir) ? adminDir : resolve(worktree, adminDir), 'HEAD'), 'utf8')).trim();
  } catch {
    head = undefined;
  }
  if (head === undefined) {
    throw new AutolabError('WorkspaceError', `${worktree} is not a worktree of the private repo`, {
      hint: 'create it with createWorktree(name, parentCommit)',
    });
  }
  if (head !== commit) {
    throw new AutolabError('WorkspaceError', `worktree ${worktree} is at ${head.slice(0, 12)}, not at the parent commit ${commit.slice(0, 12)}`, {
      hint: 'materialise each trial in a fresh worktree created at its parent commit',
    });
  }
}
