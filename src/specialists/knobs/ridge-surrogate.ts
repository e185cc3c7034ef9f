/**
 * A cheap surrogate of one objective over an encoded knob space: ridge regression on each
 * numeric coordinate and its square (a separable quadratic) and a one-hot of each
 * categorical knob. It extrapolates a trend, which is what a multi-objective search needs
 * to tell which of several plausible candidates likely moves the front (the Parzen ratio
 * of TPE says where good trials are, not how good a new one would be). Fitting costs
 * O(n p^2 + p^3) for n points and p features: milliseconds for a study's history.
 */
import type { EncodedSpace } from './knob-encoding.ts';

/** A surrogate's prediction of a point: the mean, and the standard deviation of the error (leave-one-out residuals, wider away from the data). */
export interface Prediction {
  mean: number;
  sd: number;
}

/** A fitted surrogate: the prediction at a point (encoded, as the Parzen estimators see it). */
export type Surrogate = (point: readonly number[]) => Prediction;

/** The feature vector of an encoded point: 1, then per numeric coordinate x and (x - 0.5)^2, per categorical one a one-hot of all but its first choice. */
export function surrogateFeatures(encoded: EncodedSpace, point: readonly number[]): number[] {
  const features = [1];
  encoded.forEach((dimension, d) => {
    const value = point[d] as number;
    if (dimension.kind === 'categorical') {
      for (let c = 1; c < dimension.choices.length; c += 1) features.push(value === c ? 1 : 0);
      return;
    }
    features.push(value - 0.5, (value - 0.5) ** 2);
  });
  return features;
}

/**
 * Fits ridge regression of `targets` on the points' features (the intercept is not
 * penalised; `lambda` is relative to the number of points). Targets are standardised
 * inside, so `lambda` does not depend on their units. The error's spread is that of the
 * leave-one-out residuals (an honest measure of how well the model predicts a trial it
 * has not seen), widened by the point's leverage `phi' A^-1 phi` away from the data.
 *
 * @example
 * const predict = fitRidgeSurrogate(encoded, points, losses);
 * predict(candidate); // { mean: the predicted loss, sd: its error's spread }
 */
export function fitRidgeSurrogate(encoded: EncodedSpace, points: readonly (readonly number[])[], targets: readonly number[], lambda = 0.05): Surrogate {
  const rows = points.map((point) => surrogateFeatures(encoded, point));
  const p = rows[0]?.length ?? 1;
  const mean = targets.reduce((sum, value) => sum + value, 0) / Math.max(1, targets.length);
  const spread = Math.sqrt(targets.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, targets.length)) || 1;
  const gram = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const rhs = new Array<number>(p).fill(0);
  const ys = targets.map((value) => (value - mean) / spread);
  rows.forEach((row, n) => {
    for (let i = 0; i < p; i += 1) {
      rhs[i]! += (row[i] as number) * (ys[n] as number);
      for (let j = i; j < p; j += 1) gram[i]![j]! += (row[i] as number) * (row[j] as number);
    }
  });
  const penalty = lambda * Math.max(1, rows.length);
  for (let i = 0; i < p; i += 1) {
    for (let j = 0; j < i; j += 1) gram[i]![j] = gram[j]![i]!;
    gram[i]![i]! += i === 0 ? 1e-6 : penalty;
  }
  const factor = choleskyFactor(gram);
  const weights = choleskySolve(factor, rhs);
  const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, value, i) => sum + value * (b[i] as number), 0);
  const leverage = (features: readonly number[]) => dot(features, choleskySolve(factor, features));
  let squared = 0;
  rows.forEach((row, n) => {
    const residual = ((ys[n] as number) - dot(row, weights)) / Math.max(1 - leverage(row), 0.05);
    squared += residual * residual;
  });
  const errorSd = Math.sqrt(squared / Math.max(1, rows.length));
  return (point) => {
    const features = surrogateFeatures(encoded, point);
    return { mean: mean + spread * dot(features, weights), sd: spread * errorSd * Math.sqrt(1 + leverage(features)) };
  };
}

/** Solves `a x = b` for a symmetric positive definite `a` (Cholesky); `a` and `b` are not modified. */
export function solveSymmetric(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  return choleskySolve(choleskyFactor(a), b);
}

/** The lower-triangular `l` with `l l' = a` (diagonal floored, so a nearly singular `a` still factors). */
export function choleskyFactor(a: readonly (readonly number[])[]): number[][] {
  const n = a.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let sum = a[i]![j] as number;
      for (let k = 0; k < j; k += 1) sum -= l[i]![k]! * l[j]![k]!;
      if (i === j) l[i]![i] = Math.sqrt(Math.max(sum, 1e-12));
      else l[i]![j] = sum / l[j]![j]!;
    }
  }
  return l;
}

/** Solves `l l' x = b` given the Cholesky factor `l`. */
export function choleskySolve(l: readonly (readonly number[])[], b: readonly number[]): number[] {
  return backSubstitute(l, forwardSubstitute(l, b));
}

/** Solves `l y = b` for lower-triangular `l` (forward substitution). */
export function forwardSubstitute(l: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i += 1) {
    let sum = b[i] as number;
    for (let k = 0; k < i; k += 1) sum -= l[i]![k]! * y[k]!;
    y[i] = sum / l[i]![i]!;
  }
  return y;
}

/** Solves `l' x = y` for lower-triangular `l` (back substitution). */
export function backSubstitute(l: readonly (readonly number[])[], y: readonly number[]): number[] {
  const n = y.length;
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i -= 1) {
    let sum = y[i] as number;
    for (let k = i + 1; k < n; k += 1) sum -= l[k]![i]! * x[k]!;
    x[i] = sum / l[i]![i]!;
  }
  return x;
}
