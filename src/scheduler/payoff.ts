/**
 * What each specialist's trials paid off, computed from the recorded trials only (a pure
 * function of the study's history, so `autolab status` and the scheduler agree and a
 * resumed study picks up where it was).
 *
 * The payoff is OpenTuner's AUC credit (`AUCBanditMetaTechnique`): over a sliding window
 * of the study's most recent results, each specialist's own results form a 0/1 sequence
 * ("did this trial produce a new best", i.e. was it kept); its payoff is the area under
 * the cumulative curve of that sequence, normalised to [0, 1], so recent successes weigh
 * more than old ones: sum(position of each success) * 2 / (n * (n + 1)).
 */
import { improvement } from '../core/acceptance.ts';
import type { Objective } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';

/** Results in the sliding window by default (OpenTuner uses 500 for runs of thousands of tests). */
export const DEFAULT_PAYOFF_WINDOW = 50;

/** One specialist's row. `trials`, `kept`, `failed`, `improvement`, costs: the whole study; `uses`, `payoff`: the window. */
export interface SpecialistPayoff {
  specialist: string;
  /** Finished trials (the baseline not counted). */
  trials: number;
  kept: number;
  failed: number;
  /** Trials recorded but not finished. */
  inFlight: number;
  /** Sum of the improvements its kept trials made over the best score before them (positive is better). */
  improvement: number;
  /** Its part of the study's whole improvement over the baseline, 0..1; null while nothing improved. */
  share: number | null;
  /** Its results in the window (those the payoff is computed over). */
  uses: number;
  /** The AUC credit in [0, 1]; 0 without results in the window. */
  payoff: number;
  costUsd: number;
  /** Wall time of its trials (the lifecycle's total), milliseconds. */
  computeMs: number;
  /** Its trials' mean cost (`computeMs` over `trials`), milliseconds; null before any finished trial with a measured time. */
  meanCostMs: number | null;
  /**
   * Its mean cost per trial over the study's (every specialist's trials together), kept
   * within ×0.1..×10; 1 while either is unknown. The bandit divides the payoff by it: a
   * specialist whose trials cost 5× as much must earn 5× as much.
   */
  relativeCost: number;
}

export interface PayoffTable {
  /** One row per specialist that has a trial, in order of first trial. */
  rows: SpecialistPayoff[];
  /** Results in the window, all specialists together (the bandit's `total`). */
  windowResults: number;
  window: number;
  /** The incumbent's improvement over the baseline, as the sum of the kept trials' steps. */
  totalImprovement: number;
}

/** Labels that are not a specialist's result: the machine's fault, or a kill. */
const NOT_A_RESULT = new Set(['infra_error', 'interrupted']);

/**
 * The payoff table of a study's trials.
 *
 * @example
 * const table = specialistPayoffs(await study.trials(), task.objective);
 * table.rows.map((row) => `${row.specialist}: ${row.payoff.toFixed(2)}`);
 */
export function specialistPayoffs(trials: readonly TrialRecord[], objective: Objective, window = DEFAULT_PAYOFF_WINDOW): PayoffTable {
  const rows = new Map<string, SpecialistPayoff>();
  const rowOf = (name: string): SpecialistPayoff => {
    let row = rows.get(name);
    if (!row) {
      row = { specialist: name, trials: 0, kept: 0, failed: 0, inFlight: 0, improvement: 0, share: null, uses: 0, payoff: 0, costUsd: 0, computeMs: 0, meanCostMs: null, relativeCost: 1 };
      rows.set(name, row);
    }
    return row;
  };
  const ordered = [...trials].filter((trial) => trial.id !== 0).sort((a, b) => a.id - b.id);
  for (const trial of ordered) {
    const row = rowOf(trial.specialist);
    row.costUsd += trial.cost?.usd ?? 0;
    if (trial.finishedAt === null || trial.status === 'pending' || trial.status === 'running') {
      row.inFlight++;
      continue;
    }
    // A trial the machine failed is not the specialist's: neither counted nor failed (its retry is).
    if (trial.label === 'infra_error') continue;
    row.trials++;
    row.computeMs += trial.timings.totalMs ?? 0;
    if (trial.status === 'kept') row.kept++;
    if (trial.status === 'failed') row.failed++;
  }

  const finished = resultsInFinishOrder(trials);
  let best = trials.find((trial) => trial.id === 0)?.score ?? null;
  let totalImprovement = 0;
  for (const trial of finished) {
    if (trial.status !== 'kept' || trial.score === null) continue;
    if (best !== null) {
      const gain = improvement(objective, trial.score, best);
      if (gain <= 0) continue;
      rowOf(trial.specialist).improvement += gain;
      totalImprovement += gain;
    }
    best = trial.score;
  }
  for (const row of rows.values()) row.share = totalImprovement > 0 ? row.improvement / totalImprovement : null;

  const results = finished.filter((trial) => trial.label === null || !NOT_A_RESULT.has(trial.label)).slice(-Math.max(1, window));
  const credit = new Map<string, number>();
  for (const trial of results) {
    const row = rowOf(trial.specialist);
    row.uses++;
    if (trial.status === 'kept') credit.set(trial.specialist, (credit.get(trial.specialist) ?? 0) + row.uses);
  }
  for (const row of rows.values()) row.payoff = row.uses > 0 ? ((credit.get(row.specialist) ?? 0) * 2) / (row.uses * (row.uses + 1)) : 0;
  weighCosts([...rows.values()]);
  return { rows: [...rows.values()], windowResults: results.length, window, totalImprovement };
}

/** Bounds of `relativeCost`: one odd trial must not make a specialist free or forbidden. */
const RELATIVE_COST_RANGE: readonly [number, number] = [0.1, 10];

/** Trials started and not yet recorded: their cost as the cost model predicted it before they ran (ms, per specialist). */
export type PredictedCosts = ReadonlyMap<string, { ms: number; trials: number }>;

/**
 * Sets each row's mean cost per trial, and that cost relative to the study's mean cost per
 * trial (`specialistPayoffs` and `PayoffAccumulator` both end with it). `predicted`: the
 * trials in flight, counted at their predicted cost until their measured cost replaces it
 * (so a specialist whose first trials are costly is weighed so before they finish).
 *
 * @example weighCosts(rows, new Map([['wide', { ms: 60_000, trials: 1 }]]));
 */
export function weighCosts(rows: SpecialistPayoff[], predicted: PredictedCosts = new Map()): void {
  let totalMs = 0;
  let trials = 0;
  for (const row of rows) {
    const inFlight = predicted.get(row.specialist) ?? { ms: 0, trials: 0 };
    const measured = row.trials > 0 && row.computeMs > 0 ? { ms: row.computeMs, trials: row.trials } : { ms: 0, trials: 0 };
    const ms = measured.ms + inFlight.ms;
    const count = measured.trials + inFlight.trials;
    row.meanCostMs = count > 0 && ms > 0 ? ms / count : null;
    if (row.meanCostMs === null) continue;
    totalMs += ms;
    trials += count;
  }
  const studyMean = trials > 0 ? totalMs / trials : null;
  for (const row of rows) {
    row.relativeCost = row.meanCostMs === null || studyMean === null ? 1 : Math.min(RELATIVE_COST_RANGE[1], Math.max(RELATIVE_COST_RANGE[0], row.meanCostMs / studyMean));
  }
}

/**
 * The payoff per unit of cost the bandit weighs: the AUC payoff over the specialist's
 * relative cost per trial (`relativeCost`).
 *
 * @example payoffPerCost({ payoff: 0.5, relativeCost: 2 }) // 0.25: half as much per second as its payoff says
 */
export function payoffPerCost(row: Pick<SpecialistPayoff, 'payoff' | 'relativeCost'>): number {
  return row.payoff / row.relativeCost;
}

/**
 * The bandit's score of a specialist: payoff + C * sqrt(2 * log2(total) / uses), with
 * `uses` and `total` counted in the window; Infinity for a specialist without results
 * (never tried specialists come first).
 */
export function banditScore(payoff: number, uses: number, total: number, exploration: number): number {
  if (uses <= 0) return Infinity;
  return payoff + exploration * Math.sqrt((2 * Math.log2(Math.max(total, 1))) / uses);
}

/** Finished trials (the baseline not counted) in the order they finished. */
function resultsInFinishOrder(trials: readonly TrialRecord[]): TrialRecord[] {
  return trials
    .filter((trial) => trial.id !== 0 && trial.finishedAt !== null && (trial.status === 'kept' || trial.status === 'discarded' || trial.status === 'failed'))
    .sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '') || a.id - b.id);
}
