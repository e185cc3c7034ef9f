/**
 * Small numeric helpers the model-based samplers share: standard normal draws, the normal
 * CDF (through erfc), truncated normals on [0, 1], log-sum-exp and a symmetric eigen
 * decomposition. No dependencies, all randomness from the caller's uniform source.
 */

/**
 * The seeded uniform [0, 1) generator (mulberry32, `src/core/random.ts`): for randomness
 * that must be a function of the history (CMA-ES restart points), and for tests and benchmarks.
 */
export { seededRandom as mulberry32 } from '../../core/random.ts';

/** A standard normal draw (Box-Muller) from a uniform [0, 1) source. */
export function standardNormal(random: () => number): number {
  const radius = Math.sqrt(-2 * Math.log(1 - random()));
  return radius * Math.cos(2 * Math.PI * random());
}

/**
 * The complementary error function, with a relative error below 1.2e-7 everywhere
 * (Chebyshev fit, Numerical Recipes `erfcc`).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const value = t * Math.exp(poly);
  return x >= 0 ? value : 2 - value;
}

/** The standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Log of the mass a normal `N(mu, sigma)` puts on [0, 1] (never below log 1e-300). */
export function logUnitMass(mu: number, sigma: number): number {
  const mass = normalCdf((1 - mu) / sigma) - normalCdf((0 - mu) / sigma);
  return Math.log(Math.max(mass, 1e-300));
}

/** Log density at `x` of `N(mu, sigma)` truncated to [0, 1], given its `logUnitMass`. */
export function logTruncatedNormal(x: number, mu: number, sigma: number, logMass: number): number {
  const z = (x - mu) / sigma;
  return -0.5 * z * z - LOG_SQRT_2PI - Math.log(sigma) - logMass;
}

/**
 * A draw of `N(mu, sigma)` truncated to [0, 1]: rejection first (cheap when most of the
 * mass is inside), then a uniform draw inside the interval, clipped to the likely part.
 */
export function sampleTruncatedNormal(mu: number, sigma: number, random: () => number): number {
  for (let tries = 0; tries < 64; tries += 1) {
    const x = mu + sigma * standardNormal(random);
    if (x >= 0 && x <= 1) return x;
  }
  // Almost all mass outside [0, 1]: the nearest bound's neighbourhood is what is left.
  const low = Math.max(0, mu - 3 * sigma);
  const high = Math.min(1, mu + 3 * sigma);
  return high > low ? low + (high - low) * random() : Math.min(1, Math.max(0, mu));
}

/** log(sum(exp(values))), stable; -Infinity for an empty list. */
export function logSumExp(values: readonly number[]): number {
  let max = -Infinity;
  for (const value of values) if (value > max) max = value;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (const value of values) sum += Math.exp(value - max);
  return max + Math.log(sum);
}

/** The median of a list of numbers (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Eigen decomposition of a symmetric matrix by cyclic Jacobi rotations: returns the
 * eigenvalues and the eigenvectors as the columns of `vectors` (row-major `n x n`).
 * Fine for the few dozen dimensions a knob space has.
 */
export function symmetricEigen(matrix: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const n = matrix.length;
  const a = matrix.map((row) => [...row]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep += 1) {
    let off = 0;
    for (let p = 0; p < n; p += 1) for (let q = p + 1; q < n; q += 1) off += (a[p]![q] as number) ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p += 1) {
      for (let q = p + 1; q < n; q += 1) {
        const apq = a[p]![q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p]![p] as number;
        const aqq = a[q]![q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k += 1) {
          const akp = a[k]![p] as number;
          const akq = a[k]![q] as number;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k += 1) {
          const apk = a[p]![k] as number;
          const aqk = a[q]![k] as number;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k += 1) {
          const vkp = v[k]![p] as number;
          const vkq = v[k]![q] as number;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i] as number), vectors: v };
}
