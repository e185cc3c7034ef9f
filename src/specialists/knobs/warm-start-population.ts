/**
 * The population arm of a warm start: CMA-ES over this study's numeric knobs whose first
 * distribution comes from an earlier study's promising region, as warm-started CMA-ES does
 * (WS-CMA-ES, Nomura et al. 2021): the mean of the earlier study's best γ = 10% of trials
 * and their covariance plus α²I (α = 0.1), split into a step size (the covariance's
 * determinant to the power 1/2d) and a shape. From there it is plain CMA-ES on its own
 * proposals: each generation of λ measured proposals moves the mean by weighted
 * recombination of the best half (not to the best point, which averages over a ripple of
 * local dips that local steps polish) and adapts the step size and covariance. Only the
 * arm's own proposals are told (other proposers' trials are not draws of its
 * distribution). The state lives in the sampler: a resumed study starts the arm afresh
 * from the earlier study's region. Pure apart from the random stream.
 */
import type { KnobSpec } from '../../core/task.ts';
import { createCmaState, sampleCma, tellCma, type CmaState } from './cmaes-state.ts';
import { decodePoint, snapPoint, type EncodedSpace } from './knob-encoding.ts';
import { knobValuesKey, type KnobValues } from './knob-value.ts';
import { symmetricEigen } from './sampler-math.ts';

/** Share of an earlier study's trials whose region starts the population (WS-CMA-ES's γ). */
const GAMMA = 0.1;
/** Added to the variance of every knob (WS-CMA-ES's α, squared), so no direction collapses. */
const ALPHA = 0.1;

/** An earlier study's trials, best first, as points of this study's encoded space. */
export interface PopulationSource {
  points: ReadonlyArray<{ point: readonly number[] }>;
}

/** A Gaussian over the numeric knobs `dims`: mean, step size and a covariance of determinant 1. */
export interface WarmDistribution {
  dims: number[];
  mean: number[];
  sigma: number;
  covariance: number[][];
}

/**
 * The promising region of the earlier studies over the numeric knobs of `encoded`: per
 * study the mean and covariance (+ α²I) of its best γ trials (at least 2), mixed by weight
 * (the mixture's mean and covariance); null without numeric knobs or sources.
 *
 * @example
 * warmDistribution(encoded, [{ source: { points }, weight: 1 }]) // { dims: [0, 1, 2], mean: [0.7, 0.3, 0.5], sigma: 0.11, covariance }
 */
export function warmDistribution(encoded: EncodedSpace, sources: ReadonlyArray<{ source: PopulationSource; weight: number }>): WarmDistribution | null {
  const dims = encoded.flatMap((dimension, index) => (dimension.kind === 'numeric' ? [index] : []));
  const d = dims.length;
  const used = sources.filter(({ source, weight }) => weight > 0 && source.points.length >= 2);
  if (d === 0 || used.length === 0) return null;
  const total = used.reduce((sum, { weight }) => sum + weight, 0);
  const parts = used.map(({ source, weight }) => {
    const top = source.points.slice(0, Math.max(2, Math.floor(source.points.length * GAMMA))).map((entry) => dims.map((index) => entry.point[index]!));
    const mean = dims.map((_, k) => top.reduce((sum, point) => sum + point[k]!, 0) / top.length);
    const covariance = dims.map((_, i) => dims.map((__, j) => top.reduce((sum, point) => sum + (point[i]! - mean[i]!) * (point[j]! - mean[j]!), 0) / top.length + (i === j ? ALPHA * ALPHA : 0)));
    return { mean, covariance, share: weight / total };
  });
  const mean = dims.map((_, k) => parts.reduce((sum, part) => sum + part.share * part.mean[k]!, 0));
  const sigmaMatrix = dims.map((_, i) => dims.map((__, j) => parts.reduce((sum, part) => sum + part.share * (part.covariance[i]![j]! + (part.mean[i]! - mean[i]!) * (part.mean[j]! - mean[j]!)), 0)));
  const { values } = symmetricEigen(sigmaMatrix);
  const logDet = values.reduce((sum, value) => sum + Math.log(Math.max(value, 1e-12)), 0);
  const sigma = Math.exp(logDet / (2 * d));
  return { dims, mean, sigma, covariance: sigmaMatrix.map((row) => row.map((value) => value / (sigma * sigma))) };
}

/** A CMA-ES run started from `start`. */
function startState(start: WarmDistribution): CmaState {
  const state = createCmaState(start.mean, start.sigma);
  state.covariance = start.covariance.map((row) => [...row]);
  const { values, vectors } = symmetricEigen(state.covariance);
  state.basis = vectors;
  state.scales = values.map((value) => Math.sqrt(Math.max(value, 1e-20)));
  return state;
}

/** Measured trials of this study as the arm sees them. */
type Measured = ReadonlyArray<{ point: number[]; loss: number; key: string }>;

/** The state of one study's population arm. */
export interface PopulationArm {
  /**
   * The next draw of the population (numeric knobs from CMA-ES, other knobs as at this
   * study's best `centre`), or null when no draw is untried. `settled` holds the keys of
   * every trial this study has finished (measured or failed: a failed proposal ranks last).
   */
  propose(space: readonly KnobSpec[], encoded: EncodedSpace, measured: Measured, settled: ReadonlySet<string>, tried: ReadonlySet<string>, centre: readonly number[], random: () => number): KnobValues | null;
  /** Generations told so far (for tests and hypotheses). */
  readonly generation: number;
  /** The current mean over the numeric knobs (unit coordinates). */
  readonly mean: readonly number[];
}

/**
 * A population arm started from `start` (see `warmDistribution`).
 *
 * @example
 * const arm = createPopulationArm(warmDistribution(encoded, [{ source, weight: 1 }])!);
 * const values = arm.propose(space, encoded, measured, settled, tried, best.point, random);
 */
export function createPopulationArm(start: WarmDistribution): PopulationArm {
  const state = startState(start);
  /** Own proposals not yet told, in order: their key and the drawn point (numeric knobs). */
  let open: Array<{ key: string; point: number[] }> = [];
  const told = new Set<string>();
  let generation: Array<{ point: number[]; loss: number }> = [];
  return {
    get generation() {
      return state.generation;
    },
    get mean() {
      return state.mean;
    },
    propose(space, encoded, measured, settled, tried, centre, random) {
      const losses = new Map(measured.map((entry) => [entry.key, entry.loss]));
      open = open.filter((entry) => {
        if (!settled.has(entry.key) || told.has(entry.key)) return !settled.has(entry.key);
        told.add(entry.key);
        generation.push({ point: entry.point, loss: losses.get(entry.key) ?? Infinity });
        return false;
      });
      if (generation.length >= state.lambda) {
        tellCma(state, generation.map((entry) => entry.point), generation.map((entry) => entry.loss));
        generation = [];
      }
      for (let attempt = 0; attempt < 32; attempt += 1) {
        // Near convergence on an int lattice every nearby point is tried: widen the draw (x2, x4, x8).
        const drawn = sampleCma(state, random, 2 ** Math.min(3, Math.floor(attempt / 8)));
        const point = [...centre];
        start.dims.forEach((index, k) => (point[index] = drawn[k]!));
        const values = decodePoint(encoded, snapPoint(encoded, point));
        const key = knobValuesKey(space, values);
        if (tried.has(key)) continue;
        open.push({ key, point: drawn });
        return values;
      }
      return null;
    },
  };
}
