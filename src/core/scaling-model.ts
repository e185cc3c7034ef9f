/**
 * The scaling model of a fidelity ladder: each trial's score follows a power law in the
 * level's scale, `score(s) = c_t + A_t * s^(-alpha)`, with the exponent `alpha` shared by
 * every trial, a free offset `c_t` per trial, and a per-trial amplitude `A_t` drawn from
 * the study's population (mean `A`, spread `tau`). Fitted across trials: the exponent by
 * the profile likelihood of every trial with two or more levels (offsets integrated out,
 * amplitudes drawn from the population), with a 95% interval; a trial measured at one
 * level only is predicted with the population amplitude, a trial with more levels mostly
 * by its own. Predictions carry a standard deviation (noise, amplitude spread, the
 * exponent's interval). Pure: no I/O.
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
  /** The shared exponent's 95% profile-likelihood interval (absent when it cannot be told and `DEFAULT_ALPHA` is assumed). */
  alphaInterval?: [number, number];
  /** The population at each end of `alphaInterval`: predictions add the spread between them to their uncertainty. */
  interval?: Array<{ alpha: number; meanAmplitude: number; amplitudeSpread: number }>;
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

/** The population's amplitudes at one exponent: per-trial slope fits, their mean and spread, and the noise. */
interface PopulationAt {
  alpha: number;
  fits: LineFit[];
  meanAmplitude: number;
  amplitudeSpread: number;
  noise: number;
}

function populationAt(usable: ReadonlyArray<ReadonlyArray<{ scale: number; score: number }>>, alpha: number, noiseHint: number | undefined): PopulationAt {
  const fits = usable.map((points) => fitLine(points.map((p) => p.scale ** -alpha), points.map((p) => p.score))).filter((fit): fit is LineFit => fit !== null);
  const amplitudes = fits.map((fit) => fit.a);
  const meanAmplitude = amplitudes.reduce((s, a) => s + a, 0) / amplitudes.length;
  const spreadSquares = amplitudes.length > 1 ? amplitudes.reduce((s, a) => s + (a - meanAmplitude) ** 2, 0) / (amplitudes.length - 1) : 0;
  const dof = fits.reduce((s, fit) => s + fit.dof, 0);
  const residualNoise = dof > 0 ? Math.sqrt(fits.reduce((s, fit) => s + fit.residualSquares, 0) / dof) : null;
  const scaleOf = Math.max(1e-12, ...usable.flat().map((p) => Math.abs(p.score)));
  const noise = Math.max(residualNoise ?? 0, noiseHint ?? 0, 1e-6 * scaleOf);
  // A single trial (or identical ones) says nothing of the spread: assume a quarter of the amplitude, at least the noise's worth.
  const floor = Math.max(0.25 * Math.abs(meanAmplitude), noise);
  const amplitudeSpread = Math.sqrt(Math.max(spreadSquares, amplitudes.length > 2 ? 0 : floor ** 2, (noise * 0.5) ** 2));
  return { alpha, fits, meanAmplitude, amplitudeSpread, noise };
}

/** Spreads of the amplitude tried when profiling the likelihood (multiples of the moment estimate). */
const SPREAD_FACTORS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3];

/**
 * The log-likelihood of every trial's levels at one exponent, with each trial's offset
 * integrated out (flat prior) and its amplitude drawn from N(A, tau^2): a trial's centred
 * scores along its centred design `x_c` give `z = |x_c| A_t + e`, so `z ~ N(|x_c| A,
 * |x_c|^2 tau^2 + noise^2)`, and its residuals off the line are noise. A trial with two
 * levels thus tells the exponent through how far apart its two levels are against the
 * population's amplitude; one with three or more, through its curvature too. The
 * population (A, tau) is profiled: A by weighted least squares, tau on a grid.
 */
function logLikelihoodAt(usable: ReadonlyArray<ReadonlyArray<{ scale: number; score: number }>>, population: PopulationAt): number {
  const sigma2 = population.noise ** 2;
  const designs = usable.map((points) => {
    const xs = points.map((p) => p.scale ** -population.alpha);
    const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
    const my = points.reduce((s, p) => s + p.score, 0) / points.length;
    const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    const length = Math.sqrt(sxx);
    const z = length > 0 ? points.reduce((s, p, i) => s + (xs[i]! - mx) * (p.score - my), 0) / length : 0;
    const total = points.reduce((s, p) => s + (p.score - my) ** 2, 0);
    return { length, z, residual: Math.max(total - z * z, 0), dof: points.length - 2 };
  });
  let best = -Infinity;
  for (const factor of SPREAD_FACTORS) {
    const tau2 = (population.amplitudeSpread * factor) ** 2;
    const variances = designs.map((design) => design.length ** 2 * tau2 + sigma2);
    const weightSum = designs.reduce((s, design, i) => s + design.length ** 2 / variances[i]!, 0);
    const amplitude = weightSum > 0 ? designs.reduce((s, design, i) => s + (design.length * design.z) / variances[i]!, 0) / weightSum : 0;
    let total = 0;
    designs.forEach((design, i) => {
      total += -0.5 * Math.log(2 * Math.PI * variances[i]!) - (design.z - design.length * amplitude) ** 2 / (2 * variances[i]!);
      if (design.dof > 0) total += -0.5 * design.dof * Math.log(2 * Math.PI * sigma2) - design.residual / (2 * sigma2);
    });
    best = Math.max(best, total);
  }
  return best;
}

/** Half the chi-square(1) 95% quantile: the profile likelihood's drop at the ends of the exponent's interval. */
const INTERVAL_DROP = 1.92;

/**
 * Fits the shared exponent across every trial with two or more levels (the one of
 * highest profile likelihood; `logLikelihoodAt`), with its 95% profile interval, then the
 * population of amplitudes and the noise at it. `noiseHint` (e.g. the baseline's spread
 * over repeats) bounds the noise from below (it is the only noise estimate while no trial
 * has three levels). When the exponent cannot be told (every trial measured at the same
 * two levels, so every exponent fits as well), `DEFAULT_ALPHA` with no interval. Null when no trial has two
 * levels yet.
 *
 * @example
 * const fit = fitScalingModel([{ trialId: 0, points: [{ scale: 0.1, score: 2.9 }, { scale: 0.3, score: 2.3 }, { scale: 1, score: 2.0 }] }]);
 * fit?.alpha; fit?.alphaInterval; // the shared exponent and its 95% interval
 */
export function fitScalingModel(observations: readonly ScalingObservations[], options: { noiseHint?: number } = {}): ScalingFit | null {
  const usable = observations.map(distinctPoints).filter((points) => new Set(points.map((p) => p.scale)).size >= 2);
  if (usable.length === 0) return null;
  // The noise is taken where the residuals are smallest over the grid (the best line's), so the likelihood compares exponents at one noise.
  const candidates = [DEFAULT_ALPHA, ...ALPHA_GRID].map((alpha) => populationAt(usable, alpha, options.noiseHint));
  const noise = Math.min(...candidates.map((candidate) => candidate.noise));
  const scored = candidates.map((candidate) => ({ candidate, logLikelihood: logLikelihoodAt(usable, { ...candidate, noise }) }));
  let chosen = scored[0]!;
  for (const entry of scored.slice(1)) if (entry.logLikelihood > chosen.logLikelihood + 1e-9) chosen = entry;
  const inside = scored.slice(1).filter((entry) => entry.logLikelihood >= chosen.logLikelihood - INTERVAL_DROP);
  // With every trial at the same two scales, any exponent fits exactly as well (the amplitudes rescale): it is not told.
  const scaleSets = new Set(usable.map((points) => [...new Set(points.map((p) => p.scale))].sort((a, b) => a - b).join(',')));
  const identified = (scaleSets.size > 1 || usable.some((points) => new Set(points.map((p) => p.scale)).size >= 3)) && scored.some((entry) => Math.abs(entry.logLikelihood - chosen.logLikelihood) > 1e-6);
  if (!identified) chosen = scored[0]!;
  const population = chosen.candidate;
  const fit: ScalingFit = { alpha: population.alpha, meanAmplitude: population.meanAmplitude, amplitudeSpread: population.amplitudeSpread, noise: population.noise, trialsUsed: usable.length };
  if (!identified) return fit;
  const low = Math.min(population.alpha, ...inside.map((entry) => entry.candidate.alpha));
  const high = Math.max(population.alpha, ...inside.map((entry) => entry.candidate.alpha));
  const ends = [low, high].map((alpha) => candidates.find((candidate) => candidate.alpha === alpha)!);
  return { ...fit, alphaInterval: [low, high], interval: ends.map((end) => ({ alpha: end.alpha, meanAmplitude: end.meanAmplitude, amplitudeSpread: end.amplitudeSpread })) };
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
  const central = predictWith(fit, usable, scale);
  // The exponent's own uncertainty: the prediction at each end of its 95% interval, their half spread as one more std (over 1.96).
  const ends = (fit.interval ?? []).map((end) => predictWith({ ...fit, ...end }, usable, scale).mean);
  const exponentStd = ends.length === 2 ? Math.abs(ends[1]! - ends[0]!) / (2 * 1.96) : 0;
  return { mean: central.mean, std: Math.sqrt(central.std ** 2 + exponentStd ** 2) };
}

/** The posterior prediction at one exponent and population (see `predictAtScale`). */
function predictWith(fit: Pick<ScalingFit, 'alpha' | 'meanAmplitude' | 'amplitudeSpread' | 'noise' | 'trialsUsed'>, usable: ReadonlyArray<{ scale: number; score: number }>, scale: number): ScalingPrediction {
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
