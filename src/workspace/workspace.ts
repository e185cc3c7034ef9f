/**
 * autolab's private git workspace. autolab never writes to the user's working copy: it
 * keeps a private bare repo under `<root>/.autolab/` holding the baseline (trial 0) and
 * one commit per trial, checks trials out in worktrees beside it, and hands results back
 * only on an explicit export.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { mkdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AutolabWarning } from '../core/errors.ts';
import { AutolabError } from '../core/errors.ts';
import type { BaselineSource } from './baseline.ts';
import type { BaselineCommit } from './baseline.ts';
import { claimBaselineRef, commitBaseline, readBaseline } from './baseline.ts';
import type { ChangedPath } from './changed-paths.ts';
import type { ExportedBranch, ExportedPatch } from './export-trial.ts';
import { applyHintFor, exportBranchToUserRepo } from './export-trial.ts';
import { acquireFileLock } from './file-lock.ts';
import { CatFileBatch } from './cat-file-batch.ts';
import { checkoutInProcess } from './checkout-in-process.ts';
import { ObjectReader } from './object-reader.ts';
import { readBlobAt } from './read-blob-at.ts';
import { git, gitResult } from './git.ts';
import { importFromGit } from './import-from-git.ts';
import { workspaceLayout, type WorkspaceLayout } from '../layout/autolab-layout.ts';
import type { Materialised, MaterialiseFailure, MaterialiseOversize, MaterialiseRequest } from './materialise.ts';
import { materialiseEdit } from './materialise.ts';
import { assertPrivateRepoConfig } from './private-repo-config.ts';
import { readFilesAt, type BlobText, type FileAtCommit } from './read-files-at.ts';
import { snapshotFolder } from './snapshot-folder.ts';
import { symlinkEscapes } from './symlink-escapes.ts';
import { diffCommits, diffCommitsBatched } from './changed-paths.ts';
import { DiffTreeBatch } from './diff-tree-batch.ts';
import { diffInProcess } from './diff-in-process.ts';
import { plainPlumbingRepo } from './plumbing-eligibility.ts';
import { recipeRelativeStatePaths, statePathProblem } from '../layout/state-paths.ts';
import type { UserRepoLocation } from './user-repo.ts';
import { locateInUserRepo } from './user-repo.ts';
import { addWorktree, assertWorktreeName, discardWorktree, emptyWorktreeTrash, isPristineCheckout, moveWorktreeToTrash, pruneWorktreeFolders } from './worktrees.ts';

export interface OpenWorkspaceOptions {
  /** The folder of the task file; private state goes to `<root>/.autolab/`. */
  root: string;
  /** The recipe folder (absolute). */
  repo: string;
  /**
   * The revision to import when the recipe is in git (default `HEAD`). Only read when
   * the baseline is imported; later opens return the recorded baseline.
   */
  baseline?: string;
  /**
   * The study the workspace serves: its trial refs become
   * `refs/autolab/studies/<study>/trials/<id>` and its evaluator checkout
   * `.autolab/evaluators/<study>`, so studies of one task never overwrite each other.
   * Without it: `refs/autolab/trials/<id>` and `.autolab/evaluator`.
   */
  study?: string;
  /**
   * The baseline commit the store recorded for the study. A commit: reused (rebuilt
   * from its source if the private repo lost it; an error if that gives another commit).
   * `null` (the store has none yet, e.g. a new or `--fresh` study): the baseline is
   * imported now, even if the study's baseline ref exists. Absent: the recorded
   * baseline ref is reused when there is one.
   */
  baselineCommit?: string | null;
}

/** An opened workspace and the problems found while importing its baseline. */
export interface OpenedWorkspace {
  workspace: Workspace;
  /** Non-fatal problems (uncommitted changes left out, a large snapshot); empty on reopen. */
  warnings: AutolabWarning[];
}

/**
 * Opens (creating on first use) the private workspace of a recipe.
 *
 * The first open imports the baseline: for a recipe inside a git work tree, the
 * committed content of the recipe folder at `baseline` (uncommitted changes are named in
 * a warning, not imported); for a plain folder, a snapshot of its files. Later opens
 * return the recorded baseline without importing again.
 *
 * @example
 * const { workspace, warnings } = await openWorkspace({ root: '/proj', repo: '/proj/recipe' });
 * for (const warning of warnings) console.warn(warning.message);
 * const worktree = await workspace.createWorktree('trial-1', workspace.baselineCommit);
 * const result = await workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 1, edit });
 */
export async function openWorkspace(options: OpenWorkspaceOptions): Promise<OpenedWorkspace> {
  const repo = await existingFolder(options.repo, 'recipe folder');
  const root = await existingFolder(options.root, 'task folder');
  const layout = workspaceLayout(root, options.study);
  const baselineRef = `${layout.trialRefPrefix}0`;
  await mkdir(layout.stateDir, { recursive: true });
  const ignoreFile = join(layout.stateDir, '.gitignore');
  if (!existsSync(ignoreFile)) await writeFile(ignoreFile, '*\n');
  const open = (baseline: BaselineCommit, warnings: AutolabWarning[], location?: UserRepoLocation | null): OpenedWorkspace => {
    const workspace = new Workspace(root, repo, layout, baseline.commit, baseline.tree, baseline.source, warnings);
    if (location !== undefined) workspace.rememberLocation(location);
    return { workspace, warnings };
  };

  const wanted = options.baselineCommit;
  await assertPrivateRepoConfig(layout.gitDir);
  if (existsSync(join(layout.gitDir, 'HEAD')) && wanted !== null) {
    const existing = await readBaseline(layout.gitDir, wanted ?? baselineRef);
    if (existing) {
      if (wanted !== undefined) await git(['update-ref', '-m', 'autolab baseline', baselineRef, existing.commit], { gitDir: layout.gitDir });
      return open(existing, []);
    }
  }

  const location = await locateInUserRepo(repo);
  if (!existsSync(join(layout.gitDir, 'HEAD'))) await initPrivateRepo(layout.gitDir, location?.objectFormat ?? 'sha1');
  const { tree, source, warnings } = await importBaseline(repo, location, layout, options.baseline);
  const imported = await commitBaseline(layout.gitDir, tree, source);
  if (typeof wanted === 'string' && imported.commit !== wanted) {
    throw new AutolabError(
      'WorkspaceError',
      `the study's baseline commit ${wanted.slice(0, 12)} is missing from ${layout.gitDir}, and importing the recipe again gives ${imported.commit.slice(0, 12)}`,
      { hint: 'the private repo was deleted or the recipe changed since; start a new study (`autolab run --fresh`)' },
    );
  }
  if (wanted !== undefined) {
    await git(['update-ref', '-m', 'autolab baseline', baselineRef, imported.commit], { gitDir: layout.gitDir });
    return open(imported, warnings, location);
  }
  const claimed = await claimBaselineRef(layout.gitDir, baselineRef, imported);
  return open(claimed, claimed.commit === imported.commit ? warnings : [], location);
}

/**
 * Creates the private bare repo. Unreachable objects are never pruned: a trial's commit
 * stays readable by its id (kept in the store) even after its ref was reused.
 */
async function initPrivateRepo(gitDir: string, objectFormat: string): Promise<void> {
  await git(['init', '--bare', '--quiet', `--object-format=${objectFormat}`, gitDir]);
  await git(['config', 'gc.pruneExpire', 'never'], { gitDir });
}

/** Imports the recipe's tree into the private repo (git commit or folder snapshot). */
async function importBaseline(
  repo: string,
  location: UserRepoLocation | null,
  layout: WorkspaceLayout,
  revision: string | undefined,
): Promise<{ tree: string; source: BaselineSource; warnings: AutolabWarning[] }> {
  const warnings: AutolabWarning[] = [];
  const explicit = revision !== undefined && revision !== 'HEAD';
  if (location) {
    const fromGit = await importFromGit({ repo, location, baseline: revision ?? 'HEAD', gitDir: layout.gitDir, stateDir: layout.stateDir });
    if (fromGit.kind === 'imported') {
      return { tree: fromGit.tree, source: { kind: 'git', commit: fromGit.sourceCommit }, warnings: fromGit.warnings };
    }
    if (explicit) {
      throw new AutolabError('BaselineError', `cannot import the baseline: ${fromGit.reason}`, {
        hint: 'commit the recipe folder, or name an existing revision as the baseline',
      });
    }
    warnings.push({ code: 'baseline_not_committed', message: `${fromGit.reason}; the baseline is a snapshot of the folder's files instead` });
  } else if (explicit) {
    warnings.push({ code: 'baseline_ignored', message: `the recipe is not in git, so the baseline revision '${revision}' is ignored` });
  }
  const snapshot = await snapshotFolder(repo, layout.gitDir);
  return { tree: snapshot.tree, source: { kind: 'folder' }, warnings: [...warnings, ...snapshot.warnings] };
}

/**
 * A recipe's private workspace. Safe to use concurrently for different trials (each in
 * its own worktree); the user's repository is only read, except by `exportBranch`.
 */
export class Workspace {
  /** Problems found while importing the baseline (empty when it already existed). */
  readonly warnings: readonly AutolabWarning[];
  private userLocation: Promise<UserRepoLocation | null> | undefined;
  private evaluatorQueue: Promise<unknown> = Promise.resolve();
  /** Started on the first file read (readBytesAt) or packed object needed. */
  private catFile: CatFileBatch | undefined;
  /** Objects read in-process (checkouts, staging a files edit), packed ones through `catFile`. */
  private readonly objects: ObjectReader;
  /** A trial's diff without a git process each (started on first need). */
  private readonly differ: DiffTreeBatch;
  /** Removed worktrees still being deleted in the background (`settle` waits for them). */
  private readonly removals = new Set<Promise<void>>();

  constructor(
    /** The folder of the task file (real path). */
    readonly root: string,
    /** The recipe folder (real path). */
    readonly repo: string,
    readonly layout: WorkspaceLayout,
    /** Trial 0's commit in the private repo. */
    readonly baselineCommit: string,
    readonly baselineTree: string,
    /** The user's commit (or folder snapshot) the baseline was imported from. */
    readonly baselineSource: BaselineSource,
    warnings: readonly AutolabWarning[],
  ) {
    this.warnings = warnings;
    this.objects = new ObjectReader(layout.gitDir, () => (this.catFile ??= new CatFileBatch(layout.gitDir)));
    this.differ = new DiffTreeBatch(layout.gitDir);
  }

  /** The private bare repo (`<root>/.autolab/repo.git`). */
  get gitDir(): string {
    return this.layout.gitDir;
  }

  /** @internal Caches the user repo location found while opening. */
  rememberLocation(location: UserRepoLocation | null): void {
    this.userLocation = Promise.resolve(location);
  }

  /**
   * The evaluator's checkout of the baseline, `<root>/.autolab/evaluator`, from which the
   * score phase runs (the baseline's copy of protected files). Read-only by convention:
   * it is (re)created when missing, not at the baseline, or its tracked files were
   * modified. Calls are serialised.
   */
  evaluatorDir(): Promise<string> {
    const path = this.layout.evaluatorDir;
    const next = this.evaluatorQueue.then(async () => {
      if (await isPristineCheckout(path, this.baselineCommit)) return path;
      // Another process opening the same study may be making it right now.
      const release = await acquireFileLock(`${path}.lock`, 120_000);
      try {
        if (await isPristineCheckout(path, this.baselineCommit)) return path;
        await discardWorktree(this.gitDir, path);
        await addWorktree(this.gitDir, path, this.baselineCommit);
        return path;
      } finally {
        await release();
      }
    });
    this.evaluatorQueue = next.catch(() => undefined);
    return next;
  }

  /** Where the worktree called `name` lives (whether or not it exists). */
  worktreePath(name: string): string {
    assertWorktreeName(name);
    return join(this.layout.worktreesDir, name);
  }

  /**
   * Checks `commit` out, detached, at `.autolab/worktrees/<name>` and returns that path;
   * a folder left there by a dead run is removed first. Always a fresh folder, written
   * in-process where that gives exactly git's checkout (`checkout-in-process.ts`), else
   * by `git worktree add`.
   */
  async createWorktree(name: string, commit: string): Promise<string> {
    const path = this.worktreePath(name);
    // One synchronous mkdir (no trip through the thread pool, where the background removal of earlier worktrees may queue).
    mkdirSync(this.layout.worktreesDir, { recursive: true });
    if (!(await checkoutInProcess(this.gitDir, path, commit, this.objects))) await addWorktree(this.gitDir, path, commit);
    return path;
  }

  /**
   * Removes the worktree `name` (its folder and git's record of it): once this resolves,
   * neither is there and the name can be used again. A worktree of ours is moved out of
   * the way with two renames and deleted in the background (`settle` waits for that; a
   * driver killed meanwhile leaves it to `pruneWorktrees`); any other is removed before
   * this resolves.
   */
  async removeWorktree(name: string): Promise<void> {
    const path = this.worktreePath(name);
    const trash = moveWorktreeToTrash(this.gitDir, path, this.layout.worktreeTrashDir);
    if (trash === null) return discardWorktree(this.gitDir, path);
    const removal: Promise<void> = rm(trash, { recursive: true, force: true })
      .catch(() => undefined)
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }

  /**
   * Resolves once the worktrees removed so far are deleted from the disk too.
   *
   * @example
   * await workspace.removeWorktree('golf+3'); await workspace.settle();
   */
  async settle(): Promise<void> {
    while (this.removals.size > 0) await Promise.all([...this.removals]);
  }

  /**
   * Removes every worktree folder under `.autolab/worktrees` whose name starts with
   * `prefix` (default: all) and is not in `keep`, then `git worktree prune`; returns the
   * names removed. Removed worktrees still under `.autolab/worktrees.removing` go too. For cleanup after a killed driver; pass the study's worktree name
   * prefix so that other studies' live worktrees are spared.
   */
  async pruneWorktrees(keep: readonly string[], prefix = ''): Promise<string[]> {
    // The removals a killed driver left half done (ours in flight are deleted twice, harmlessly).
    await emptyWorktreeTrash(this.layout.worktreeTrashDir);
    return pruneWorktreeFolders(this.gitDir, this.layout.worktreesDir, keep, prefix);
  }

  /**
   * Applies `edit` in `worktree` (checked out at `parentCommit`), commits it as
   * `refs/autolab/trials/<trialId>` and returns the commit, its tree, git's diff against
   * the parent and the changed paths. An edit git cannot apply (or a `files` edit with an
   * unsafe path) yields `{ error }` (the engine labels it `apply_failed`); an empty edit
   * yields a commit whose tree is the parent's (the engine labels it `duplicate`). With
   * `limits`, an edit over them yields `{ oversize }` and stores nothing (no objects, no ref).
   */
  materialise(request: MaterialiseRequest & { limits: NonNullable<MaterialiseRequest['limits']> }): Promise<Materialised | MaterialiseFailure | MaterialiseOversize>;
  materialise(request: MaterialiseRequest & { limits?: undefined }): Promise<Materialised | MaterialiseFailure>;
  materialise(request: MaterialiseRequest): Promise<Materialised | MaterialiseFailure | MaterialiseOversize> {
    return materialiseEdit(this.gitDir, `${this.layout.trialRefPrefix}${request.trialId}`, request, { reader: this.objects, differ: this.differ });
  }

  /** The commit of a trial (its ref `refs/autolab/[studies/<study>/]trials/<id>`), or null when it has none. */
  async trialCommit(trialId: number): Promise<string | null> {
    const result = await gitResult(['rev-parse', '--verify', '--quiet', `${this.layout.trialRefPrefix}${trialId}^{commit}`], { gitDir: this.gitDir });
    return result.exitCode === 0 ? result.stdout.toString('utf8').trim() : null;
  }

  /** A file's text at a commit of the private repo; null when absent (or a folder). */
  async readFileAt(commit: string, path: string): Promise<string | null> {
    const bytes = await this.readBytesAt(commit, path);
    return bytes === null ? null : bytes.toString('utf8');
  }

  /**
   * Many files at many commits at once (two git processes per 500 requests), each with its
   * blob id; blobs in `known` come back without their text (see `readFilesAt`).
   */
  readFilesAt(requests: readonly FileAtCommit[], known?: ReadonlySet<string>): Promise<BlobText[]> {
    return readFilesAt(this.gitDir, requests, known);
  }

  /** A file's bytes at a commit of the private repo; null when absent (or a folder). */
  async readBytesAt(commit: string, path: string): Promise<Buffer | null> {
    if (/[\n\r\0]/.test(path) || /[\n\r\0]/.test(commit)) return null;
    const clean = path.replace(/^(?:\.\/)+/, '');
    // In-process where the answer is certain (read-blob-at.ts), else one long-lived `git cat-file --batch` answers (no git process per file).
    const inProcess = await readBlobAt(this.objects, commit, clean);
    if (inProcess !== undefined) return inProcess;
    this.catFile ??= new CatFileBatch(this.gitDir);
    const found = await this.catFile.read(`${commit}:${clean}`);
    return found?.type === 'blob' ? found.bytes : null;
  }

  /** The tree id of a commit. */
  async treeOf(commit: string): Promise<string> {
    // A commit's tree read in-process; anything else (a tag, a short id) is git's to peel.
    const tree = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(commit) ? await this.objects.treeOfCommit(commit) : null;
    if (tree !== null) return tree;
    return (await git(['rev-parse', '--verify', '--end-of-options', `${commit}^{tree}`], { gitDir: this.gitDir })).trim();
  }

  /** `git diff --no-renames --binary a b` between two commits of the private repo. */
  diffBetween(a: string, b: string): Promise<string> {
    return git(['diff-tree', '-r', '-p', '--binary', '--no-renames', a, b], { gitDir: this.gitDir });
  }

  /**
   * The changed paths and the diff between two commits of the private repo (e.g. the
   * baseline and a trial: its cumulative change): in-process where that is certain to
   * give git's bytes (`diff-in-process.ts`), else from the long-lived differ.
   */
  async changesBetween(a: string, b: string): Promise<{ changed: ChangedPath[]; diff: string }> {
    const full = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
    if (!full.test(a) || !full.test(b)) return diffCommits(this.gitDir, a, b);
    const inProcess = (await plainPlumbingRepo(this.gitDir)) ? await diffInProcess(this.gitDir, this.objects, a, b) : null;
    return inProcess ?? diffCommitsBatched(this.differ, this.gitDir, a, b, [join(this.gitDir, 'objects')]);
  }

  /**
   * Changed symlinks (mode 120000) in `worktree` whose target is absolute or resolves
   * outside the recipe, one message each.
   */
  symlinkEscapes(worktree: string, changed: readonly ChangedPath[]): Promise<string[]> {
    return symlinkEscapes(worktree, changed);
  }

  /**
   * The trial's change against the baseline as a patch, with paths relative to the
   * recipe folder, and how to apply it (`git apply --directory=<prefix>` at the top of
   * the user's repo when the recipe is a subfolder); `patchFile` names the file in the hint.
   */
  async exportPatch(trialCommit: string, patchFile = 'PATCH_FILE'): Promise<ExportedPatch> {
    const patch = await this.exportableDiff(trialCommit);
    return { patch, applyHint: applyHintFor(this.repo, await this.location(), patchFile) };
  }

  /**
   * Creates branch `branchName` in the user's repository: the baseline's source commit
   * plus the trial's diff, committed with `message` (the trial's hypothesis). The user's
   * working copy, index and HEAD are not touched. Throws for a plain-folder recipe (use
   * `exportPatch`) or when the branch already exists.
   */
  async exportBranch(trialCommit: string, branchName: string, message: string): Promise<ExportedBranch> {
    const location = this.baselineSource.kind === 'git' ? await this.location() : null;
    const patch = this.baselineSource.kind === 'git' ? await this.exportableDiff(trialCommit) : '';
    return exportBranchToUserRepo({ patch, source: this.baselineSource, location, branchName, message });
  }

  /**
   * The trial's diff against the baseline, refused (`ExportError`) when it touches a path
   * where autolab keeps state (a `.autolab` folder): checked out, it would overwrite the
   * private repo or the held-out data. Such a trial is illegal; this is the last guard.
   */
  private async exportableDiff(trialCommit: string): Promise<string> {
    const { changed, diff } = await diffCommits(this.gitDir, this.baselineCommit, trialCommit);
    const statePaths = recipeRelativeStatePaths(this.repo, [this.layout.stateDir]);
    const refused = changed.filter((change) => statePathProblem(change.path, statePaths) !== null).map((change) => change.path);
    if (refused.length > 0) {
      throw new AutolabError('ExportError', `the trial changes paths where autolab keeps study state (${refused.slice(0, 5).join(', ')}${refused.length > 5 ? ', ...' : ''}); it is never exported`, {
        hint: 'export a trial that leaves .autolab/ alone (such a trial is recorded as an illegal edit)',
      });
    }
    return diff;
  }

  private location(): Promise<UserRepoLocation | null> {
    this.userLocation ??= this.baselineSource.kind === 'git' ? locateInUserRepo(this.repo) : Promise.resolve(null);
    return this.userLocation;
  }
}

async function existingFolder(path: string, what: string): Promise<string> {
  const absolute = resolve(path);
  const stats = await stat(absolute).catch(() => null);
  if (!stats?.isDirectory()) {
    throw new AutolabError('WorkspaceError', `the ${what} ${absolute} does not exist or is not a folder`);
  }
  return realpath(absolute);
}
