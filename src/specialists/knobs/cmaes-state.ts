/**
 * The CMA-ES algorithm itself (Hansen's tutorial, 2016), on a box [0, 1]^n, as pure state
 * updates: `sampleCma` draws a point, `tellCma` updates the distribution from one
 * generation of evaluated points. Points need not come from `sampleCma`: external
 * solutions (other specialists' trials, ints after rounding) are injected with their step
 * length clipped (Hansen 2011, "Injecting external solutions into CMA-ES").
 */
import { standardNormal, symmetricEigen } from './sampler-math.ts';

/** The state of one CMA-ES run. */
export interface CmaState {
  readonly dimension: number;
  readonly lambda: number;
  readonly mu: number;
  readonly weights: readonly number[];
  readonly muEff: number;
  readonly cSigma: number;
  readonly dSigma: number;
  readonly cC: number;
  readonly c1: number;
  readonly cMu: number;
  readonly chiN: number;
  mean: number[];
  sigma: number;
  covariance: number[][];
  pSigma: number[];
  pC: number[];
  /** Eigenvectors of the covariance (columns) and the square roots of its eigenvalues. */
  basis: number[][];
  scales: number[];
  generation: number;
  /** Best loss of each generation told so far. */
  generationBest: number[];
  /** Best loss of this run so far. */
  best: number;
  /** Generation at which `best` last improved. */
  bestGeneration: number;
}

/** Creates a run with mean `mean`, step size `sigma` and population `lambda` (default `4 + floor(3 ln n)`). */
export function createCmaState(mean: readonly number[], sigma: number, lambda?: number): CmaState {
  const n = mean.length;
  const populationSize = Math.max(2, lambda ?? 4 + Math.floor(3 * Math.log(n)));
  const mu = Math.floor(populationSize / 2);
  const raw = Array.from({ length: mu }, (_, i) => Math.log(mu + 0.5) - Math.log(i + 1));
  const sum = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((w) => w / sum);
  const muEff = 1 / weights.reduce((a, w) => a + w * w, 0);
  const cSigma = (muEff + 2) / (n + muEff + 5);
  const dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cSigma;
  const cC = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
  const c1 = 2 / ((n + 1.3) ** 2 + muEff);
  const cMu = Math.min(1 - c1, (2 * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + muEff));
  const identity = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  return {
    dimension: n,
    lambda: populationSize,
    mu,
    weights,
    muEff,
    cSigma,
    dSigma,
    cC,
    c1,
    cMu,
    chiN: Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n)),
    mean: [...mean],
    sigma,
    covariance: identity.map((row) => [...row]),
    pSigma: new Array<number>(n).fill(0),
    pC: new Array<number>(n).fill(0),
    basis: identity,
    scales: new Array<number>(n).fill(1),
    generation: 0,
    generationBest: [],
    best: Infinity,
    bestGeneration: 0,
  };
}

/**
 * A draw `mean + scale * sigma * B D z`, resampled up to 32 times to fall inside [0, 1]^n,
 * then clipped. `scale` (default 1) widens the draw, e.g. to step off tried int points.
 */
export function sampleCma(state: CmaState, random: () => number, scale = 1): number[] {
  const n = state.dimension;
  let point: number[] = [];
  for (let attempt = 0; attempt < 32; attempt += 1) {
    const z = Array.from({ length: n }, () => standardNormal(random));
    point = state.mean.map((m, i) => {
      let step = 0;
      for (let j = 0; j < n; j += 1) step += (state.basis[i]![j] as number) * (state.scales[j] as number) * (z[j] as number);
      return m + scale * state.sigma * step;
    });
    if (point.every((x) => x >= 0 && x <= 1)) return point;
  }
  return point.map((x) => Math.min(1, Math.max(0, x)));
}

/** `C^(-1/2) v` through the eigen decomposition. */
function inverseSqrtTimes(state: CmaState, vector: readonly number[]): number[] {
  const n = state.dimension;
  const projected = Array.from({ length: n }, (_, j) => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += (state.basis[i]![j] as number) * (vector[i] as number);
    return sum / (state.scales[j] as number);
  });
  return Array.from({ length: n }, (_, i) => {
    let sum = 0;
    for (let j = 0; j < n; j += 1) sum += (state.basis[i]![j] as number) * (projected[j] as number);
    return sum;
  });
}

const norm = (vector: readonly number[]): number => Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));

/**
 * Updates the distribution from one generation: `points` with their `losses` (lower is
 * better; Infinity for failed trials, which rank last). Any number of points from 2 up;
 * the best `mu` (at most half of them) are the parents.
 */
export function tellCma(state: CmaState, points: readonly (readonly number[])[], losses: readonly number[]): void {
  const n = state.dimension;
  const order = losses.map((loss, index) => ({ loss, index })).sort((a, b) => a.loss - b.loss || a.index - b.index);
  const parents = Math.min(state.mu, Math.max(1, Math.floor(points.length / 2)));
  const rawWeights = state.weights.slice(0, parents);
  const weightSum = rawWeights.reduce((a, b) => a + b, 0);
  const weights = rawWeights.map((w) => w / weightSum);
  const muEff = 1 / weights.reduce((a, w) => a + w * w, 0);
  const clip = Math.sqrt(n) + (2 * n) / (n + 2);

  // Steps of the parents, with injected (or clipped) points held to a plausible length.
  const steps = order.slice(0, parents).map(({ index }) => {
    const y = (points[index] as readonly number[]).map((x, i) => (x - (state.mean[i] as number)) / state.sigma);
    const length = norm(inverseSqrtTimes(state, y));
    return length > clip ? y.map((v) => (v * clip) / length) : y;
  });
  const yWeighted = Array.from({ length: n }, (_, i) => steps.reduce((sum, y, k) => sum + (weights[k] as number) * (y[i] as number), 0));
  state.mean = state.mean.map((m, i) => m + state.sigma * (yWeighted[i] as number));

  const whitened = inverseSqrtTimes(state, yWeighted);
  const sigmaFactor = Math.sqrt(state.cSigma * (2 - state.cSigma) * muEff);
  state.pSigma = state.pSigma.map((p, i) => (1 - state.cSigma) * p + sigmaFactor * (whitened[i] as number));
  const pSigmaNorm = norm(state.pSigma);
  const hSigma = pSigmaNorm / Math.sqrt(1 - (1 - state.cSigma) ** (2 * (state.generation + 1))) < (1.4 + 2 / (n + 1)) * state.chiN ? 1 : 0;
  const cFactor = Math.sqrt(state.cC * (2 - state.cC) * muEff);
  state.pC = state.pC.map((p, i) => (1 - state.cC) * p + hSigma * cFactor * (yWeighted[i] as number));

  const keep = 1 - state.c1 - state.cMu + (1 - hSigma) * state.c1 * state.cC * (2 - state.cC);
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let rankMu = 0;
      steps.forEach((y, k) => {
        rankMu += (weights[k] as number) * (y[i] as number) * (y[j] as number);
      });
      const value = keep * (state.covariance[i]![j] as number) + state.c1 * (state.pC[i] as number) * (state.pC[j] as number) + state.cMu * rankMu;
      state.covariance[i]![j] = value;
      state.covariance[j]![i] = value;
    }
  }
  state.sigma *= Math.exp(Math.min(1, (state.cSigma / state.dSigma) * (pSigmaNorm / state.chiN - 1)));

  const { values, vectors } = symmetricEigen(state.covariance);
  state.basis = vectors;
  state.scales = values.map((value) => Math.sqrt(Math.max(value, 1e-20)));

  state.generation += 1;
  const generationBest = order[0]?.loss ?? Infinity;
  state.generationBest.push(generationBest);
  if (generationBest < state.best) {
    state.best = generationBest;
    state.bestGeneration = state.generation;
  }
}

/**
 * Why this run should restart (IPOP), or null: the steps fell below `resolution` in every
 * coordinate (the knobs can no longer change), the covariance is ill-conditioned, the step
 * size exploded, or the best loss did not improve for `10 + ceil(30 n / lambda)` generations.
 */
export function cmaStagnation(state: CmaState, resolution: readonly number[]): string | null {
  const n = state.dimension;
  const stds = state.covariance.map((row, i) => state.sigma * Math.sqrt(Math.max(row[i] as number, 0)));
  if (stds.every((std, i) => std < (resolution[i] as number))) return 'steps below the knob resolution';
  const maxScale = Math.max(...state.scales);
  const minScale = Math.min(...state.scales);
  if (maxScale / minScale > 1e7) return 'ill-conditioned covariance';
  if (state.sigma * maxScale > 1e3) return 'step size diverged';
  const window = 10 + Math.ceil((30 * n) / state.lambda);
  if (state.generation - state.bestGeneration >= window) return `no improvement for ${window} generations`;
  const recent = state.generationBest.slice(-window);
  if (recent.length >= window && Math.max(...recent) - Math.min(...recent) <= 1e-12 * (1 + Math.abs(state.best))) return 'flat fitness';
  return null;
}
