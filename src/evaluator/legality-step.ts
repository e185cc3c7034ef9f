/**
 * The legality phase, no compute spent: the trial's own edit (surface, protected and
 * state paths, sizes), its whole tree against the baseline (protected and state paths,
 * file sizes, symlink escapes: nothing an ancestor slipped in passes on), its lineage (no
 * illegal ancestor), duplicate trees, then the task's own legality command, run from the
 * evaluator's checkout on the trial's tree.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NearestDuplicateSearch } from '../core/diff-similarity.ts';
import { describeIllegalLineage, illegalInLineage } from '../core/lineage-legality.ts';
import type { TrialFacts } from '../core/outcome.ts';
import type { TaskSpec } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import { recipeRelativeStatePaths } from '../layout/state-paths.ts';
import { checkCumulative, checkLegality } from './legality.ts';
import { lastLines, runPhase } from './phase-runner.ts';
import type { StudyRuntime } from './study-runtime.ts';
import { enterPhase, isBlocked, msSince, withTimings, type TrialEvidence, type TrialJob } from './trial-evidence.ts';

/**
 * Judges an applied edit: `illegal`, `sizeExceeded`, `duplicateOf`, or (the task's
 * legality command stopped) `interrupted`. Skipped for the baseline and for edits that
 * did not apply; sets `legalityMs`.
 */
export async function legalityStep(job: TrialJob, evidence: TrialEvidence): Promise<TrialEvidence> {
  const { runtime, trial } = job;
  const { worktree, changed, diff, commit, parentCommit } = evidence;
  if (trial.id === 0 || worktree === null || changed === null || diff === null || commit === null) return evidence;
  enterPhase(job, 'legality');
  const t0 = performance.now();
  const surface = surfaceOf(runtime.task, trial.specialist);
  const statePaths = studyStatePaths(runtime);
  const { task } = runtime;
  const own = checkLegality({ changed, diffBytes: Buffer.byteLength(diff), surfacePaths: surface.paths, surfaceName: surface.name, protectedPaths: task.protected, statePaths, limits: task.limits });
  const sinceBaseline = parentCommit === runtime.baselineCommit ? { changed, diff } : await runtime.workspace.changesBetween(runtime.baselineCommit, commit);
  const whole = parentCommit === runtime.baselineCommit ? { illegal: [], sizeExceeded: [] } : checkCumulative({ changed: sinceBaseline.changed, protectedPaths: task.protected, statePaths, limits: task.limits });
  const escapes = await runtime.workspace.symlinkEscapes(worktree, sinceBaseline.changed);
  const lineage = trial.parent === null ? null : illegalInLineage(trial.parent, await runtime.store.listAncestors(runtime.studyId, trial.parent));
  const illegal = [...new Set([...own.illegal, ...whole.illegal, ...escapes, ...(lineage ? [describeIllegalLineage(trial.id, lineage)] : [])])];
  let facts: TrialFacts = { ...evidence.facts, illegal, sizeExceeded: [...new Set([...own.sizeExceeded, ...whole.sizeExceeded])] };
  if (!isBlocked(facts) && evidence.tree !== null) {
    const duplicateOf = duplicateIn(await runtime.store.listTrials(runtime.studyId, { tree: evidence.tree }), trial.id, evidence.tree);
    if (duplicateOf !== null) facts = { ...facts, duplicateOf };
  }
  if (!isBlocked(facts) && facts.duplicateOf === undefined && task.nearDuplicates !== undefined) {
    // Only a task with near_duplicates reads every earlier trial's diff (a page at a time).
    const near = await nearDuplicateIn(task, runtime, trial, diff);
    if (near !== null) facts = { ...facts, nearDuplicateOf: near };
  }
  if (!isBlocked(facts) && task.legality) facts = { ...facts, ...(await legalityCommand(job, worktree, sinceBaseline.diff)) };
  return withTimings({ ...evidence, facts }, { legalityMs: msSince(t0) });
}

/**
 * The task's own legality command, from the evaluator's checkout of the baseline (so a
 * trial cannot change the checker), with the trial's tree as `$AUTOLAB_WORKTREE`
 * (read-only under the sandbox) and its cumulative diff from the baseline in the file
 * `$AUTOLAB_DIFF`.
 */
async function legalityCommand(job: TrialJob, worktree: string, diffSinceBaseline: string): Promise<TrialFacts> {
  const { runtime, trial } = job;
  const spec = runtime.task.legality!;
  const diffFile = runtime.paths.repeatFile(trial.id, 0, 'legality', '.diff');
  await mkdir(dirname(diffFile), { recursive: true });
  await writeFile(diffFile, diffSinceBaseline);
  const target = { trialId: trial.id, seed: trial.seed, cwd: runtime.evaluatorDir, logFile: runtime.paths.log(trial.id, 'legality'), worktree, diffFile };
  const check = await runPhase(runtime, 'legality', spec, target, job.slot, job.signal);
  if (check.aborted) return { interrupted: 'stopped during the legality check' };
  if (check.spawnError) return { infraError: `the legality command could not start: ${check.spawnError}` };
  if (check.exitCode !== 0) return { illegal: [`the task's legality command rejected the edit: ${lastLines(check.outputTail, 10)}`] };
  return {};
}

/** The recipe-relative paths where this study keeps state besides `.autolab/`: the task file and the store file, when inside the recipe. */
export function studyStatePaths(runtime: Pick<StudyRuntime, 'task' | 'paths' | 'storeFile'>): string[] {
  const absolute = [runtime.paths.state, runtime.task.taskFile, ...(runtime.storeFile ? [runtime.storeFile, `${runtime.storeFile}-wal`, `${runtime.storeFile}-shm`] : [])];
  return recipeRelativeStatePaths(runtime.task.repo, absolute);
}

/** Edit radius of a trial's specialist: its surface's globs, or null (any unprotected path). */
export function surfaceOf(task: TaskSpec, specialistName: string): { name: string | null; paths: string[] | null } {
  const spec = task.specialists.find((specialist) => specialist.name === specialistName);
  const surface = spec ? task.surfaces[spec.surface] : undefined;
  if (!surface) return { name: null, paths: null };
  return { name: surface.name, paths: surface.paths };
}

/** Specialist kinds whose edits are programs (compared by diff similarity); knobs edits differ only in numbers. */
const PROGRAM_EDIT_KINDS: ReadonlySet<string> = new Set(['llm', 'command', 'combine', 'ablate']);

/** Trials whose diffs are compared per query (`near_duplicates`): memory bounded by a page, not the study. */
const NEAR_DUPLICATE_PAGE = 250;

/** With `near_duplicates`, the earlier trial (that counts) whose diff is most like a program edit's, at or above the threshold. */
async function nearDuplicateIn(task: TaskSpec, runtime: Pick<StudyRuntime, 'store' | 'studyId'>, trial: TrialRecord, diff: string): Promise<{ trial: number; similarity: number; threshold: number } | null> {
  const threshold = task.nearDuplicates;
  if (threshold === undefined || diff === '') return null;
  const kind = task.specialists.find((specialist) => specialist.name === trial.specialist)?.kind;
  if (kind === undefined || !PROGRAM_EDIT_KINDS.has(kind)) return null;
  const search = new NearestDuplicateSearch(diff, threshold);
  for (let afterId = -1; ; ) {
    const page = await runtime.store.listTrials(runtime.studyId, { afterId, limit: NEAR_DUPLICATE_PAGE });
    const earlier = page.filter((other) => other.id !== trial.id && other.id !== 0 && other.diff && other.label !== 'interrupted' && other.label !== 'infra_error' && other.label !== 'apply_failed');
    search.consider(earlier.map((other) => ({ id: other.id, diff: other.diff! })));
    if (page.length < NEAR_DUPLICATE_PAGE) break;
    afterId = page.at(-1)!.id;
  }
  return search.best === null ? null : { trial: search.best.id, similarity: search.best.similarity, threshold };
}

/** An earlier trial with the same tree that counts (not interrupted, not a machine fault, applied). */
function duplicateIn(trials: readonly TrialRecord[], trialId: number, tree: string): number | null {
  for (const other of trials) {
    if (other.id === trialId || other.tree !== tree) continue;
    if (other.label === 'interrupted' || other.label === 'infra_error' || other.label === 'apply_failed') continue;
    return other.id;
  }
  return null;
}
