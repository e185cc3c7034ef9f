/**
 * The fidelity funnel of a study on a ladder: how many trials were measured at each level,
 * how many stopped there (not promoted, or failed) and how many climbed on, with the run
 * time each level cost, measured. Shared by the dashboard (`/api/studies/:study/fidelity`)
 * and `autolab status`. Pure.
 */
import type { TrialLevelRecord } from '../core/fidelity.ts';
import type { Direction } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';

/** One level of the funnel (the baseline is not counted, as in every trial count). */
export interface FunnelLevel {
  name: string;
  /** The level's scale (its size for the scaling model), when known. */
  scale: number | null;
  /** Trials measured at this level (scored or failed there). */
  measured: number;
  scored: number;
  /** Trials that failed at this level (crash, oom, run_timeout, ...). */
  failed: number;
  /** Trials the promotion rule stopped at this level (recorded `pruned`). */
  stopped: number;
  /** Trials measured at the next level (or, at the last level, judged by the acceptance rule). */
  climbed: number;
  /** Trials scored here, unfinished, waiting to run at the next level (or running there). */
  waiting: number;
  /** The best score measured at this level (the baseline's included), or null. */
  best: number | null;
  /** Run time spent at this level by the trials, in seconds (the baseline's apart). */
  runSeconds: number;
  /** Mean run time of one measurement at this level (the baseline's included), or null. */
  meanRunSeconds: number | null;
}

/** The funnel of a study, and what the ladder saved. */
export interface FidelityFunnel {
  levels: FunnelLevel[];
  /** Run time of every trial at every level, in seconds (the baseline's apart). */
  runSeconds: number;
  /**
   * What running every measured trial at the full level alone would have cost, in seconds
   * (trials measured times the full level's mean run time; on a continued ladder, times the
   * sum of every level's mean, a full run from scratch), or null before any full-level run.
   */
  fullOnlySeconds: number | null;
}

/** The level names and scales of the task's ladder. */
export interface FunnelLadder {
  levels: ReadonlyArray<{ name: string; scale?: number }>;
  /** A continued ladder: a run above the first level is an increment, so a full run from scratch costs every level's mean together. */
  continueRuns?: boolean;
}

/**
 * Builds the funnel from the study's trials and level records.
 *
 * @example
 * const funnel = fidelityFunnel(task.fidelity, 'minimize', trials, await store.listTrialLevels(studyId));
 * funnel.levels.map((level) => `${level.name}: ${level.measured}`); // ['s: 40', 'm: 13', 'full: 4']
 */
export function fidelityFunnel(ladder: FunnelLadder, direction: Direction, trials: readonly TrialRecord[], records: readonly TrialLevelRecord[]): FidelityFunnel {
  const byTrial = new Map(trials.map((trial) => [trial.id, trial]));
  const last = ladder.levels.length - 1;
  const reached = new Map<number, number>(); // trial -> highest level measured
  for (const record of records) reached.set(record.trialId, Math.max(reached.get(record.trialId) ?? -1, record.level));
  const better = (a: number, b: number) => (direction === 'minimize' ? a < b : a > b);
  const levels = ladder.levels.map((spec, index): FunnelLevel => {
    const here = records.filter((record) => record.level === index);
    const own = here.filter((record) => record.trialId !== 0);
    let best: number | null = null;
    for (const record of here) if (record.score !== null && (best === null || better(record.score, best))) best = record.score;
    const stopped = own.filter((record) => record.status === 'scored' && reached.get(record.trialId) === index && byTrial.get(record.trialId)?.label === 'pruned').length;
    const waiting = own.filter((record) => record.status === 'scored' && index < last && reached.get(record.trialId) === index && byTrial.get(record.trialId)?.finishedAt === null).length;
    const climbed = index === last ? own.filter((record) => record.status === 'scored').length : own.filter((record) => (reached.get(record.trialId) ?? -1) > index).length;
    return {
      name: spec.name,
      scale: spec.scale ?? null,
      measured: own.length,
      scored: own.filter((record) => record.status === 'scored').length,
      failed: own.filter((record) => record.status === 'failed').length,
      stopped,
      climbed,
      waiting,
      best,
      runSeconds: own.reduce((sum, record) => sum + record.runMs, 0) / 1000,
      meanRunSeconds: here.length > 0 ? here.reduce((sum, record) => sum + record.runMs, 0) / here.length / 1000 : null,
    };
  });
  const full = levels[last];
  return {
    levels,
    runSeconds: levels.reduce((sum, level) => sum + level.runSeconds, 0),
    fullOnlySeconds: full?.meanRunSeconds != null ? (levels[0]?.measured ?? 0) * (ladder.continueRuns === true ? levels.reduce((sum, level) => sum + (level.meanRunSeconds ?? 0), 0) : full.meanRunSeconds) : null,
  };
}

/** The columns of the funnel's table, in `status` and the report alike. */
export const FUNNEL_HEADERS = ['level', 'scale', 'measured', 'stopped', 'failed', 'waiting', 'climbed', 'best', 'run time', 'per run'] as const;

/**
 * The funnel's table rows (one per level, in `FUNNEL_HEADERS` order), with the best score
 * formatted by the caller and seconds followed by `unit` (`'s'` in the terminal, `' s'` in
 * the report).
 *
 * @example funnelRows(funnel, formatScore, 's')[0] // ['s', '0.1', '12', '4', '0', '0', '8', '0.912', '3.0s', '0.3s']
 */
export function funnelRows(funnel: FidelityFunnel, formatBest: (best: number | null) => string, unit: string): string[][] {
  return funnel.levels.map((level) => [
    level.name,
    level.scale === null ? '—' : String(level.scale),
    String(level.measured),
    String(level.stopped),
    String(level.failed),
    String(level.waiting),
    String(level.climbed),
    formatBest(level.best),
    `${level.runSeconds.toFixed(1)}${unit}`,
    level.meanRunSeconds === null ? '—' : `${level.meanRunSeconds.toFixed(1)}${unit}`,
  ]);
}
