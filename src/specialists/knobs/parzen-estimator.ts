/**
 * A multivariate Parzen estimator over an encoded knob space, as TPE uses it: a weighted
 * mixture with one product kernel per observed point (truncated normals on numeric
 * coordinates, smoothed one-hot distributions on categorical ones) plus one wide prior
 * kernel. Sampling and density both treat all knobs jointly (Optuna's `multivariate=True`).
 */
import type { EncodedSpace } from './knob-encoding.ts';
import { logSumExp, logTruncatedNormal, logUnitMass, sampleTruncatedNormal } from './sampler-math.ts';

/** How kernels are sized. */
export interface ParzenOptions {
  /** Weight of the prior kernel relative to one observation's. Default 1. */
  priorWeight?: number;
  /**
   * Bandwidth of numeric kernels, as a multiple of the weighted spread of the points in
   * that coordinate times Scott's factor `n^(-1/(d+4))`. Default 1.
   */
  bandwidthFactor?: number;
  /** Smallest bandwidth in the unit interval (ints also at least half a level). Default 0.01. */
  minBandwidth?: number;
  /** Largest bandwidth in the unit interval. Default 1. */
  maxBandwidth?: number;
  /** `adaptive`: Scott's rule over the points' spread; `fixed`: Optuna's `0.2 n^(-1/(d+4))`. Default adaptive. */
  bandwidthRule?: 'adaptive' | 'fixed';
  /** Probability mass spread over every choice of a categorical kernel, relative to the observed one's 1. Default `priorWeight / kernels` (Optuna's). */
  choiceSmoothing?: number;
  /** Bandwidths to use instead of computing them (one per dimension; categorical ignored). */
  bandwidths?: readonly number[];
  /** Include the prior kernel. Default true (a mixture without points is the prior alone regardless). */
  withPrior?: boolean;
  /** Optuna's floor `1 / min(100, 1 + kernels)` on top of `minBandwidth`. Default true. */
  magicClip?: boolean;
}

/** Kernel weights by age (Optuna's `default_weights`): the last 25 count fully, older ones ramp down. */
export function ageWeights(count: number): number[] {
  if (count < 25) return Array.from({ length: count }, () => 1);
  const ramp = count - 25;
  const weights: number[] = [];
  for (let index = 0; index < ramp; index += 1) weights.push(ramp === 1 ? 1 / count : 1 / count + ((1 - 1 / count) * index) / (ramp - 1));
  for (let index = 0; index < 25; index += 1) weights.push(1);
  return weights;
}

/** A fitted estimator. */
export interface ParzenEstimator {
  /** Number of kernels, the prior included. */
  readonly size: number;
  /** The bandwidth of the observed kernels per dimension (0 for categorical ones). */
  readonly bandwidths: readonly number[];
  /** A point drawn from the mixture (numeric coordinates in [0, 1], categorical indices). */
  sample(random: () => number): number[];
  /** Log density of a point under the mixture. */
  logPdf(point: readonly number[]): number;
  /** A point whose every coordinate is drawn from its own kernel (the product of the marginals, as univariate TPE samples). */
  sampleMarginals(random: () => number): number[];
  /** Log density of each coordinate of a point under the mixture's marginal there (univariate TPE's densities). */
  marginalLogPdfs(point: readonly number[]): number[];
}

/**
 * Fits the estimator to `points` (oldest first; the last 25 weigh fully, see
 * {@link ageWeights}). With no points it is the prior alone: uniform-ish on numeric
 * coordinates (a normal of width 1 centred in the interval), uniform on choices.
 */
export function fitParzenEstimator(encoded: EncodedSpace, points: readonly (readonly number[])[], options: ParzenOptions = {}, pointWeights?: readonly number[]): ParzenEstimator {
  const priorWeight = options.priorWeight ?? 1;
  const dimensions = encoded.length;
  const count = points.length;
  const withPrior = options.withPrior !== false || count === 0;
  const kernels = withPrior ? count + 1 : count;

  const rawWeights = [...(pointWeights ?? ageWeights(count)), ...(withPrior ? [priorWeight] : [])];
  const total = rawWeights.reduce((sum, weight) => sum + weight, 0);
  const weights = rawWeights.map((weight) => weight / total);
  const logWeights = weights.map((weight) => Math.log(weight));
  const bandwidths = kernelBandwidths(encoded, points, rawWeights, kernels, options);
  const { mus, sigmas, logMasses, choiceLogProbs } = buildKernels(encoded, points, bandwidths, kernels, options.choiceSmoothing ?? priorWeight / kernels);

  const pickKernel = (random: () => number): number => {
    let u = random();
    for (let k = 0; k < kernels; k += 1) {
      u -= weights[k] as number;
      if (u < 0) return k;
    }
    return kernels - 1;
  };

  return {
    size: kernels,
    bandwidths,
    sample(random) {
      const k = pickKernel(random);
      return encoded.map((dimension, d) => {
        if (dimension.kind === 'categorical') return sampleChoice((choiceLogProbs[k]![d] as number[]).map(Math.exp), random);
        return sampleTruncatedNormal(mus[k]![d] as number, sigmas[k]![d] as number, random);
      });
    },
    sampleMarginals(random) {
      return encoded.map((dimension, d) => {
        const k = pickKernel(random);
        if (dimension.kind === 'categorical') return sampleChoice((choiceLogProbs[k]![d] as number[]).map(Math.exp), random);
        return sampleTruncatedNormal(mus[k]![d] as number, sigmas[k]![d] as number, random);
      });
    },
    marginalLogPdfs(point) {
      const result: number[] = [];
      const terms = new Array<number>(kernels);
      for (let d = 0; d < dimensions; d += 1) {
        const dimension = encoded[d]!;
        for (let k = 0; k < kernels; k += 1) {
          terms[k] = (logWeights[k] as number) + (dimension.kind === 'categorical' ? (choiceLogProbs[k]![d]![point[d] as number] as number) : logTruncatedNormal(point[d] as number, mus[k]![d] as number, sigmas[k]![d] as number, logMasses[k]![d] as number));
        }
        result.push(logSumExp(terms));
      }
      return result;
    },
    logPdf(point) {
      const terms: number[] = [];
      for (let k = 0; k < kernels; k += 1) {
        let log = logWeights[k] as number;
        for (let d = 0; d < dimensions; d += 1) {
          const dimension = encoded[d]!;
          if (dimension.kind === 'categorical') log += choiceLogProbs[k]![d]![point[d] as number] as number;
          else log += logTruncatedNormal(point[d] as number, mus[k]![d] as number, sigmas[k]![d] as number, logMasses[k]![d] as number);
        }
        terms.push(log);
      }
      return logSumExp(terms);
    },
  };
}

/** Index drawn from `probs` (summing to 1). */
function sampleChoice(probs: readonly number[], random: () => number): number {
  let u = random();
  for (let c = 0; c < probs.length; c += 1) {
    u -= probs[c] as number;
    if (u < 0) return c;
  }
  return probs.length - 1;
}

/**
 * Numeric coordinates: one bandwidth per coordinate for the observed kernels, Scott-like
 * over the weighted spread of the points, clipped; the prior kernel is wide. Categorical
 * coordinates get 0.
 */
function kernelBandwidths(encoded: EncodedSpace, points: readonly (readonly number[])[], rawWeights: readonly number[], kernels: number, options: ParzenOptions): number[] {
  const factor = options.bandwidthFactor ?? 1;
  const minBandwidth = options.minBandwidth ?? 0.01;
  const maxBandwidth = options.maxBandwidth ?? 1;
  const count = points.length;
  const scott = Math.pow(Math.max(count, 1), -1 / (encoded.length + 4));
  return encoded.map((dimension, d) => {
    if (dimension.kind === 'categorical') return 0;
    if (options.bandwidths !== undefined) return options.bandwidths[d] as number;
    const floor = Math.max(minBandwidth, Number.isFinite(dimension.levels) ? 0.5 / dimension.levels : 0, options.magicClip === false ? 0 : 1 / Math.min(100, 1 + kernels));
    if (options.bandwidthRule === 'fixed') return Math.min(maxBandwidth, Math.max(floor, 0.2 * factor * scott));
    if (count < 2) return Math.max(floor, Math.min(maxBandwidth, 0.2 * factor));
    let mean = 0;
    let weightSum = 0;
    points.forEach((point, k) => {
      mean += (rawWeights[k] as number) * (point[d] as number);
      weightSum += rawWeights[k] as number;
    });
    mean /= weightSum;
    let variance = 0;
    points.forEach((point, k) => {
      variance += (rawWeights[k] as number) * ((point[d] as number) - mean) ** 2;
    });
    variance /= weightSum;
    const spread = Math.sqrt(variance * (count / Math.max(count - 1, 1)));
    return Math.min(maxBandwidth, Math.max(floor, factor * spread * scott));
  });
}

/** Each kernel's centre, width and mass per numeric coordinate, and its log choice probabilities per categorical one (the last kernel is the prior when there is one more kernel than points). */
function buildKernels(encoded: EncodedSpace, points: readonly (readonly number[])[], bandwidths: readonly number[], kernels: number, smoothing: number) {
  const mus: number[][] = [];
  const sigmas: number[][] = [];
  const logMasses: number[][] = [];
  const choiceLogProbs: number[][][] = [];
  for (let k = 0; k < kernels; k += 1) {
    const isPrior = k === points.length;
    const point = isPrior ? null : (points[k] as readonly number[]);
    const mu: number[] = [];
    const sigma: number[] = [];
    const logMass: number[] = [];
    const logProbs: number[][] = [];
    encoded.forEach((dimension, d) => {
      if (dimension.kind === 'categorical') {
        // Smoothed frequency: the observed choice plus priorWeight/kernels on every choice.
        const probs = Array.from({ length: dimension.choices.length }, (_, c) => (isPrior ? 1 : (c === point![d] ? 1 : 0) + smoothing));
        const sum = probs.reduce((a, b) => a + b, 0);
        logProbs.push(probs.map((p) => Math.log(p / sum)));
        mu.push(0);
        sigma.push(1);
        logMass.push(0);
        return;
      }
      logProbs.push([]);
      const m = isPrior ? 0.5 : (point![d] as number);
      const s = isPrior ? 1 : (bandwidths[d] as number);
      mu.push(m);
      sigma.push(s);
      logMass.push(logUnitMass(m, s));
    });
    mus.push(mu);
    sigmas.push(sigma);
    logMasses.push(logMass);
    choiceLogProbs.push(logProbs);
  }
  return { mus, sigmas, logMasses, choiceLogProbs };
}

/**
 * The log density of a mixture of estimators, each weighted (weights need not sum to 1;
 * they are normalised). Estimators of weight 0 are left out.
 */
export function mixtureLogPdf(parts: ReadonlyArray<{ estimator: ParzenEstimator; weight: number }>, point: readonly number[]): number {
  const used = parts.filter((part) => part.weight > 0);
  const total = used.reduce((sum, part) => sum + part.weight, 0);
  return logSumExp(used.map((part) => Math.log(part.weight / total) + part.estimator.logPdf(point)));
}

/**
 * The log density of a point under the product of a mixture's marginals: per coordinate,
 * the weighted mixture of the estimators' marginal densities there, summed over coordinates.
 */
export function mixtureMarginalLogPdf(parts: ReadonlyArray<{ estimator: ParzenEstimator; weight: number }>, point: readonly number[]): number {
  const used = parts.filter((part) => part.weight > 0);
  const total = used.reduce((sum, part) => sum + part.weight, 0);
  const perPart = used.map((part) => ({ log: Math.log(part.weight / total), densities: part.estimator.marginalLogPdfs(point) }));
  let sum = 0;
  for (let d = 0; d < point.length; d += 1) sum += logSumExp(perPart.map((part) => part.log + (part.densities[d] as number)));
  return sum;
}
