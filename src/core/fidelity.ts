/**
 * Fidelity levels: a ladder of cheaper proxies of the real task (fewer steps, a smaller
 * model, less data), cheapest first; the last level is the real task and the only one
 * whose scores can make an incumbent. Every proposal is measured at the lowest level
 * first; a promotion rule (`promotion.ts`) decides which trials climb.
 */
import type { FailureLabel, Metrics } from './trial.ts';

/** One rung of the ladder (the task file's `fidelity.levels[i]`). */
export interface FidelityLevelSpec {
  /** Unique name, seen by the run as `AUTOLAB_FIDELITY`. */
  name: string;
  /**
   * The level's size relative to the others (steps, width, data fraction), used by the
   * scaling model as the `s` of a power law; increasing along the ladder. Default: the
   * level's run timeout divided by the last level's.
   */
  scale: number;
  /** Wall-clock budget of the run at this level. */
  timeoutMs: number;
  /** Variables set for the run (and the score) at this level, beside `env.set`. */
  env: Record<string, string>;
  /** Limits of the run at this level, replacing the run's own (`run.memory`, `run.max_processes`). */
  resources?: { memoryBytes?: number; maxProcesses?: number };
}

/** Which trials climb from one level to the next. */
export type PromotionRuleSpec =
  /** Asynchronous successive halving: promoted when in the top 1/eta of the trials measured at its level so far. */
  | { rule: 'successive_halving'; eta: number }
  /** Promoted when among the best k trials measured at its level so far. */
  | { rule: 'top_k'; k: number }
  /**
   * Promoted when the scaling model's optimistic prediction of its full-level score (at
   * `confidence`) beats the incumbent's full-level score; successive halving with `eta`
   * while the model cannot predict yet.
   */
  | { rule: 'predicted'; eta: number; confidence: number };

/** The task file's `fidelity:` key, loaded. */
export interface FidelitySpec {
  levels: FidelityLevelSpec[];
  promote: PromotionRuleSpec;
}

/** One trial measured at one level: what `trial_levels` stores. */
export interface TrialLevelRecord {
  trialId: number;
  /** 0-based index into `fidelity.levels`. */
  level: number;
  levelName: string;
  /** `scored`: the score command produced the objective; `failed`: `label` says why not. */
  status: 'scored' | 'failed';
  label: FailureLabel | null;
  /** The objective's value at this level (mean of repeats), or null. */
  score: number | null;
  metrics: Metrics;
  /** The objective of each repeat at this level (for the noise). */
  samples: number[];
  /** Run time at this level, all repeats, measured by autolab. */
  runMs: number;
  measuredAt: string;
}

/**
 * The metric of a trial the promotion rule stopped below the full level: its full-level
 * score as the scaling model predicted it then (samplers rank such a trial by it).
 */
export const PREDICTED_FULL_METRIC = 'fidelity_predicted_full';

/** The index of the last (full) level. */
export function fullLevel(fidelity: FidelitySpec): number {
  return fidelity.levels.length - 1;
}
