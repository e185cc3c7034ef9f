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
import { lapTimer } from './engine-profile.ts';
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
  const lap = lapTimer(trial.id);
  await startStep(job);
  lap('start');
  const evidence = await gatherEvidence(job);
  lap(null);
  enterPhase(job, 'gates');
  const classified = classifyStep(runtime.task, evidence);
  enterPhase(job, 'record');
  lap('gates');
  return recordStep(job, evidence, classified, msSince(started));
}

/**
 * Everything the evaluator observes about a trial, from its worktree to its last repeat.
 * A thrown error (git broken, disk full, the store refusing a write) becomes
 * `infraError` on the evidence so far; the worktree is always removed.
 */
export async function gatherEvidence(job: TrialJob): Promise<TrialEvidence> {
  let evidence = startingEvidence(job.trial);
  // The profile's parts (engine-profile.ts); the run and score phases time their own (run-repeat.ts).
  const lap = lapTimer(job.trial.id);
  try {
    evidence = await parentStep(job, evidence);
    lap('parent');
    const t0 = performance.now();
    evidence = await worktreeStep(job, evidence);
    lap('worktree');
    evidence = await materialiseStep(job, evidence);
    lap('materialise');
    evidence = await legalityStep(job, evidence);
    lap('legality');
    // materialiseMs spans materialise and legality (as it always has); legalityMs is the latter alone.
    evidence = withTimings(evidence, { materialiseMs: msSince(t0) });
    evidence = await materialisedStep(job, evidence);
    lap('stored');
    evidence = await preflightStep(job, evidence);
    lap(null);
    evidence = await smokeStep(job, evidence);
    lap('smoke');
    evidence = await runStep(job, evidence);
    lap(null);
    evidence = await feedbackStep(job, evidence);
    evidence = stoppedStep(job, evidence);
    lap('feedback');
  } catch (error) {
    evidence = withFacts(evidence, { infraError: error instanceof Error ? error.message : String(error) });
  } finally {
    lap(null);
    if (evidence.worktree !== null) await job.runtime.workspace.removeWorktree(job.runtime.paths.worktreeName(job.trial.id)).catch(() => undefined);
    lap('worktree.remove');
  }
  return evidence;
}
