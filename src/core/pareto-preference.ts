/**
 * "The" recommended trial of a front: the user's preferred trade-off. Objectives are
 * normalised over the front (the best member 0, the worst 1, in each objective's
 * direction) so that weights and targets do not depend on units. `weights` picks the
 * member with the least weighted sum of normalised losses; `target` (a reference point
 * of aspiration levels, in the objectives' units; objectives it leaves out do not count)
 * picks the member with the least largest normalised shortfall from it, negative where
 * it surpasses the target (the achievement scalarising function of Wierzbicki's
 * reference point method): the member that best achieves what was asked for.
 * With no preference, equal weights.
 */
import { toLosses, type FrontMember } from './pareto.ts';
import type { Objective, ParetoPreference } from './task.ts';

/**
 * The front member the preference recommends (ties: the oldest), or null for an empty front.
 *
 * @example
 * recommendFrontMember(objectives, front, { weights: { val_bpb: 3, artifact_bytes: 1 } });
 * recommendFrontMember(objectives, front, { target: { val_bpb: 1.2, artifact_bytes: 8e6 } });
 */
export function recommendFrontMember<T extends FrontMember>(objectives: readonly Objective[], front: readonly T[], preference?: ParetoPreference): T | null {
  if (front.length === 0) return null;
  const losses = front.map((member) => toLosses(objectives, member.values));
  const low = objectives.map((_, k) => Math.min(...losses.map((loss) => loss[k]!)));
  const high = objectives.map((_, k) => Math.max(...losses.map((loss) => loss[k]!)));
  const normalise = (value: number, k: number): number => (high[k]! > low[k]! ? (value - low[k]!) / (high[k]! - low[k]!) : 0);
  let score: (loss: number[]) => number;
  if (preference && 'target' in preference) {
    const targetLoss = toLosses(objectives, objectives.map((objective) => preference.target[objective.metric] ?? Number.NaN));
    score = (loss) => Math.max(...loss.map((value, k) => (Number.isFinite(targetLoss[k]!) ? normalise(value, k) - normalise(targetLoss[k]!, k) : 0)));
  } else {
    const weights = objectives.map((objective) => (preference && 'weights' in preference ? (preference.weights[objective.metric] ?? 0) : 1));
    score = (loss) => loss.reduce((sum, value, k) => sum + weights[k]! * normalise(value, k), 0);
  }
  let best = 0;
  let bestScore = Infinity;
  losses.forEach((loss, index) => {
    const value = score(loss);
    if (value < bestScore - 1e-12) {
      bestScore = value;
      best = index;
    }
  });
  return front[best] ?? null;
}
