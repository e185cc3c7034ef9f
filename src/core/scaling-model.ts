/**
 * The scaling model of a fidelity ladder: each trial's score follows a power law in the
 * level's scale, `score(s) = c_t + A_t * s^(-alpha)`, with the exponent `alpha` shared by
 * every trial, a free offset `c_t` per trial, and a per-trial amplitude `A_t` drawn from
 * the study's population (mean `A`, spread `tau`). Fitted on every trial's measured
 * levels; a trial measured at one level only is predicted with the population amplitude,
 * a trial with more levels mostly by its own. Predictions carry a standard deviation
 * (noise, amplitude spread). Pure: no I/O.
 */

/** One trial's scored measurements: (scale, score) pairs, one per level. */
export interface ScalingObservations {
  trialId: number;
  points: ReadonlyArray<{ scale: number; score: number }>;
}

export interface ScalingFit {
  /** The shared exponent. */
  alpha: number;
  /** Population mean and spread of the amplitude `A_t`. */
  meanAmplitude: number;
  amplitudeSpread: number;
  /** The measurement noise (standard deviation of one level's score). */
  noise: number;
  /** Trials with two or more levels that the population was estimated from. */
  trialsUsed: number;
}

export interface ScalingPrediction {
  mean: number;
  std: number;
}

const ALPHA_GRID = Array.from({ length: 40 }, (_, index) => 0.05 * (index + 1));
/** The exponent assumed until some trial has three levels (with two, any exponent predicts the same). */
export const DEFAULT_ALPHA = 0.5;

interface LineFit {
  c: number;
  a: number;
  residualSquares: number;
  dof: number;
}

/** Least squares of y = c + a * x. */
function fitLine(xs: readonly number[], ys: readonly number[]): LineFit | null {
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  if (sxx <= 0) return null;
  const a = sxy / sxx;
  const c = my - a * mx;
  let residualSquares = 0;
  for (let i = 0; i < n; i++) residualSquares += (ys[i]! - c - a * xs[i]!) ** 2;
  return { c, a, residualSquares, dof: n - 2 };
}

function distinctPoints(observation: ScalingObservations): Array<{ scale: number; score: number }> {
  return observation.points.filter((point) => point.scale > 0 && Number.isFinite(point.score));
}

/**
 * Fits the shared exponent (the one that leaves the least residual over trials with three
 * or more levels), the population of amplitudes and the noise. `noiseHint` (e.g. the
 * baseline's spread over repeats) is used when the fits leave no degrees of freedom.
 * Null when no trial has two levels yet.
 *
 * @example
 * const fit = fitScalingModel([{ trialId: 0, points: [{ scale: 0.1, score: 2.9 }, { scale: 0.3, score: 2.3 }, { scale: 1, score: 2.0 }] }]);
 */
export function fitScalingModel(observations: readonly ScalingObservations[], options: { noiseHint?: number } = {}): ScalingFit | null {
  const usable = observations.map(distinctPoints).filter((points) => new Set(points.map((p) => p.scale)).size >= 2);
  if (usable.length === 0) return null;
  const rich = usable.filter((points) => new Set(points.map((p) => p.scale)).size >= 3);
  let alpha = DEFAULT_ALPHA;
  if (rich.length > 0) {
    let best = Infinity;
    for (const candidate of ALPHA_GRID) {
      let total = 0;
      for (const points of rich) total += fitLine(points.map((p) => p.scale ** -candidate), points.map((p) => p.score))?.residualSquares ?? 0;
      if (total < best - 1e-15) {
        best = total;
        alpha = candidate;
      }
    }
  }
  const fits = usable.map((points) => fitLine(points.map((p) => p.scale ** -alpha), points.map((p) => p.score))).filter((fit): fit is LineFit => fit !== null);
  const amplitudes = fits.map((fit) => fit.a);
  const meanAmplitude = amplitudes.reduce((s, a) => s + a, 0) / amplitudes.length;
  const spreadSquares = amplitudes.length > 1 ? amplitudes.reduce((s, a) => s + (a - meanAmplitude) ** 2, 0) / (amplitudes.length - 1) : 0;
  const dof = fits.reduce((s, fit) => s + fit.dof, 0);
  const residualNoise = dof > 0 ? Math.sqrt(fits.reduce((s, fit) => s + fit.residualSquares, 0) / dof) : null;
  const scaleOf = Math.max(1e-12, ...usable.flat().map((p) => Math.abs(p.score)));
  const noise = Math.max(residualNoise ?? 0, options.noiseHint ?? 0, 1e-6 * scaleOf);
  // A single trial (or identical ones) says nothing of the spread: assume a quarter of the amplitude, at least the noise's worth.
  const floor = Math.max(0.25 * Math.abs(meanAmplitude), noise);
  const amplitudeSpread = Math.sqrt(Math.max(spreadSquares, amplitudes.length > 2 ? 0 : floor ** 2, (noise * 0.5) ** 2));
  return { alpha, meanAmplitude, amplitudeSpread, noise, trialsUsed: usable.length };
}

/**
 * One trial's score at `scale`, from its own measured levels and the fitted population:
 * the posterior of (c_t, A_t) under a flat prior on c_t, A_t ~ N(A, tau^2 + se(A)^2) and
 * noise N(0, noise^2); the std is that of the trial's true score at `scale`. Null without
 * any measured level.
 *
 * @example
 * const fit = fitScalingModel(all)!;
 * const full = predictAtScale(fit, [{ scale: 0.1, score: 3.1 }], 1); // { mean, std }
 */
export function predictAtScale(fit: ScalingFit, points: ReadonlyArray<{ scale: number; score: number }>, scale: number): ScalingPrediction | null {
  const usable = points.filter((p) => p.scale > 0 && Number.isFinite(p.score));
  if (usable.length === 0) return null;
  const s2 = fit.noise ** 2;
  const standardError2 = fit.amplitudeSpread ** 2 / Math.max(1, fit.trialsUsed);
  const t2 = Math.max(fit.amplitudeSpread ** 2 + standardError2, 1e-30);
  // With a flat prior on c_t, the amplitude's posterior comes from the centred points and the prior; c_t then follows.
  const xs = usable.map((p) => p.scale ** -fit.alpha);
  const n = xs.length;
  const mx = xs.reduce((sum, x) => sum + x, 0) / n;
  const my = usable.reduce((sum, p) => sum + p.score, 0) / n;
  let sxx = 0;
  let sxy = 0;
  usable.forEach((p, i) => {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (p.score - my);
  });
  const precision = sxx / s2 + 1 / t2;
  const amplitude = (sxy / s2 + fit.meanAmplitude / t2) / precision;
  const x = scale ** -fit.alpha;
  const variance = s2 / n + (x - mx) ** 2 / precision;
  return { mean: my + amplitude * (x - mx), std: Math.sqrt(Math.max(variance, 0)) };
}
