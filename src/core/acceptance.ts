import type { AcceptanceSpec, Objective } from './task.ts';

/**
 * Signed improvement of `candidate` over `reference` in the objective's direction:
 * positive means better. `delta` printed to users is always candidate - reference.
 */
export function improvement(objective: Objective, candidate: number, reference: number): number {
  return objective.direction === 'minimize' ? reference - candidate : candidate - reference;
}

/** True when `a` is strictly better than `b` under the objective. */
export function isBetter(objective: Objective, a: number, b: number): boolean {
  return improvement(objective, a, b) > 0;
}

/**
 * The acceptance rule: keep a scored candidate when it beats the incumbent by more than
 * the margin. With no incumbent (the baseline itself), any valid score is kept.
 */
export function accepts(rule: AcceptanceSpec, objective: Objective, candidate: number, incumbent: number | null): boolean {
  if (!Number.isFinite(candidate)) return false;
  if (incumbent === null) return true;
  return improvement(objective, candidate, incumbent) > rule.margin;
}
