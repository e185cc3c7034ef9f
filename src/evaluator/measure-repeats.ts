import { wouldCrown } from '../core/acceptance.ts';
import { evaluateGates } from '../core/gates.ts';
import type { TrialFacts } from '../core/outcome.ts';
import type { FinishedCurve } from '../core/pruners.ts';
import type { TrialRecord } from '../core/trial.ts';
import type { SlotInfo, StudyRuntime } from './study-runtime.ts';
import { isMultiObjective, paretoNoiseOf, wouldEnterFront } from './pareto-decision.ts';
import { aggregateMetrics, noiseOf, runRepeats, samplesOf, toRepeatRecords } from './repeats.ts';
import type { PruningContext, RepeatResult } from './run-repeat.ts';

export interface Measured {
  repeats: RepeatResult[];
  /** The facts of the first failing repeat (null when all were scored). */
  failure: TrialFacts | null;
  failedRepeat: RepeatResult | null;
  runMs: number;
  scoreMs: number;
  logExcerpt: string;
}

/**
 * The run and score phases of a trial: its repeats (the baseline's calibration repeats),
 * then, for a would-be incumbent under an acceptance rule with `verify`, the fresh
 * verification repeats.
 */
export async function measureRepeats(runtime: StudyRuntime, trial: TrialRecord, worktree: string, slot: SlotInfo, signal: AbortSignal, adopt = false): Promise<Measured> {
  const { task } = runtime;
  const isBaseline = trial.id === 0;
  const count = isBaseline ? (task.calibration ?? task.repeats ?? 1) : (task.repeats ?? 1);
  const pruning = isBaseline ? null : await pruningContext(runtime);
  let repeats = await runRepeats(runtime, trial, { first: 0, count, verification: false, worktree, slot, signal, pruning, adopt });
  let failedRepeat = repeats.find((repeat) => repeat.metrics === null) ?? null;

  const verify = task.acceptance.verify ?? 0;
  if (failedRepeat === null && !isBaseline && verify > 0 && !signal.aborted) {
    const metric = task.objective.metric;
    const aggregate = aggregateMetrics(repeats, metric);
    const gatesPass = evaluateGates(task.gates, aggregate).every((gate) => gate.passed);
    const samples = repeats.map((repeat) => repeat.metrics![metric]).filter((value): value is number => value !== undefined && Number.isFinite(value));
    if (gatesPass && samples.length === repeats.length) {
      if (await wouldBeKept(runtime, trial, repeats, samples)) {
        runtime.events.emit('trial.phase', { trialId: trial.id, phase: 'verify' });
        const more = await runRepeats(runtime, trial, { first: count, count: verify, verification: true, worktree, slot, signal, pruning: null, adopt });
        repeats = [...repeats, ...more];
        failedRepeat = more.find((repeat) => repeat.metrics === null) ?? null;
      }
    }
  }
  const excerptFrom = failedRepeat ?? repeats[0];
  return {
    repeats,
    failure: failedRepeat ? failedRepeat.facts : null,
    failedRepeat,
    runMs: repeats.reduce((sum, repeat) => sum + repeat.runMs, 0),
    scoreMs: repeats.reduce((sum, repeat) => sum + repeat.scoreMs, 0),
    logExcerpt: excerptFrom?.logExcerpt ?? '',
  };
}

/** Whether ordinary repeats would crown the trial (or, with several objectives, put it on the front) as things stand. */
async function wouldBeKept(runtime: StudyRuntime, trial: TrialRecord, repeats: readonly RepeatResult[], samples: readonly number[]): Promise<boolean> {
  const { task } = runtime;
  const baseline = await runtime.store.getTrial(runtime.studyId, 0);
  if (isMultiObjective(task)) {
    const kept = await runtime.store.listTrials(runtime.studyId, { status: ['kept'] });
    const candidate = { id: trial.id, repeats: toRepeatRecords(repeats), score: null, metrics: {} };
    return wouldEnterFront(task, candidate, kept, paretoNoiseOf(task.objectives, baseline));
  }
  const incumbent = await runtime.store.getIncumbent(runtime.studyId);
  const noise = noiseOf(baseline, task.objective.metric);
  return wouldCrown(task.acceptance, task.objective, samples, incumbent ? samplesOf(incumbent, task.objective.metric) : null, noise);
}

/** How many of the newest finished trials a pruner compares a running trial with. */
export const PRUNING_HISTORY = 2_000;

/** The pruner's view of the study: curves of the newest finished trials, the incumbent's flagged. */
async function pruningContext(runtime: StudyRuntime): Promise<PruningContext | null> {
  const spec = runtime.task.pruner;
  if (!spec || spec.kind === 'none') return null;
  const metric = spec.metric ?? runtime.task.objective.metric;
  const direction = spec.direction ?? runtime.task.objective.direction;
  const incumbent = await runtime.store.getIncumbent(runtime.studyId);
  // The newest finished trials (and the incumbent): a pruning decision costs the same in a study of any size.
  const recent = await runtime.store.listTrials(runtime.studyId, { status: ['kept', 'discarded', 'failed'], descending: true, limit: PRUNING_HISTORY });
  const trials = incumbent && !recent.some((trial) => trial.id === incumbent.id) ? [incumbent, ...recent.reverse()] : recent.reverse();
  const curvesOf = (name: string): FinishedCurve[] => {
    const finished: FinishedCurve[] = [];
    for (const trial of trials) {
      if (trial.status === 'failed' && trial.label !== 'pruned') continue;
      const points = trial.curve.filter((point) => point.name === name && point.repeat === 0).map((point) => ({ step: point.step, value: point.value }));
      if (points.length > 0) finished.push({ trialId: trial.id, points, incumbent: trial.id === incumbent?.id });
    }
    return finished;
  };
  // Several objectives and no pruner.metric: the multi-objective rule watches every objective.
  const objectives = isMultiObjective(runtime.task) && spec.metric === undefined ? runtime.task.objectives.map((objective) => ({ metric: objective.metric, direction: objective.direction, finished: curvesOf(objective.metric) })) : undefined;
  return { spec, metric, direction, finished: curvesOf(metric), ...(objectives ? { objectives } : {}) };
}

/** Seconds of run time a pruned trial saved: the median full run minus what it ran. */
export async function computeSaved(runtime: StudyRuntime, repeats: readonly RepeatResult[]): Promise<number | null> {
  const trials = await runtime.store.listTrials(runtime.studyId, { status: ['kept', 'discarded'], light: true });
  const full = trials.map((trial) => trial.metrics.run_seconds).filter((value): value is number => value !== undefined).sort((a, b) => a - b);
  if (full.length === 0) return null;
  const median = full[full.length >> 1]!;
  const ran = repeats.reduce((sum, repeat) => sum + repeat.runMs, 0) / 1000;
  return Math.max(0, Math.round((median - ran) * 1000) / 1000);
}
