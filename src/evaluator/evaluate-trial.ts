/**
 * The lifecycle of one trial, as a sequence of named steps over explicit evidence:
 *
 * ```
 * start -> parent -> worktree -> materialise -> legality -> (stored) -> preflight -> smoke -> run -> stopped?
 *       -> classify (gates, classifyOutcome) -> record (accept + finishTrial)
 * ```
 *
 * Each step takes the trial's evidence and returns a new one; `gatherEvidence` is the
 * one place that threads it through, turns a thrown error into the machine's fault
 * (`infra_error`) and removes the worktree.
 */
import type { TrialRecord } from '../core/trial.ts';
import { feedbackStep } from './feedback-step.ts';
import { legalityStep } from './legality-step.ts';
import { materialiseStep, parentStep, worktreeStep } from './materialise-step.ts';
import { materialisedStep, recordStep, startStep } from './record-step.ts';
import { classifyStep } from './classify-step.ts';
import { preflightStep, runStep, smokeStep, stoppedStep } from './run-steps.ts';
import type { SlotInfo, StudyRuntime } from './study-runtime.ts';
import { enterPhase, msSince, startingEvidence, withFacts, withTimings, type TrialEvidence, type TrialJob } from './trial-evidence.ts';

/**
 * Takes one pending trial through the lifecycle (materialise, legality, preflight, run,
 * score, gates, accept, record) and returns the recorded trial. Every outcome, however the
 * trial fails, is decided by `classifyOutcome` and recorded by `store.finishTrial`.
 * Never throws for anything a trial does; throws only when the store itself fails.
 *
 * @example
 * const recorded = await evaluateTrial(runtime, pending, { index: 0, gpu: null }, signal);
 */
export async function evaluateTrial(runtime: StudyRuntime, trial: TrialRecord, slot: SlotInfo, signal: AbortSignal): Promise<TrialRecord> {
  const job: TrialJob = { runtime, trial, slot, signal };
  const started = performance.now();
  await startStep(job);
  const evidence = await gatherEvidence(job);
  enterPhase(job, 'gates');
  const classified = classifyStep(runtime.task, evidence);
  enterPhase(job, 'record');
  return recordStep(job, evidence, classified, msSince(started));
}

/**
 * Everything the evaluator observes about a trial, from its worktree to its last repeat.
 * A thrown error (git broken, disk full, the store refusing a write) becomes
 * `infraError` on the evidence so far; the worktree is always removed.
 */
export async function gatherEvidence(job: TrialJob): Promise<TrialEvidence> {
  let evidence = startingEvidence(job.trial);
  try {
    evidence = await parentStep(job, evidence);
    const t0 = performance.now();
    evidence = await worktreeStep(job, evidence);
    evidence = await materialiseStep(job, evidence);
    evidence = await legalityStep(job, evidence);
    // materialiseMs spans materialise and legality (as it always has); legalityMs is the latter alone.
    evidence = withTimings(evidence, { materialiseMs: msSince(t0) });
    evidence = await materialisedStep(job, evidence);
    evidence = await preflightStep(job, evidence);
    evidence = await smokeStep(job, evidence);
    evidence = await runStep(job, evidence);
    evidence = await feedbackStep(job, evidence);
    evidence = stoppedStep(job, evidence);
  } catch (error) {
    evidence = withFacts(evidence, { infraError: error instanceof Error ? error.message : String(error) });
  } finally {
    if (evidence.worktree !== null) await job.runtime.workspace.removeWorktree(job.runtime.paths.worktreeName(job.trial.id)).catch(() => undefined);
  }
  return evidence;
}
