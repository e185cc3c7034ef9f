/**
 * The specialist table: how many trials each specialist ran, how many were kept, its
 * share of the improvement from the baseline to the incumbent, what it cost and what
 * it paid off.
 *
 * The improvement is attributed along the chain from the baseline to the incumbent:
 * each step's gain over its parent goes to the specialist that made it (the steps sum to
 * the incumbent's gain over the baseline). Payoff is that attributed gain per hour of
 * trial time the specialist consumed: what a scheduler would want to know.
 */
import { improvement } from '../core/acceptance.ts';
import type { Objective } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';

export interface SpecialistRow {
  specialist: string;
  trials: number;
  kept: number;
  discarded: number;
  failed: number;
  running: number;
  /** kept / finished (null before any finished). */
  keepRate: number | null;
  /** Gain (positive is better) of this specialist's steps on the chain to the incumbent. */
  improvement: number;
  /** `improvement` over the incumbent's total gain vs the baseline (null when there is none). */
  share: number | null;
  costUsd: number;
  computeMs: number;
  /** `improvement` per hour of trial time (null without trial time). */
  payoffPerHour: number | null;
}

/** Trials of one specialist and status, counted and summed (what `specialistTableOf` is built from). */
export interface SpecialistTotals {
  specialist: string;
  status: TrialRecord['status'];
  count: number;
  costUsd: number;
  computeMs: number;
}

/** One row per specialist (the baseline left out), most trials first; `chain` is baseline → incumbent. */
export function specialistTable(trials: readonly TrialRecord[], chain: readonly TrialRecord[], objective: Objective): SpecialistRow[] {
  const totals: SpecialistTotals[] = [];
  for (const trial of trials) {
    if (trial.id === 0) continue; // the baseline is no specialist's trial
    totals.push({ specialist: trial.specialist, status: trial.status, count: 1, costUsd: trial.cost?.usd ?? 0, computeMs: trial.timings.totalMs ?? 0 });
  }
  return specialistTableOf(totals, chain, objective);
}

/**
 * The specialist table from totals per specialist and status (the baseline's left out by
 * the caller): what `specialistTable` computes from every trial, and the dashboard from
 * the store's aggregate queries.
 *
 * @example
 * specialistTableOf([{ specialist: 'tuner', status: 'kept', count: 3, costUsd: 0, computeMs: 9000 }], chain, objective);
 */
export function specialistTableOf(totals: readonly SpecialistTotals[], chain: readonly TrialRecord[], objective: Objective): SpecialistRow[] {
  const rows = new Map<string, SpecialistRow>();
  const row = (name: string): SpecialistRow => {
    let existing = rows.get(name);
    if (!existing) {
      existing = { specialist: name, trials: 0, kept: 0, discarded: 0, failed: 0, running: 0, keepRate: null, improvement: 0, share: null, costUsd: 0, computeMs: 0, payoffPerHour: null };
      rows.set(name, existing);
    }
    return existing;
  };
  for (const total of totals) {
    const r = row(total.specialist);
    r.trials += total.count;
    if (total.status === 'kept') r.kept += total.count;
    else if (total.status === 'discarded') r.discarded += total.count;
    else if (total.status === 'failed') r.failed += total.count;
    else r.running += total.count;
    r.costUsd += total.costUsd;
    r.computeMs += total.computeMs;
  }
  let total = 0;
  for (let i = 1; i < chain.length; i++) {
    const step = chain[i]!;
    const parent = chain[i - 1]!;
    if (step.score === null || parent.score === null) continue;
    const gain = improvement(objective, step.score, parent.score);
    row(step.specialist).improvement += gain;
    total += gain;
  }
  for (const r of rows.values()) {
    const finished = r.kept + r.discarded + r.failed;
    r.keepRate = finished > 0 ? r.kept / finished : null;
    r.share = total > 0 ? r.improvement / total : null;
    r.payoffPerHour = r.computeMs > 0 ? r.improvement / (r.computeMs / 3_600_000) : null;
  }
  return [...rows.values()].sort((a, b) => b.trials - a.trials || a.specialist.localeCompare(b.specialist));
}
