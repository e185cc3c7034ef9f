/**
 * The legality phase, no compute spent: surface globs, protected paths, size limits,
 * symlink escapes, duplicate trees, then the task's own legality command.
 */
import type { TrialFacts } from '../core/outcome.ts';
import type { TaskSpec } from '../core/task.ts';
import { checkLegality } from './legality.ts';
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
  const { worktree, changed, diff } = evidence;
  if (trial.id === 0 || worktree === null || changed === null || diff === null) return evidence;
  enterPhase(job, 'legality');
  const t0 = performance.now();
  const surface = surfaceOf(runtime.task, trial.specialist);
  const verdict = checkLegality({
    changed,
    diffBytes: Buffer.byteLength(diff),
    surfacePaths: surface.paths,
    surfaceName: surface.name,
    protectedPaths: runtime.task.protected,
    limits: runtime.task.limits,
  });
  const escapes = await runtime.workspace.symlinkEscapes(worktree, changed);
  let facts: TrialFacts = { ...evidence.facts, illegal: [...verdict.illegal, ...escapes], sizeExceeded: verdict.sizeExceeded };
  if (!isBlocked(facts) && evidence.tree !== null) {
    const duplicateOf = await findDuplicate(runtime, trial.id, evidence.tree);
    if (duplicateOf !== null) facts = { ...facts, duplicateOf };
  }
  if (!isBlocked(facts) && runtime.task.legality) facts = { ...facts, ...(await legalityCommand(job, worktree)) };
  return withTimings({ ...evidence, facts }, { legalityMs: msSince(t0) });
}

/** The task's own legality command, in the trial's worktree. */
async function legalityCommand(job: TrialJob, worktree: string): Promise<TrialFacts> {
  const { runtime, trial } = job;
  const spec = runtime.task.legality!;
  const check = await runPhase(runtime, 'legality', spec, { trialId: trial.id, seed: trial.seed, cwd: worktree, logFile: runtime.paths.log(trial.id, 'legality') }, job.slot, job.signal);
  if (check.aborted) return { interrupted: 'stopped during the legality check' };
  if (check.exitCode !== 0) return { illegal: [`the task's legality command rejected the edit: ${lastLines(check.outputTail, 10)}`] };
  return {};
}

/** Edit radius of a trial's specialist: its surface's globs, or null (any unprotected path). */
export function surfaceOf(task: TaskSpec, specialistName: string): { name: string | null; paths: string[] | null } {
  const spec = task.specialists.find((specialist) => specialist.name === specialistName);
  const surface = spec ? task.surfaces[spec.surface] : undefined;
  if (!surface) return { name: null, paths: null };
  return { name: surface.name, paths: surface.paths };
}

/** An earlier trial with the same tree that counts (not interrupted, not a machine fault, applied). */
export async function findDuplicate(runtime: Pick<StudyRuntime, 'store' | 'studyId'>, trialId: number, tree: string): Promise<number | null> {
  const trials = await runtime.store.listTrials(runtime.studyId);
  for (const other of trials) {
    if (other.id === trialId || other.tree !== tree) continue;
    if (other.label === 'interrupted' || other.label === 'infra_error' || other.label === 'apply_failed') continue;
    return other.id;
  }
  return null;
}
