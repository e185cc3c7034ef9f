/**
 * A small Gaussian-process surrogate of one objective over an encoded knob space, for the
 * multi-objective acquisition (`hypervolume-acquisition.ts`). Its kernel is the ridge
 * surrogate's separable quadratic (`ridge-surrogate.ts`) in Bayesian form, plus a squared
 * exponential over the encoded distance that learns what the quadratic misses (the
 * interactions of DTLZ2's position knobs, a categorical knob changing a trend):
 *
 *   k(a, b) = 1 + tau2 phi(a)'phi(b) + s2 exp(-|a - b|^2 / (2 l2)) (+ noise2 on the diagonal)
 *
 * with `phi` the ridge features, `|a - b|^2` summing squared differences of numeric
 * coordinates and 1 per differing categorical knob. The hyperparameters are chosen on a
 * small grid by the log marginal likelihood, one group at a time (noise and linear scale
 * with no squared exponential; then its amplitude and length scale; then the noise
 * again), so that with a quadratic truth it stays the ridge and with anything else it
 * learns how far its data say something. Targets are standardised inside. Fitting is
 * O(n^3) per grid point on precomputed Gram matrices: a few milliseconds for a study.
 */
import type { EncodedSpace } from './knob-encoding.ts';
import { backSubstitute, choleskyFactor, forwardSubstitute, surrogateFeatures, type Surrogate } from './ridge-surrogate.ts';

/** The hyperparameters of a fitted surrogate (standardised targets). */
export interface GpHyperparameters {
  noise2: number;
  tau2: number;
  s2: number;
  /** The squared length scale, in units of the mean squared distance of two uniform points. */
  l2: number;
}

const NOISE = [0.001, 0.01, 0.05, 0.2];
const TAU = [0.03, 0.3, 3];
const AMPLITUDE = [0.1, 0.5, 1.5];
const LENGTH = [0.05, 0.15, 0.5, 1.5];

/** Squared encoded distance: numeric coordinates squared, 1 per differing categorical knob. */
function distance2(encoded: EncodedSpace, a: readonly number[], b: readonly number[]): number {
  let total = 0;
  for (let d = 0; d < encoded.length; d += 1) {
    if (encoded[d]!.kind === 'categorical') total += a[d] === b[d] ? 0 : 1;
    else total += ((a[d] as number) - (b[d] as number)) ** 2;
  }
  return total;
}

/** The mean squared distance of two uniform points of the space (1/6 per numeric knob, about 1 - 1/c per categorical one). */
function typicalDistance2(encoded: EncodedSpace): number {
  return Math.max(1e-9, encoded.reduce((sum, dimension) => sum + (dimension.kind === 'categorical' ? 1 - 1 / Math.max(1, dimension.choices.length) : 1 / 6), 0));
}

interface Gram {
  linear: number[][];
  distance: number[][];
}

function kernelMatrix(gram: Gram, h: GpHyperparameters, scale2: number): number[][] {
  const n = gram.linear.length;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => 1 + h.tau2 * gram.linear[i]![j]! + (h.s2 > 0 ? h.s2 * Math.exp(-gram.distance[i]![j]! / (2 * h.l2 * scale2)) : 0) + (i === j ? h.noise2 : 0)),
  );
}

/** The log marginal likelihood of `ys` under the kernel (up to a constant), with its factor. */
function evidence(gram: Gram, ys: readonly number[], h: GpHyperparameters, scale2: number): { value: number; factor: number[][] } {
  const factor = choleskyFactor(kernelMatrix(gram, h, scale2));
  const z = forwardSubstitute(factor, ys);
  let value = 0;
  for (let i = 0; i < ys.length; i += 1) value -= 0.5 * z[i]! * z[i]! + Math.log(factor[i]![i]!);
  return { value, factor };
}

/**
 * Fits the surrogate of `targets` at `points` (encoded): the hyperparameters with the
 * best marginal likelihood on the grid, the posterior mean, and the error's spread (the
 * posterior's plus the fitted noise: the model's misfit is uncertainty about the outcome).
 *
 * @example
 * const predict = fitGpSurrogate(encoded, points, losses);
 * predict(candidate); // { mean, sd }
 */
export function fitGpSurrogate(encoded: EncodedSpace, points: readonly (readonly number[])[], targets: readonly number[]): Surrogate & { hyperparameters: GpHyperparameters } {
  const n = points.length;
  const mean = targets.reduce((sum, value) => sum + value, 0) / Math.max(1, n);
  const spread = Math.sqrt(targets.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, n)) || 1;
  const ys = targets.map((value) => (value - mean) / spread);
  const features = points.map((point) => surrogateFeatures(encoded, point).slice(1));
  const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, value, i) => sum + value * (b[i] as number), 0);
  const gram: Gram = {
    linear: features.map((a) => features.map((b) => dot(a, b))),
    distance: points.map((a) => points.map((b) => distance2(encoded, a, b))),
  };
  const scale2 = typicalDistance2(encoded);
  let best = { h: { noise2: 0.05, tau2: 0.3, s2: 0, l2: 0.5 }, value: -Infinity, factor: [] as number[][] };
  const consider = (h: GpHyperparameters) => {
    const result = evidence(gram, ys, h, scale2);
    if (result.value > best.value) best = { h, ...result };
  };
  for (const noise2 of NOISE) for (const tau2 of TAU) consider({ noise2, tau2, s2: 0, l2: 0.5 });
  const linear = best.h;
  for (const s2 of AMPLITUDE) for (const l2 of LENGTH) consider({ ...linear, s2, l2 });
  const withKernel = best.h;
  for (const noise2 of NOISE) if (noise2 !== withKernel.noise2) consider({ ...withKernel, noise2 });
  const { h, factor } = best;
  const alpha = backSubstitute(factor, forwardSubstitute(factor, ys));
  const prior = (a: readonly number[], phiA: readonly number[], b: readonly number[], phiB: readonly number[]) => 1 + h.tau2 * dot(phiA, phiB) + (h.s2 > 0 ? h.s2 * Math.exp(-distance2(encoded, a, b) / (2 * h.l2 * scale2)) : 0);
  const predict = (point: readonly number[]) => {
    const phi = surrogateFeatures(encoded, point).slice(1);
    const k = points.map((other, i) => prior(point, phi, other, features[i]!));
    const v = forwardSubstitute(factor, k);
    const variance = Math.max(0, prior(point, phi, point, phi) - dot(v, v)) + h.noise2;
    return { mean: mean + spread * dot(k, alpha), sd: spread * Math.sqrt(variance) };
  };
  return Object.assign(predict, { hyperparameters: h });
}
