/**
 * A trial on a fidelity ladder is evaluated one level at a time: the first level takes
 * it through the whole lifecycle (materialise, legality, preflight, run, score); each
 * promotion runs and scores it again at the next level, in a fresh worktree at its own
 * commit. Every level's measurement is stored (`store.recordTrialLevel`); the trial is
 * recorded (`finishTrial`, the acceptance rule) only when a level fails or at the full
 * level, so only full-level scores can make an incumbent. Between levels the trial waits
 * `pending`, owned by its driver, for the promotion rule.
 */
import { joinSlotGpus, PREDICTED_FULL_METRIC, slotsOfLevel, type TrialLevelRecord } from '../core/fidelity.ts';
import { judgedTaskAtLevel } from '../core/fidelity-task.ts';
import type { ClassifiedOutcome } from '../core/outcome.ts';
import { AutolabError } from '../core/errors.ts';
import { trialFinishedEvent } from '../core/events.ts';
import type { TrialRecord, TrialTimings } from '../core/trial.ts';
import { classifyStep } from './classify-step.ts';
import { gatherEvidence } from './evaluate-trial.ts';
import { recordStep, startStep } from './record-step.ts';
import { runStep, stoppedStep } from './run-steps.ts';
import type { SlotInfo, StudyRuntime } from './study-runtime.ts';
import { dropLevelArtifacts, keepLevelArtifacts, type ResumeSource } from './level-resume.ts';
import { enterPhase, msSince, startingEvidence, withFacts, type TrialEvidence, type TrialJob } from './trial-evidence.ts';

/** What one level's evaluation ended in. */
export type LevelOutcome =
  /** Recorded for good: the level failed, or it was the full level. */
  | { kind: 'finished'; trial: TrialRecord; level: TrialLevelRecord | null }
  /** Scored below the full level: waits for the promotion rule. */
  | { kind: 'measured'; trial: TrialRecord; level: TrialLevelRecord };

type LevelStore = Required<Pick<StudyRuntime['store'], 'recordTrialLevel' | 'listTrialLevels'>>;

/** The store's level methods, or a clear error when the store has none. */
export function levelStore(runtime: StudyRuntime): LevelStore {
  const { store } = runtime;
  if (!store.recordTrialLevel || !store.listTrialLevels) {
    throw new AutolabError('StoreError', 'This store cannot record fidelity levels, which the task file\'s `fidelity:` ladder needs', { hint: 'use the built-in SQLite or PostgreSQL store' });
  }
  return { recordTrialLevel: store.recordTrialLevel.bind(store), listTrialLevels: store.listTrialLevels.bind(store) };
}

/**
 * Evaluates `trial` at fidelity `level` (0: the whole lifecycle; above: run and score at
 * the trial's commit) and records the level. Never throws for anything a trial does.
 *
 * @example
 * const outcome = await evaluateTrialAtLevel(runtime, pending, slot, signal, 0);
 * if (outcome.kind === 'measured') console.log(outcome.level.score); // waits for promotion
 */
export async function evaluateTrialAtLevel(runtime: StudyRuntime, trial: TrialRecord, slot: SlotInfo, signal: AbortSignal, level: number): Promise<LevelOutcome> {
  const ladder = runtime.task.fidelity;
  if (!ladder || !ladder.levels[level]) throw new AutolabError('TaskFileError', `The task has no fidelity level ${level}`);
  const levels = levelStore(runtime);
  const isFull = level === ladder.levels.length - 1;
  const job: TrialJob = { runtime: runtimeAtLevel(runtime, level), trial, slot, signal };
  const started = performance.now();
  await startStep(job);
  if (level > 0 && ladder.continueRuns === true) job.runtime = { ...job.runtime, ...(await resumeSourceOf(runtime, trial, level)) };
  const gathered = level === 0 ? await gatherEvidence(job) : await gatherLevelEvidence(job);
  if (level > 0 && ladder.continueRuns === true) await dropLevelArtifacts(runtime.paths, trial.id);
  enterPhase(job, 'gates');
  const classified = classifyStep(job.runtime.task, gathered);
  const measured = classified.kind === 'scored' || gathered.measured !== null ? await levels.recordTrialLevel(runtime.studyId, trial.id, levelDraft(runtime, level, gathered, classified)) : null;
  // The trial's timings are its whole climb so far (each level's own run time stays in its level record).
  const evidence = { ...gathered, timings: climbTimings(level === 0 ? {} : trial.timings, gathered.timings) };
  const climbedMs = (level === 0 ? 0 : (trial.timings.totalMs ?? 0)) + msSince(started);
  if (classified.kind === 'failed' || isFull) {
    enterPhase(job, 'record');
    return { kind: 'finished', trial: await recordStep(job, evidence, classified, climbedMs), level: measured };
  }
  const { commit, tree, diff, logExcerpt } = evidence;
  const timings = { ...evidence.timings, totalMs: climbedMs };
  await runtime.store.updateTrial(runtime.studyId, trial.id, { status: 'pending', commit, tree, diff, timings, logExcerpt });
  const waiting = (await runtime.store.getTrial(runtime.studyId, trial.id)) ?? trial;
  return { kind: 'measured', trial: waiting, level: measured! };
}

/**
 * A laddered trial's timings after one more level: the run and score times of the levels
 * below (`before`) plus this level's (`level`, whose other phases are the first level's,
 * carried over), so the recorded run time is what the whole climb cost.
 *
 * @example climbTimings({ runMs: 100, scoreMs: 10 }, { runMs: 900, scoreMs: 12, materialiseMs: 50 }) // { runMs: 1000, scoreMs: 22, materialiseMs: 50 }
 */
export function climbTimings(before: TrialTimings, level: TrialTimings): TrialTimings {
  const sum = (a: number | undefined, b: number | undefined) => (a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0));
  const runMs = sum(before.runMs, level.runMs);
  const scoreMs = sum(before.scoreMs, level.scoreMs);
  return { ...level, ...(runMs !== undefined && { runMs }), ...(scoreMs !== undefined && { scoreMs }) };
}

/** The runtime a level's commands see: the task at that level, and the level's own executor when it names one. */
function runtimeAtLevel(runtime: StudyRuntime, level: number): StudyRuntime {
  return { ...runtime, task: judgedTaskAtLevel(runtime.task, level), executor: runtime.levelExecutors?.[level] ?? runtime.executor };
}

/**
 * A continued ladder's promoted level: the trial's artifacts of the level below, kept and
 * checked for its runs to resume from (`trial.level_resumed` records it, or why not).
 */
async function resumeSourceOf(runtime: StudyRuntime, trial: TrialRecord, level: number): Promise<{ resumeFrom?: ResumeSource }> {
  const levels = runtime.task.fidelity!.levels;
  const from = levels[level - 1]!.name;
  const kept = await keepLevelArtifacts(runtime.paths, trial.id, from).catch((error: unknown) => ({ source: null, problem: `the artifacts of level ${from} could not be kept: ${error instanceof Error ? error.message : String(error)}` }));
  await runtime.store.appendEvent(runtime.studyId, trial.id, 'trial.level_resumed', { level, levelName: levels[level]!.name, from, problem: kept.problem });
  return kept.source === null ? {} : { resumeFrom: kept.source };
}

/** The run and score of a promoted trial: a fresh worktree at its commit, its repeats, then the worktree removed. */
async function gatherLevelEvidence(job: TrialJob): Promise<TrialEvidence> {
  const { runtime, trial } = job;
  // This level's own run and score times (`climbTimings` adds the levels below).
  const { runMs: _run, scoreMs: _score, totalMs: _total, ...carried } = trial.timings;
  let evidence: TrialEvidence = { ...startingEvidence(trial), timings: carried };
  try {
    enterPhase(job, 'materialise');
    if (trial.commit === null) return withFacts(evidence, { applyError: `trial #${trial.id} has no commit to run at a higher level` });
    const worktree = await runtime.workspace.createWorktree(runtime.paths.worktreeName(trial.id), trial.commit);
    evidence = { ...evidence, worktree, parentCommit: trial.commit };
    evidence = await runStep(job, evidence);
    evidence = stoppedStep(job, evidence);
  } catch (error) {
    evidence = withFacts(evidence, { infraError: error instanceof Error ? error.message : String(error) });
  } finally {
    if (evidence.worktree !== null) await runtime.workspace.removeWorktree(runtime.paths.worktreeName(trial.id)).catch(() => undefined);
  }
  return evidence;
}

function levelDraft(runtime: StudyRuntime, level: number, evidence: TrialEvidence, classified: ClassifiedOutcome): Omit<TrialLevelRecord, 'trialId' | 'measuredAt'> {
  const metric = runtime.task.objective.metric;
  const repeats = evidence.measured?.repeats ?? [];
  const samples = repeats.map((repeat) => repeat.metrics?.[metric]).filter((value): value is number => value !== undefined && Number.isFinite(value));
  const base = { level, levelName: runtime.task.fidelity!.levels[level]!.name, metrics: classified.metrics, samples, runMs: evidence.measured?.runMs ?? 0 };
  return classified.kind === 'scored' ? { ...base, status: 'scored', label: null, score: classified.score } : { ...base, status: 'failed', label: classified.label, score: null };
}

/**
 * Records a trial the promotion rule stopped below the full level: `failed` with label
 * `pruned`, its detail naming the level and the rule's reason, its metrics those of the
 * highest level it was measured at plus `fidelity_level` (that level's index) and, when the
 * scaling model could predict it, `fidelity_predicted_full` (its predicted full-level
 * score, which the knobs samplers rank it by instead of treating it as a failure).
 *
 * @example
 * await recordNotPromoted(runtime, trial, level, 'rank 4 of 6 at s; the best 2 (1/3) climb', 2.41);
 */
export async function recordNotPromoted(runtime: StudyRuntime, trial: TrialRecord, level: TrialLevelRecord, reason: string, predictedFull: number | null = null): Promise<TrialRecord> {
  const recorded = await runtime.store.finishTrial(
    runtime.studyId,
    trial.id,
    {
      status: 'failed',
      label: 'pruned',
      labelDetail: `not promoted past fidelity level ${level.levelName}: ${reason}`,
      metrics: { ...level.metrics, fidelity_level: level.level, ...(predictedFull !== null && Number.isFinite(predictedFull) ? { [PREDICTED_FULL_METRIC]: predictedFull } : {}) },
      score: null,
      timings: trial.timings,
      logExcerpt: trial.logExcerpt,
    },
    () => false,
  );
  runtime.events.emit('trial.finished', trialFinishedEvent(recorded));
  return recorded;
}

/**
 * Measures the baseline at every level in turn (its calibration repeats at each, which
 * give each level's noise); recorded at the full level, or at the first level that fails.
 */
export async function evaluateBaselineLadder(runtime: StudyRuntime, baseline: TrialRecord, slot: SlotInfo, signal: AbortSignal): Promise<TrialRecord> {
  let trial = baseline;
  for (let level = 0; ; level++) {
    // Nothing else runs yet: a level that holds several slots gets the first GPUs of the task.
    const slots = slotsOfLevel(runtime.task.fidelity, level);
    const gpu = slots > 1 ? (joinSlotGpus(runtime.task.gpus.slice(0, slots)) ?? slot.gpu) : slot.gpu;
    const outcome = await evaluateTrialAtLevel(runtime, trial, { index: slot.index, gpu }, signal, level);
    if (outcome.kind === 'finished') return outcome.trial;
    trial = outcome.trial;
  }
}
