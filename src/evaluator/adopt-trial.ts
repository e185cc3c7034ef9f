/**
 * Adopting a trial whose driver died while its jobs were queued, running or finished:
 * the new driver takes the trial over and finishes its lifecycle from what the dead one
 * left (its worktree, its recorded commit, its jobs), so that nothing that completed is
 * lost or run again.
 *
 * ```
 * adopt (owner, event) -> worktree (kept) -> preflight/run/score (jobs adopted) -> stopped?
 *       -> classify -> record
 * ```
 */
import { existsSync } from 'node:fs';
import type { TrialRecord } from '../core/trial.ts';
import { classifyStep } from './classify-step.ts';
import { recordStep } from './record-step.ts';
import { preflightStep, runStep, stoppedStep } from './run-steps.ts';
import type { SlotInfo, StudyRuntime } from './study-runtime.ts';
import { enterPhase, msSince, startingEvidence, withFacts, type TrialEvidence, type TrialJob } from './trial-evidence.ts';

/**
 * Whether a trial left unfinished by a dead driver can be adopted: it has a commit (it
 * got past materialise and legality; the baseline's is the study's) and the executor kept
 * commands it started (`adoptableLogs`, non-empty: e.g. Slurm jobs with their records).
 */
export function canAdopt(trial: TrialRecord, adoptableLogs: readonly string[]): boolean {
  return adoptableLogs.length > 0 && (trial.id === 0 || trial.commit !== null);
}

/**
 * Evaluates the rest of a trial a dead driver left unfinished, once this process owns it
 * (recovery claimed it, with `trial.adopted` in the audit log): its phase commands waiting
 * for the jobs the dead driver submitted, the others run now. Every outcome is decided by
 * `classifyOutcome` and recorded by `store.finishTrial`, as for any trial.
 *
 * @example
 * const recorded = await adoptTrial(runtime, orphan, { index: 0, gpu: null }, signal);
 */
export async function adoptTrial(runtime: StudyRuntime, trial: TrialRecord, slot: SlotInfo, signal: AbortSignal): Promise<TrialRecord> {
  const job: TrialJob = { runtime, trial, slot, signal, adopt: true };
  const started = performance.now();
  await runtime.store.updateTrial(runtime.studyId, trial.id, { status: 'running', owner: runtime.owner });
  const evidence = await gatherAdoptedEvidence(job);
  enterPhase(job, 'gates');
  const classified = classifyStep(runtime.task, evidence);
  enterPhase(job, 'record');
  // The trial's whole time: from its first start (under the dead driver) to now.
  const firstStart = trial.startedAt === null ? Number.NaN : Date.parse(trial.startedAt);
  return recordStep(job, evidence, classified, Number.isFinite(firstStart) ? Math.max(msSince(started), Date.now() - firstStart) : msSince(started));
}

/** The evidence of an adopted trial: the record's commit, the kept (or re-made) worktree, then the phases that spend compute. */
async function gatherAdoptedEvidence(job: TrialJob): Promise<TrialEvidence> {
  const { runtime, trial } = job;
  const commit = trial.id === 0 ? runtime.baselineCommit : trial.commit;
  let evidence: TrialEvidence = { ...startingEvidence(trial), commit, diff: trial.id === 0 ? '' : trial.diff };
  try {
    if (commit === null) return withFacts(evidence, { infraError: 'the adopted trial has no recorded commit' });
    const name = runtime.paths.worktreeName(trial.id);
    const path = runtime.workspace.worktreePath(name);
    const worktree = existsSync(path) ? path : await runtime.workspace.createWorktree(name, commit);
    evidence = { ...evidence, worktree, parentCommit: commit, tree: evidence.tree ?? (await runtime.workspace.treeOf(commit)) };
    enterPhase(job, 'run');
    evidence = await preflightStep(job, evidence);
    evidence = await runStep(job, evidence);
    evidence = stoppedStep(job, evidence);
  } catch (error) {
    evidence = withFacts(evidence, { infraError: error instanceof Error ? error.message : String(error) });
  } finally {
    if (evidence.worktree !== null) await runtime.workspace.removeWorktree(runtime.paths.worktreeName(trial.id)).catch(() => undefined);
  }
  return evidence;
}
