/**
 * The shape an earlier study measured, carried to this study: a quadratic response
 * surface fitted to the earlier study's trials gives the curvature of the objective around
 * its optimum (which knobs matter how much and how they interact, as warm-started
 * CMA-ES carries the covariance of the source task's promising region); this study then
 * fits only where that shape sits and how deep it is, `loss ≈ a + b·(x − c)ᵀH(x − c)`
 * with the earlier curvature H, from its own trials: d + 2 numbers for d numeric knobs,
 * linear in (a, b, l = −2bHc), so a handful of trials place it. The fitted centre c is
 * the next proposal and c − (the earlier centre) says which knobs moved and how far.
 *
 * Whether the shape holds here is measured, not assumed: the leave-one-out R² of that fit
 * over this study's trials (the earlier shape must predict trials it was not fitted on),
 * and a bowl that opens upwards (b > 0). An unrelated earlier study fails it once this
 * study has trials away from the earlier optimum, and its proposals stop. Pure.
 */
import { choleskyFactor, choleskySolve } from './ridge-surrogate.ts';
import type { EncodedSpace } from './knob-encoding.ts';
import { symmetricEigen } from './sampler-math.ts';

/** The curvature of an earlier study's objective over this study's numeric knobs. */
export interface SourceShape {
  /** Indices (in the encoded space) of the numeric knobs it covers. */
  dims: number[];
  /** Positive definite curvature over `dims` (unit coordinates, centred at 0.5). */
  curvature: number[][];
  /** The earlier study's fitted optimum over `dims` (unit coordinates). */
  centre: number[];
}

/** Eigenvalues of the curvature are floored at this share of the largest (a knob the earlier study found flat stays searchable). */
const FLOOR = 0.05;
/** The earlier study's trials weigh exp(-4·rank) (rank 0 best … 1 worst): its shape near its optimum counts. */
const SOURCE_WEIGHT = 4;
/** This study's trials weigh by their distance to its best (a Gaussian of this RMS width per knob, floored at 0.05): the fit is local. */
const LOCAL_WIDTH = 0.25;

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i]! * b[i]!;
  return sum;
}

/** Weighted ridge least squares (the first coefficient, the intercept, unpenalised); also the leverage of each row. */
function weightedFit(rows: readonly number[][], ys: readonly number[], weights: readonly number[], ridge: number): { coef: number[]; leverage: number[] } {
  const p = rows[0]!.length;
  const gram = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const rhs = new Array<number>(p).fill(0);
  rows.forEach((row, n) => {
    const w = weights[n]!;
    for (let i = 0; i < p; i += 1) {
      rhs[i]! += w * row[i]! * ys[n]!;
      for (let j = 0; j < p; j += 1) gram[i]![j]! += w * row[i]! * row[j]!;
    }
  });
  for (let i = 1; i < p; i += 1) gram[i]![i]! += ridge;
  gram[0]![0]! += 1e-9;
  const factor = choleskyFactor(gram);
  const coef = choleskySolve(factor, rhs);
  const leverage = rows.map((row, n) => weights[n]! * dot(row, choleskySolve(factor, row)));
  return { coef, leverage };
}

function standardise(values: readonly number[]): number[] {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const sd = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length) || 1;
  return values.map((value) => (value - mean) / sd);
}

/**
 * The other knobs' (categorical) choices that get an offset of their own in the fit: every
 * choice this study measured but its first, on knobs where it measured two or more. Without
 * them a choice that matters reads as noise the earlier shape does not explain, and a related
 * study's shape would be judged not to hold.
 */
function choiceOffsets(dims: readonly number[], measured: ReadonlyArray<{ point: readonly number[] }>): Array<[number, number]> {
  const offsets: Array<[number, number]> = [];
  const length = measured[0]?.point.length ?? 0;
  for (let index = 0; index < length; index += 1) {
    if (dims.includes(index)) continue;
    const choices = [...new Set(measured.map((entry) => entry.point[index]!))].sort((a, b) => a - b);
    for (const choice of choices.slice(1)) offsets.push([index, choice]);
  }
  return offsets;
}

/**
 * The earlier study's shape: a full quadratic (a separable one when it has fewer than
 * twice the trials a full one needs; an offset per choice of the categorical knobs) fitted to its trials, the better ones weighing more
 * (`exp(-4·rank)`, rank 0 best … 1 worst), its curvature made positive definite. Null
 * when there is no numeric knob or the fit does not open upwards at all.
 *
 * @example
 * const shape = sourceShape(encoded, earlier.points); // { dims: [0, 1, 2], curvature: [[2.1, 0.5, 0], ...], centre: [0.3, 0.6, 0.2] }
 */
export function sourceShape(encoded: EncodedSpace, points: ReadonlyArray<{ point: readonly number[]; loss: number; quantile: number }>): SourceShape | null {
  const dims = encoded.flatMap((dimension, index) => (dimension.kind === 'numeric' ? [index] : []));
  const d = dims.length;
  if (d === 0) return null;
  const full = points.length >= 2 * (1 + d + (d * (d + 1)) / 2);
  if (points.length < 2 * (1 + 2 * d)) return null;
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < d; i += 1) for (let j = i; j < d; j += 1) if (full || i === j) pairs.push([i, j]);
  const offsets = choiceOffsets(dims, points);
  const rows = points.map(({ point }) => {
    const z = dims.map((index) => point[index]! - 0.5);
    return [1, ...z, ...pairs.map(([i, j]) => z[i]! * z[j]!), ...offsets.map(([index, choice]) => (point[index] === choice ? 1 : 0))];
  });
  const { coef } = weightedFit(rows, standardise(points.map((entry) => entry.loss)), points.map((entry) => Math.exp(-SOURCE_WEIGHT * entry.quantile)), 1e-3);
  const hessian = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  pairs.forEach(([i, j], k) => {
    const c = coef[1 + d + k]!;
    if (i === j) hessian[i]![i] = 2 * c;
    else {
      hessian[i]![j] = c;
      hessian[j]![i] = c;
    }
  });
  const { values, vectors } = symmetricEigen(hessian);
  const largest = Math.max(...values);
  if (!(largest > 0)) return null;
  const clipped = values.map((value) => Math.max(value, FLOOR * largest));
  // curvature = V diag(λ) Vᵀ with the floored eigenvalues
  const curvature = hessian.map((_, i) => hessian.map((__, j) => clipped.reduce((sum, lambda, k) => sum + lambda * vectors[i]![k]! * vectors[j]![k]!, 0)));
  const gradient = coef.slice(1, 1 + d);
  const z = choleskySolve(choleskyFactor(curvature), gradient).map((value) => -value);
  return { dims, curvature, centre: z.map((value) => Math.min(1, Math.max(0, 0.5 + value))) };
}

/** The earlier shape placed on this study's trials. */
export interface ShapeFit {
  /** Where this study's optimum lies by the fit (unit coordinates over `shape.dims`, inside the box). */
  centre: number[];
  /** Leave-one-out R² of the fit over this study's trials (1 perfect, ≤ 0 no better than their mean). */
  r2: number;
  /** The fit's predicted loss at `centre` and at the point given as this study's best. */
  predictedAtCentre: number;
  predictedAtBest: number;
}

/**
 * Fits `loss ≈ a + b·(x − c)ᵀH(x − c)` with the earlier curvature H (plus an offset per
 * choice of the other, categorical knobs) to this study's measured trials, weighted by their nearness to `best` (a local fit); null with fewer than d + 3 trials or when the fitted bowl does not
 * open upwards (b ≤ 0: this study's trials contradict the shape). The centre is the bowl's
 * minimum inside the unit box (projected Newton steps).
 *
 * @example
 * const fit = fitShape(shape, measured, best.point); // { centre: [0.4, 0.5, 0.3], r2: 0.93, ... }
 */
export function fitShape(shape: SourceShape, measured: ReadonlyArray<{ point: readonly number[]; loss: number }>, best: readonly number[]): ShapeFit | null {
  const d = shape.dims.length;
  if (measured.length < d + 3) return null;
  const h = shape.curvature;
  const offsets = choiceOffsets(shape.dims, measured);
  const features = (point: readonly number[]): number[] => {
    const z = shape.dims.map((index) => point[index]! - 0.5);
    const hz = h.map((row) => dot(row, z));
    return [1, dot(z, hz), ...z, ...offsets.map(([index, choice]) => (point[index] === choice ? 1 : 0))];
  };
  const rows = measured.map((entry) => features(entry.point));
  const losses = measured.map((entry) => entry.loss);
  const mean = losses.reduce((sum, value) => sum + value, 0) / losses.length;
  const sd = Math.sqrt(losses.reduce((sum, value) => sum + (value - mean) ** 2, 0) / losses.length) || 1;
  const ys = losses.map((value) => (value - mean) / sd);
  const distance = (point: readonly number[]) => Math.sqrt(shape.dims.reduce((sum, index) => sum + (point[index]! - best[index]!) ** 2, 0) / d);
  const weights = measured.map((entry) => Math.max(0.05, Math.exp(-0.5 * (distance(entry.point) / LOCAL_WIDTH) ** 2)));
  const { coef, leverage } = weightedFit(rows, ys, weights, 1e-6);
  const b = coef[1]!;
  if (!(b > 0)) return null;
  const wmean = ys.reduce((sum, value, n) => sum + weights[n]! * value, 0) / weights.reduce((sum, value) => sum + value, 0);
  let press = 0;
  let total = 0;
  rows.forEach((row, n) => {
    const residual = (ys[n]! - dot(row, coef)) / Math.max(1 - leverage[n]!, 0.02);
    press += weights[n]! * residual * residual;
    total += weights[n]! * (ys[n]! - wmean) ** 2;
  });
  const linear = coef.slice(2, 2 + d);
  // Minimum of b zᵀHz + lᵀz inside the box z ∈ [-0.5, 0.5]^d: Newton's step, then projected gradient steps.
  let z = choleskySolve(choleskyFactor(h), linear).map((value) => Math.min(0.5, Math.max(-0.5, -value / (2 * b))));
  const step = 1 / (2 * b * Math.max(...h.map((row) => row.reduce((sum, value) => sum + Math.abs(value), 0))));
  for (let iteration = 0; iteration < 200; iteration += 1) {
    const gradient = h.map((row, i) => 2 * b * dot(row, z) + linear[i]!);
    z = z.map((value, i) => Math.min(0.5, Math.max(-0.5, value - step * gradient[i]!)));
  }
  const centre = z.map((value) => value + 0.5);
  const full = [...best];
  shape.dims.forEach((index, k) => (full[index] = centre[k]!));
  const predict = (point: readonly number[]) => mean + sd * dot(features(point), coef);
  return { centre, r2: total > 0 ? 1 - press / total : 0, predictedAtCentre: predict(full), predictedAtBest: predict(best) };
}
