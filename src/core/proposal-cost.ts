/**
 * The cost model of a proposal, before it runs: its expected run time at each fidelity
 * level (one level without a ladder), predicted from its parent's measured run times, what
 * its diff changes, and what past trials' changes did to their cost. Pure.
 *
 * A trial costs its parent's run time times a factor; the factor's logarithm is learnt from
 * the study's past trials (each measured against its own parent at the same level) as a
 * ridge regression on the diff's features:
 * - every numeric value the diff changes under a name (`width = 64` → `width = 128`,
 *   `"steps": 200` → `"steps": 600`) gives `log(new / old)` for that name: the fitted
 *   coefficient is the cost's elasticity in that value (1: cost grows as the value does), so
 *   which names scale cost (width, steps, batch, ...) is learnt, never hard-coded;
 * - the size of the change (`log(1 + lines changed)`), for what a bigger rewrite costs.
 * With no past trials the factor is 1 (a change costs what its parent did); the ridge prior
 * pulls every coefficient toward 0 until trials say otherwise.
 */

/** A numeric value the diff changed under one name. */
export interface NumericChange {
  name: string;
  from: number;
  to: number;
}

/** A past trial, as the cost model learns from it. */
export interface CostObservation {
  /** log(its run time / its parent's run time), at a level both were measured at. */
  logRatio: number;
  features: Record<string, number>;
}

/** The fitted model: each feature's coefficient on the log of the cost factor. */
export interface ProposalCostModel {
  coefficients: Record<string, number>;
  /** Past trials it was fitted on. */
  observations: number;
}

/** The feature of a change's size. */
export const CHANGE_SIZE_FEATURE = 'change_size';
/** Ridge penalty: a coefficient needs about this many consistent trials to reach its full value. */
const RIDGE = 1;
/** A factor is kept within ×1/20..×20 (one odd fit must not predict absurd costs). */
const MAX_LOG_FACTOR = Math.log(20);

const ASSIGNMENT = /["']?([A-Za-z_][\w.-]*)["']?\s*[:=]\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\w.])/g;

/**
 * The numeric values a unified diff changes, by name: a name with a number on a removed
 * line and a different positive number on an added line of the same hunk.
 *
 * @example numericChanges('-WIDTH = 64\n+WIDTH = 128\n') // [{ name: 'WIDTH', from: 64, to: 128 }]
 */
export function numericChanges(diff: string): NumericChange[] {
  const changes = new Map<string, NumericChange>();
  for (const hunk of diff.split(/^@@.*$/m)) {
    const removed = new Map<string, number>();
    const added = new Map<string, number>();
    for (const line of hunk.split('\n')) {
      if (line.startsWith('---') || line.startsWith('+++')) continue;
      const target = line.startsWith('-') ? removed : line.startsWith('+') ? added : null;
      if (target === null) continue;
      for (const match of line.slice(1).matchAll(ASSIGNMENT)) target.set(match[1]!, Number(match[2]));
    }
    for (const [name, to] of added) {
      const from = removed.get(name);
      if (from === undefined || from === to || !(from > 0) || !(to > 0)) continue;
      changes.set(name, { name, from, to });
    }
  }
  return [...changes.values()];
}

/** Lines a unified diff adds or removes. */
export function changedLines(diff: string): number {
  return diff.split('\n').filter((line) => (line.startsWith('+') || line.startsWith('-')) && !line.startsWith('+++') && !line.startsWith('---')).length;
}

/**
 * A diff's features: `log(to / from)` of each changed numeric value, and the change's size.
 *
 * @example costFeatures('-steps: 200\n+steps: 400\n') // { steps: 0.693, change_size: 1.099 }
 */
export function costFeatures(diff: string): Record<string, number> {
  const features: Record<string, number> = { [CHANGE_SIZE_FEATURE]: Math.log1p(changedLines(diff)) };
  for (const change of numericChanges(diff)) features[change.name] = Math.log(change.to / change.from);
  return features;
}

/**
 * Fits the model on past trials (ridge regression without intercept: a trial that changes
 * nothing costs what its parent did).
 *
 * @example
 * const model = fitProposalCost([{ logRatio: Math.log(2), features: { width: Math.log(2), change_size: 1 } }, ...]);
 */
export function fitProposalCost(observations: readonly CostObservation[]): ProposalCostModel {
  const names = [...new Set(observations.flatMap((observation) => Object.keys(observation.features)))].sort();
  if (names.length === 0) return { coefficients: {}, observations: observations.length };
  const size = names.length;
  const matrix = names.map((_, row) => names.map((__, column) => (row === column ? RIDGE : 0)));
  const vector = names.map(() => 0);
  for (const observation of observations) {
    const x = names.map((name) => observation.features[name] ?? 0);
    for (let row = 0; row < size; row++) {
      vector[row]! += x[row]! * observation.logRatio;
      for (let column = 0; column < size; column++) matrix[row]![column]! += x[row]! * x[column]!;
    }
  }
  const solved = solve(matrix, vector);
  return { coefficients: Object.fromEntries(names.map((name, index) => [name, solved[index]!])), observations: observations.length };
}

/**
 * The factor by which a diff with `features` multiplies its parent's cost, and each
 * feature's part of it (its coefficient times its value, on the log scale).
 *
 * @example costFactor(model, costFeatures(diff)).factor // 1.9: about twice the parent's run time
 */
export function costFactor(model: ProposalCostModel, features: Record<string, number>): { factor: number; terms: Array<{ feature: string; value: number; coefficient: number }> } {
  let log = 0;
  const terms: Array<{ feature: string; value: number; coefficient: number }> = [];
  for (const [feature, value] of Object.entries(features)) {
    const coefficient = model.coefficients[feature] ?? 0;
    log += coefficient * value;
    if (coefficient !== 0) terms.push({ feature, value, coefficient });
  }
  return { factor: Math.exp(Math.max(-MAX_LOG_FACTOR, Math.min(MAX_LOG_FACTOR, log))), terms };
}

/** Gaussian elimination with partial pivoting on a small symmetric positive definite system. */
function solve(matrix: number[][], vector: number[]): number[] {
  const n = vector.length;
  const a = matrix.map((row, index) => [...row, vector[index]!]);
  for (let column = 0; column < n; column++) {
    let pivot = column;
    for (let row = column + 1; row < n; row++) if (Math.abs(a[row]![column]!) > Math.abs(a[pivot]![column]!)) pivot = row;
    [a[column], a[pivot]] = [a[pivot]!, a[column]!];
    const head = a[column]!;
    for (let row = column + 1; row < n; row++) {
      const ratio = a[row]![column]! / head[column]!;
      for (let k = column; k <= n; k++) a[row]![k]! -= ratio * head[k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let row = n - 1; row >= 0; row--) {
    let sum = a[row]![n]!;
    for (let k = row + 1; k < n; k++) sum -= a[row]![k]! * x[k]!;
    x[row] = sum / a[row]![row]!;
  }
  return x;
}
