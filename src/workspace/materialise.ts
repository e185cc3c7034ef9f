/**
 * Materialise: turn a proposed edit into a commit of the private repo. The edit is
 * applied in the trial's worktree (checked out at the parent commit), only the paths
 * the edit touched are staged (never build outputs lying in the worktree), and the
 * trial's diff and changed paths are recomputed from git.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { AutolabError } from '../core/errors.ts';
import type { Edit } from '../core/trial.ts';
import type { ChangedPath } from './changed-paths.ts';
import { diffCommits, diffCommitsBatched } from './changed-paths.ts';
import { surelyWithinLimits } from './diff-bound.ts';
import { diffInProcess } from './diff-in-process.ts';
import type { DiffTreeBatch } from './diff-tree-batch.ts';
import { writeFilesEdit } from './files-edit.ts';
import { git, gitResult } from './git.ts';
import { commitBody, objectHashOf, writeLooseObject } from './loose-objects.ts';
import type { ObjectReader } from './object-reader.ts';
import { describeApplyFailure } from './patch-diagnosis.ts';
import { plainPlumbingRepo } from './plumbing-eligibility.ts';
import { isPlainRefName, updateRefFiles } from './ref-files.ts';
import { stageFilesInProcess } from './stage-files-in-process.ts';

const FULL_OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export interface MaterialiseRequest {
  /** The trial's worktree (from `createWorktree`), checked out at `parentCommit`. */
  worktree: string;
  parentCommit: string;
  edit: Edit;
  trialId: number;
  /** Commit message (the hypothesis); default `autolab trial <id>`. */
  message?: string;
  /**
   * Size limits checked before anything is stored: the edit's objects are written to a
   * quarantine and moved into the private repo only when no changed file is over
   * `maxFileBytes` and the diff is within `maxDiffBytes`.
   */
  limits?: { maxFileBytes: number; maxDiffBytes: number };
  /**
   * Called after each step with its name (`eligibility`, `bound`, `head`, `write`, `stage`,
   * `commit`, `diff`, `refs`): for a profile of where the time goes (bench:overhead);
   * a lap timer records the time since the previous call.
   */
  lap?: (step: string) => void;
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

/** The edit was over the size limits: nothing of it was stored (no objects, no ref). */
export interface MaterialiseOversize {
  oversize: string[];
}

/** The workspace's long-lived readers, for plumbing done without a git process per step. */
export interface PlumbingTools {
  reader: ObjectReader;
  differ: DiffTreeBatch;
}

/**
 * Materialises `request` and points `ref` (the trial's ref) at the new commit; see
 * `Workspace.materialise`. With `tools` (the workspace's object reader and differ), a
 * `files` edit is staged, its trees written and the refs moved in-process where that
 * gives exactly what git gives (`stage-files-in-process.ts`, `ref-files.ts`), an edit
 * surely within the limits skips the quarantine (`diff-bound.ts`), and the diff of
 * objects in the repo comes from the long-lived differ; git does the rest.
 */
export async function materialiseEdit(gitDir: string, ref: string, request: MaterialiseRequest, tools?: PlumbingTools): Promise<Materialised | MaterialiseFailure | MaterialiseOversize> {
  const { trialId, edit, limits } = request;
  if (!Number.isInteger(trialId) || trialId < 1) {
    throw new AutolabError('WorkspaceError', `invalid trial id ${trialId} (trial 0 is the baseline)`);
  }
  const lap = request.lap ?? (() => undefined);
  const plain = tools !== undefined && (await plainPlumbingRepo(gitDir)) ? tools : undefined;
  lap('eligibility');
  const hash = objectHashOf(request.parentCommit);
  const sure = limits === undefined || (plain !== undefined && edit.kind === 'files' && hash !== null && (await surelyWithinLimits(plain.reader, request.parentCommit, hash, edit.files, limits)));
  const quarantine = sure ? null : await openQuarantine(gitDir);
  lap('bound');
  try {
    const made = await commitEdit(gitDir, request, quarantine?.env ?? {}, plain);
    if ('error' in made) return made;
    const oversize = request.limits ? sizeProblems(made, request.limits) : [];
    if (oversize.length > 0) return { oversize };
    if (quarantine) await quarantine.migrate();
    lap('quarantine');
    // The trial's ref (shared) and the worktree's own HEAD, in one transaction.
    const admin = await adminDirOf(request.worktree);
    const inProcess = plain !== undefined && admin !== null && isRecordOf(gitDir, admin) && isPlainRefName(ref) && (await updateRefFiles([
      { file: join(gitDir, ref), reflog: join(gitDir, 'logs', ref), value: made.commit },
      { file: join(admin, 'HEAD'), reflog: join(admin, 'logs', 'HEAD'), value: made.commit },
    ]));
    if (!inProcess) await git(['update-ref', '--no-deref', '--stdin'], { cwd: request.worktree, input: `update ${ref} ${made.commit}\nupdate HEAD ${made.commit}\n` });
    lap('refs');
    return made;
  } finally {
    await quarantine?.discard();
  }
}

/** Applies the edit in the worktree and commits it (objects go wherever `env` says); returns the commit, its tree, diff and changed paths. */
async function commitEdit(gitDir: string, request: MaterialiseRequest, env: Record<string, string>, tools: PlumbingTools | undefined): Promise<Materialised | MaterialiseFailure> {
  const { worktree, edit, trialId } = request;
  const lap = request.lap ?? (() => undefined);
  const inWorktree = { cwd: worktree, env };
  const parentCommit = FULL_OID.test(request.parentCommit)
    ? request.parentCommit
    : (await git(['rev-parse', '--verify', '--end-of-options', `${request.parentCommit}^{commit}`], inWorktree)).trim();
  const adminDir = await assertCheckedOutAt(worktree, parentCommit);
  lap('head');
  // New objects land in the quarantine when there is one, else in the repo's own folder.
  const objectsDir = env.GIT_OBJECT_DIRECTORY ?? join(gitDir, 'objects');
  let tree: string | null = null;
  if (edit.kind === 'patch') {
    if (edit.patch.trim() !== '') {
      // --index: only the patched paths are staged. --recount: hunk line counts that a
      // model got wrong are inferred from the hunk itself (the content must still match).
      const applied = await gitResult(['apply', '--index', '--recount', '--whitespace=nowarn', '-'], { ...inWorktree, input: edit.patch });
      if (applied.exitCode !== 0) return { error: await describeApplyFailure(worktree, edit.patch, applied.stderr || `git apply exited with ${applied.exitCode}`) };
    }
  } else {
    const written = await writeFilesEdit(worktree, edit.files);
    lap('write');
    if ('error' in written) return written;
    const hash = objectHashOf(parentCommit);
    if (tools !== undefined && hash !== null && isRecordOf(gitDir, adminDir)) {
      tree = await stageFilesInProcess({ worktree, adminDir, parentCommit, hash, paths: written.paths, objectsDir, reader: tools.reader });
    }
    if (tree === null && written.paths.length > 0) {
      await git(['update-index', '--add', '--remove', '--replace', '-z', '--stdin'], {
        ...inWorktree,
        input: `${written.paths.join('\0')}\0`,
      });
    }
  }
  tree ??= (await git(['write-tree'], inWorktree)).trim();
  lap('stage');
  const message = `${request.message?.trim() || `autolab trial ${trialId}`}\n`;
  const commit = await writeCommit(objectsDir, tree, parentCommit, message, inWorktree);
  lap('commit');
  // Objects in the repo itself (no quarantine): the long-lived differ can see them.
  // In-process where the patch is certain to be git's (diff-in-process.ts), else the long-lived differ.
  const { diff, changed } = tools !== undefined && env.GIT_OBJECT_DIRECTORY === undefined
    ? ((await diffInProcess(gitDir, tools.reader, parentCommit, commit)) ?? (await diffCommitsBatched(tools.differ, gitDir, parentCommit, commit, [objectsDir])))
    : await diffCommits(gitDir, parentCommit, commit, env, [objectsDir]);
  lap('diff');
  return { commit, tree, diff, changed };
}

/** The commit of `tree` on `parent`: written in-process (no git process) when git would write the same object, else by `git commit-tree`. */
async function writeCommit(objectsDir: string, tree: string, parent: string, message: string, inWorktree: { cwd: string; env: Record<string, string> }): Promise<string> {
  const hash = objectHashOf(parent);
  const body = hash !== null && objectHashOf(tree) === hash ? commitBody(tree, parent, message, new Date()) : null;
  if (hash !== null && body !== null) return writeLooseObject(objectsDir, hash, 'commit', body);
  return (await git(['commit-tree', tree, '-p', parent, '-F', '-'], { ...inWorktree, input: message })).trim();
}

function sizeProblems(made: Materialised, limits: { maxFileBytes: number; maxDiffBytes: number }): string[] {
  const problems = made.changed.filter((change) => change.size > limits.maxFileBytes).map((change) => `${change.path}: ${change.size} bytes, over the file limit of ${limits.maxFileBytes}`);
  const diffBytes = Buffer.byteLength(made.diff);
  if (diffBytes > limits.maxDiffBytes) problems.push(`diff is ${diffBytes} bytes, over the limit of ${limits.maxDiffBytes}`);
  return problems;
}

/**
 * A folder beside the private repo's objects where git writes the objects of one edit
 * (`GIT_OBJECT_DIRECTORY`, the real objects as an alternate): `migrate` moves them in,
 * `discard` removes what is left (all of it, for an edit that was refused).
 */
async function openQuarantine(gitDir: string): Promise<{ env: Record<string, string>; migrate(): Promise<void>; discard(): Promise<void> }> {
  const objects = join(gitDir, 'objects');
  const dir = await mkdtemp(join(gitDir, 'autolab-incoming-'));
  return {
    env: { GIT_OBJECT_DIRECTORY: dir, GIT_ALTERNATE_OBJECT_DIRECTORIES: objects },
    async migrate() {
      for (const fanout of await readdir(dir)) {
        if (!/^[0-9a-f]{2}$/.test(fanout)) continue;
        await mkdir(join(objects, fanout), { recursive: true });
        for (const name of await readdir(join(dir, fanout))) {
          const target = join(objects, fanout, name);
          if (!existsSync(target)) await rename(join(dir, fanout, name), target);
        }
      }
    },
    discard: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A small file's text (a `.git` pointer, a HEAD) read synchronously, or `missing` when it cannot be read. */
function readSmallFile<T extends string | null = string>(file: string, missing: T = '' as T): string | T {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return missing;
  }
}

/** True when `adminDir` is a worktree record of the repo at `gitDir` (`<gitDir>/worktrees/<name>`). */
function isRecordOf(gitDir: string, adminDir: string): boolean {
  return dirname(resolve(adminDir)) === join(resolve(gitDir), 'worktrees');
}

/** The worktree's record in the private repo, named by its `.git` file; null when it has none. */
async function adminDirOf(worktree: string): Promise<string | null> {
  const pointer = readSmallFile(join(worktree, '.git')).trim();
  const adminDir = pointer.startsWith('gitdir: ') ? pointer.slice('gitdir: '.length) : undefined;
  return adminDir ? (isAbsolute(adminDir) ? adminDir : resolve(worktree, adminDir)) : null;
}

/** Reads the worktree's HEAD from its files (no git call), checks it is `commit`, and returns the worktree's record (admin folder). */
async function assertCheckedOutAt(worktree: string, commit: string): Promise<string> {
  const adminDir = await adminDirOf(worktree);
  const head = adminDir === null ? undefined : (readSmallFile(join(adminDir, 'HEAD'), null) ?? undefined)?.trim();
  if (head === undefined || adminDir === null) {
    throw new AutolabError('WorkspaceError', `${worktree} is not a worktree of the private repo`, {
      hint: 'create it with createWorktree(name, parentCommit)',
    });
  }
  if (head !== commit) {
    throw new AutolabError('WorkspaceError', `worktree ${worktree} is at ${head.slice(0, 12)}, not at the parent commit ${commit.slice(0, 12)}`, {
      hint: 'materialise each trial in a fresh worktree created at its parent commit',
    });
  }
  return adminDir;
}
