/**
 * The first and last writes of a trial's evaluation: marking it running, and recording
 * its outcome in one store transaction that also applies the acceptance rule.
 */
import { trialFinishedEvent } from '../core/events.ts';
import { judgeCandidate } from '../core/acceptance.ts';
import type { ClassifiedOutcome } from '../core/outcome.ts';
import { cleanTrialText } from '../core/redact.ts';
import type { ProgressWriteOptions, Store, TrialOutcome } from '../core/store.ts';
import type { TrialRecord } from '../core/trial.ts';
import { failureStep } from './failure-step.ts';
import { makeFolder } from './quick-files.ts';
import { computeSaved } from './measure-repeats.ts';
import { isMultiObjective, paretoDecision, paretoNoiseOf } from './pareto-decision.ts';
import { noiseOf, samplesOf, toRepeatRecords } from './repeats.ts';
import { withTimings, type TrialEvidence, type TrialJob } from './trial-evidence.ts';

/**
 * Marks the trial running in its slot, owned by this process, and makes its folder. The
 * mark is written behind (`ProgressWriteOptions.writeBehind`): it is committed with the
 * trial's next write, or before a read that could see it.
 */
export async function startStep(job: TrialJob): Promise<void> {
  const { runtime, trial, slot } = job;
  await runtime.store.updateTrial(
    runtime.studyId,
    trial.id,
    { status: 'running', startedAt: new Date().toISOString(), owner: runtime.owner },
    { type: 'trial.started', data: { slot: slot.index, gpu: slot.gpu } },
    { writeBehind: true },
  );
  makeFolder(runtime.paths.trial(trial.id));
}

/**
 * How `materialisedStep` writes: behind, as the start (`ProgressWriteOptions.writeBehind`).
 * It is progress for observers (the outcome carries the commit, tree and diff again), so
 * the slot does not wait for its commit: it lands with the trial's next write (an event
 * about the trial, or its outcome: one commit fewer per trial when the run is short), or
 * on its own within the store's write-behind delay (100 ms) while the trial runs, and
 * before any read of this process that could see it. `bench:store` records with it.
 */
export const MATERIALISED_WRITE: ProgressWriteOptions = { writeBehind: true };

/** Stores what materialise and legality found (commit, tree, diff, timings so far), written behind (MATERIALISED_WRITE). */
export async function materialisedStep(job: TrialJob, evidence: TrialEvidence): Promise<TrialEvidence> {
  const { runtime, trial } = job;
  const { commit, tree, diff, timings } = evidence;
  await runtime.store.updateTrial(runtime.studyId, trial.id, { commit, tree, diff, timings }, { type: 'trial.materialised', data: { commit } }, MATERIALISED_WRITE);
  return evidence;
}

/**
 * Records the classified trial (`store.finishTrial`: outcome, metrics, repeats, curve,
 * timings with `totalMs`; the log excerpt and failure detail through `cleanTrialText`), judged against the incumbent as it is at that instant with
 * the baseline's noise, a failed one with its failure signature (failure-step.ts); emits `trial:finished`. A pruned trial also records the run
 * time it saved (`pruned_saved_seconds`).
 */
export async function recordStep(job: TrialJob, evidence: TrialEvidence, classified: ClassifiedOutcome, totalMs: number): Promise<TrialRecord> {
  const { runtime, trial } = job;
  const { objective, acceptance } = runtime.task;
  const repeatResults = evidence.measured?.repeats ?? [];
  let verdict = classified;
  if (verdict.kind === 'failed' && verdict.label === 'pruned') {
    const saved = await computeSaved(runtime, repeatResults);
    if (saved !== null) verdict = { ...verdict, metrics: { ...verdict.metrics, pruned_saved_seconds: saved } };
  }
  const { timings, logExcerpt, commit, tree, diff } = withTimings(evidence, { totalMs });
  const repeats = toRepeatRecords(repeatResults);
  const curve = repeatResults.flatMap((repeat) => repeat.curve);
  // What a trial printed reaches the next model's prompt, the archive and the dashboard: no secrets, no terminal control.
  const shared = { metrics: verdict.metrics, timings, logExcerpt: cleanTrialText(logExcerpt), commit, tree, diff, repeats, curve };
  let outcome: TrialOutcome;
  if (verdict.kind === 'scored') outcome = { status: 'scored', label: null, labelDetail: null, score: verdict.score, ...shared };
  else {
    const labelDetail = cleanTrialText(verdict.detail);
    const failure = await failureStep(job, evidence, verdict, labelDetail, shared.logExcerpt);
    outcome = { status: 'failed', label: verdict.label, labelDetail, score: null, ...shared, failure };
  }
  const baseline = trial.id === 0 ? null : await finishedBaseline(runtime.store, runtime.studyId);
  const noise = noiseOf(baseline, objective.metric);
  const task = runtime.task;
  const decide = isMultiObjective(task)
    ? paretoDecision(task, { id: trial.id, repeats, score: outcome.score, metrics: outcome.metrics }, paretoNoiseOf(task.objectives, baseline))
    : (_candidate: unknown, incumbent: TrialRecord | null) =>
        judgeCandidate(acceptance, objective, samplesOf({ repeats, score: outcome.score }, objective.metric), incumbent ? samplesOf(incumbent, objective.metric) : null, noise);
  const recorded = await runtime.store.finishTrial(runtime.studyId, trial.id, outcome, decide);
  runtime.events.emit('trial.finished', trialFinishedEvent(recorded));
  return recorded;
}

/** Scored baselines by store and study: finished trials are immutable, so one read serves every later trial. */
const scoredBaselines = new WeakMap<Store, Map<number, TrialRecord>>();

/**
 * The study's baseline (trial 0) as `recordStep` judges against it: read once per store
 * and study once it is scored (kept or discarded); a failed one may be reopened and
 * measured again (`Store.reopenFailedBaseline`), so it is read every time, as is an
 * unfinished one.
 */
export async function finishedBaseline(store: Store, studyId: number): Promise<TrialRecord | null> {
  const cached = scoredBaselines.get(store)?.get(studyId);
  if (cached !== undefined) return cached;
  const baseline = await store.getTrial(studyId, 0);
  if (baseline !== null && (baseline.status === 'kept' || baseline.status === 'discarded')) {
    let byStudy = scoredBaselines.get(store);
    if (byStudy === undefined) scoredBaselines.set(store, (byStudy = new Map()));
    byStudy.set(studyId, baseline);
  }
  return baseline;
}
