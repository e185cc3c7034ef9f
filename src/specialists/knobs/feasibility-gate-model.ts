/**
 * A gate miss says by how much: every trial that ran has the gate's metric (the passes and
 * the misses alike), so instead of only "passed / missed", the metric itself is modelled
 * as a function of the knobs (as constrained Bayesian optimisation models the constraint
 * function). A ridge regression of the metric (its log when positive) on the knobs (their
 * logs when positive, else their unit coordinate; categorical choices one-hot) predicts it
 * at a new value set, with the residual spread; the probability of missing the gate is
 * that of the prediction landing on the wrong side. `artifact_bytes` of a model grows as
 * `depth * width^2`: in logs that is linear, learned exactly from a handful of trials.
 */
import type { Hypothesis } from './feasibility-evidence.ts';
import type { FeasibilityPoint } from './feasibility-features.ts';
import type { EncodedSpace } from './knob-encoding.ts';
import { normalCdf } from './sampler-math.ts';

/** The gate a `gate_miss` signature names, e.g. `gate_miss artifact_bytes <= 16000000`. */
export interface GateOfCause {
  metric: string;
  op: '<=' | '<' | '>=' | '>';
  value: number;
}

/** The gate of a cause, when it is one gate on a number (`==` and `!=` gates are not modelled). */
export function gateOfCause(cause: string): GateOfCause | null {
  const match = /^gate_miss (\S+) (<=|<|>=|>) (\S+)$/.exec(cause);
  if (match === null) return null;
  const value = Number(match[3]);
  return Number.isFinite(value) ? { metric: match[1] as string, op: match[2] as GateOfCause['op'], value } : null;
}

/** A point of the cause's data with the metrics its trial recorded. */
export interface MeasuredPoint {
  point: FeasibilityPoint;
  failed: boolean;
  metrics?: Readonly<Record<string, number>>;
}

/** Solves the symmetric positive definite system `A x = b` (Gaussian elimination with partial pivoting); null when singular. */
function solve(matrix: number[][], vector: number[]): number[] | null {
  const n = vector.length;
  const a = matrix.map((row, i) => [...row, vector[i] as number]);
  for (let column = 0; column < n; column += 1) {
    let pivot = column;
    for (let row = column + 1; row < n; row += 1) if (Math.abs(a[row]![column] as number) > Math.abs(a[pivot]![column] as number)) pivot = row;
    if (Math.abs(a[pivot]![column] as number) < 1e-12) return null;
    [a[column], a[pivot]] = [a[pivot]!, a[column]!];
    for (let row = 0; row < n; row += 1) {
      if (row === column) continue;
      const factor = (a[row]![column] as number) / (a[column]![column] as number);
      for (let k = column; k <= n; k += 1) a[row]![k] = (a[row]![k] as number) - factor * (a[column]![k] as number);
    }
  }
  return a.map((row, i) => (row[n] as number) / (row[i] as number));
}

/** The regression's inputs: an intercept, then one or more columns per knob. */
function featuresOf(encoded: EncodedSpace, point: FeasibilityPoint): number[] {
  const row = [1];
  encoded.forEach((dimension, d) => {
    if (dimension.kind === 'categorical') {
      for (let choice = 1; choice < dimension.choices.length; choice += 1) row.push(point.unit[d] === choice ? 1 : 0);
    } else if (dimension.knob.low > 0) row.push(Math.log(Math.max(point.values[dimension.knob.name] as number, 1e-300)));
    else row.push(point.unit[d] as number);
  });
  return row;
}

/**
 * The regression hypothesis for a gate cause, or null when the gate is not modelled, a
 * trial lacks the metric, or there are too few trials for the regression (more than its
 * inputs plus two). Its evidence is its leave-one-out predictive likelihood of the
 * passes and misses, comparable with the other hypotheses' marginal likelihoods.
 */
export function gateMetricHypothesis(gate: GateOfCause, encoded: EncodedSpace, data: readonly MeasuredPoint[], logPrior: number): Hypothesis | null {
  const values = data.map((entry) => entry.metrics?.[gate.metric]);
  if (values.some((value) => value === undefined || !Number.isFinite(value))) return null;
  const logScale = (values as number[]).every((value) => value > 0) && gate.value > 0;
  const transform = (value: number): number => (logScale ? Math.log(value) : value);
  const y = (values as number[]).map(transform);
  const rows = data.map((entry) => featuresOf(encoded, entry.point));
  const p = rows[0]?.length ?? 0;
  if (data.length < p + 3) return null;
  // Ridge normal equations.
  const gram = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => rows.reduce((sum, row) => sum + (row[i] as number) * (row[j] as number), 0) + (i === j && i > 0 ? 1e-6 * data.length : 0)));
  const weights = solve(gram, Array.from({ length: p }, (_, i) => rows.reduce((sum, row, k) => sum + (row[i] as number) * (y[k] as number), 0)));
  if (weights === null) return null;
  const inverse = Array.from({ length: p }, (_, column) => solve(gram, Array.from({ length: p }, (_, i) => (i === column ? 1 : 0))));
  if (inverse.some((column) => column === null)) return null;
  const leverage = (row: readonly number[]): number => {
    let sum = 0;
    for (let i = 0; i < p; i += 1) for (let j = 0; j < p; j += 1) sum += (row[i] as number) * (inverse[j]![i] as number) * (row[j] as number);
    return Math.max(0, sum);
  };
  const predict = (row: readonly number[]): number => row.reduce((sum, x, i) => sum + x * (weights[i] as number), 0);
  const residuals = rows.map((row, k) => (y[k] as number) - predict(row));
  const spread = Math.max(1e-3 * (Math.abs(transform(gate.value)) || 1), Math.sqrt(residuals.reduce((sum, r) => sum + r * r, 0) / Math.max(1, data.length - p)));
  const threshold = transform(gate.value);
  const missProbability = (mean: number, sd: number): number => {
    const z = (threshold - mean) / sd;
    return gate.op === '<=' || gate.op === '<' ? 1 - normalCdf(z) : normalCdf(z);
  };
  let logEvidence = 0;
  rows.forEach((row, k) => {
    const h = Math.min(leverage(row), 0.99);
    const heldOut = (y[k] as number) - (residuals[k] as number) / (1 - h);
    const miss = Math.min(1 - 1e-4, Math.max(1e-4, missProbability(heldOut, spread * Math.sqrt(1 + h / (1 - h)))));
    logEvidence += Math.log((data[k] as MeasuredPoint).failed ? miss : 1 - miss);
  });
  return {
    family: 'metric',
    rule: `predicted ${gate.metric} ${gate.op === '<=' || gate.op === '<' ? '>' : '<'} ${gate.value} (a regression of ${logScale ? 'log ' : ''}${gate.metric} on the knobs)`,
    member: `metric ${gate.metric}`,
    knobs: encoded.map((dimension) => dimension.knob.name),
    logWeight: logPrior + logEvidence,
    failureProbability(point) {
      const row = featuresOf(encoded, point);
      return missProbability(predict(row), spread * Math.sqrt(1 + leverage(row)));
    },
  };
}
