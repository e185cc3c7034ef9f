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
  /**
   * Execution slots the run at this level holds at once (default 1): a level that needs
   * two GPUs holds two slots, and its run sees both slots' GPUs in `CUDA_VISIBLE_DEVICES`.
   */
  slots: number;
  /**
   * Where this level's commands run, when it differs from the task's `executor:`: the
   * same kind, with the level's keys laid over the task's (e.g. Slurm `gpus: 4`, `mem`,
   * `time_limit`, `partition`), checked by the kind's schema when the task file loads
   * (a TaskSpec `ExecutorSpec`, spelled out here so the two files do not import each other).
   */
  executor?: { kind: string; options: Record<string, unknown> };
}

/** Which trials climb from one level to the next (`minRung`: see `minRungOf`). */
export type PromotionRuleSpec = PromotionRuleKind & {
  /**
   * The task file's `min_rung`: no trial climbs from a level until it holds this many
   * scored results (the baseline's included); trials measured before then wait, holding no
   * slot, and are decided together once it fills. Default `minRungOf`.
   */
  minRung?: number;
};

/** The rule itself and its own keys. */
export type PromotionRuleKind =
  /** Asynchronous successive halving: promoted when in the top 1/eta of the trials measured at its level so far. */
  | { rule: 'successive_halving'; eta: number }
  /** Promoted when among the best k trials measured at its level so far. */
  | { rule: 'top_k'; k: number }
  /**
   * Promoted when the scaling model's optimistic prediction of its full-level score (at
   * `confidence`) beats the incumbent's full-level score; successive halving with `eta`
   * while the model cannot predict yet.
   */
  | { rule: 'predicted'; eta: number; confidence: number }
  /**
   * Promoted when its expected gain over the incumbent per second of its predicted climb
   * cost (`gain-per-cost.ts`) ranks in the top 1/eta of the trials measured at its level;
   * successive halving with `eta` while the model cannot predict yet.
   */
  | { rule: 'gain_per_cost'; eta: number };

/**
 * How many scored results a level must hold before any trial climbs from it: the rule's
 * `minRung`, by default `eta` (so the first decision is against a rung of eta, as ASHA's
 * first promotion is), and 1 for `top_k` (each trial decided when measured: its k says
 * how many climb, not when).
 *
 * @example minRungOf({ rule: 'successive_halving', eta: 3 }) // 3
 */
export function minRungOf(rule: PromotionRuleSpec): number {
  if (rule.minRung !== undefined) return rule.minRung;
  return rule.rule === 'top_k' ? 1 : rule.eta;
}

/** The task file's `fidelity:` key, loaded. */
export interface FidelitySpec {
  levels: FidelityLevelSpec[];
  promote: PromotionRuleSpec;
  /**
   * The task file's `continue: true`: a promoted trial's run resumes from what it left at
   * the level below (its artifacts there, read-only as `AUTOLAB_RESUME_FROM`) instead of
   * starting over, so a level costs only its increment.
   */
  continueRuns?: boolean;
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

/**
 * The slots the run at `level` holds (1 without a ladder or for an unknown level).
 *
 * @example slotsOfLevel(task.fidelity, 2) // 2 for `{ name: full, slots: 2 }`
 */
export function slotsOfLevel(fidelity: FidelitySpec | undefined, level: number): number {
  return fidelity?.levels[level]?.slots ?? 1;
}

/**
 * The `CUDA_VISIBLE_DEVICES` of a run holding several slots: their GPUs, each once, in
 * slot order; null when none of them has a GPU.
 *
 * @example joinSlotGpus(['0', '1']) // '0,1'
 */
export function joinSlotGpus(gpus: ReadonlyArray<string | null>): string | null {
  const distinct = [...new Set(gpus.filter((gpu): gpu is string => gpu !== null && gpu !== ''))];
  return distinct.length === 0 ? null : distinct.join(',');
}
