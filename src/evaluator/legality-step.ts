/**
 * The legality phase, no compute spent: the trial's own edit (surface, protected and
 * state paths, sizes), its whole tree against the baseline (protected and state paths,
 * file sizes, symlink escapes: nothing an ancestor slipped in passes on), its lineage (no
 * illegal ancestor), duplicate trees, then the task's own legality command, run from the
 * evaluator's checkout on the trial's tree.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
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

/** An earlier trial with the same tree that counts (not interrupted, not a machine fault, applied). */
function duplicateIn(trials: readonly TrialRecord[], trialId: number, tree: string): number | null {
  for (const other of trials) {
    if (other.id === trialId || other.tree !== tree) continue;
    if (other.label === 'interrupted' || other.label === 'infra_error' || other.label === 'apply_failed') continue;
    return other.id;
  }
  return null;
}
