/**
 * Small, dependency-free statistics for acceptance decisions: summaries, the Student t
 * distribution, and a one-sided Welch test.
 */

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator); 0 when n < 2. */
  std: number;
}

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) return { n: 0, mean: Number.NaN, std: 0 };
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  if (n < 2) return { n, mean, std: 0 };
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  return { n, mean, std: Math.sqrt(variance) };
}

/** ln Γ(x) by the Lanczos approximation (x > 0). */
function logGamma(x: number): number {
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-14) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(T > t) for Student's t with `df` degrees of freedom (df may be fractional; Infinity: normal). */
export function studentTUpperTail(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 0 : 1;
  if (!Number.isFinite(df) || df > 1e7) return 0.5 * erfc(t / Math.SQRT2);
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? tail : 1 - tail;
}

function erfc(x: number): number {
  // Numerical Recipes erfc with fractional error < 1.2e-7.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** One group of measurements in a test; `fallbackStd` stands in when n < 2 (the calibrated noise). */
export interface Group {
  values: readonly number[];
  fallbackStd?: number;
  /** Degrees of freedom of the fallback estimate (e.g. calibration repeats - 1). */
  fallbackDf?: number;
}

export interface WelchResult {
  /** Mean improvement of the candidate over the reference, in the better direction. */
  improvement: number;
  t: number;
  df: number;
  /** One-sided p-value of "the candidate is better by more than minEffect". */
  pValue: number;
  candidate: Summary;
  reference: Summary;
  /** False when there is no variance estimate at all (then pValue is 0 or 1 by the sign). */
  hasVariance: boolean;
}

/**
 * One-sided Welch test that the candidate beats the reference by more than `minEffect`,
 * where `improvementSign` is +1 when larger is better and -1 when smaller is better.
 * A group's `fallbackStd` (the baseline's measured noise) is pooled with its own sample
 * variance, or stands in for it when the group has fewer than two values.
 */
export function welchOneSided(candidate: Group, reference: Group, improvementSign: 1 | -1, minEffect = 0): WelchResult {
  const c = summarize(candidate.values);
  const r = summarize(reference.values);
  const improvement = improvementSign * (c.mean - r.mean);
  // With a calibrated noise estimate, a group's own spread is pooled with it (same noise
  // assumed), which gives small groups far more power than their own 2-3 values would.
  const term = (summary: Summary, group: Group): { variance: number; df: number } | null => {
    const prior = group.fallbackStd !== undefined && group.fallbackStd > 0 ? { variance: group.fallbackStd * group.fallbackStd, df: group.fallbackDf ?? 1 } : null;
    if (summary.n >= 2 && prior) {
      const own = summary.n - 1;
      const pooled = (own * summary.std * summary.std + prior.df * prior.variance) / (own + prior.df);
      return { variance: pooled / summary.n, df: own + prior.df };
    }
    if (summary.n >= 2) return { variance: (summary.std * summary.std) / summary.n, df: summary.n - 1 };
    if (prior) return { variance: prior.variance / Math.max(summary.n, 1), df: prior.df };
    return null;
  };
  const tc = term(c, candidate);
  const tr = term(r, reference);
  if (tc === null && tr === null) {
    const pValue = improvement > minEffect ? 0 : 1;
    return { improvement, t: improvement > minEffect ? Infinity : -Infinity, df: Infinity, pValue, candidate: c, reference: r, hasVariance: false };
  }
  const vc = tc?.variance ?? 0;
  const vr = tr?.variance ?? 0;
  const se = Math.sqrt(vc + vr);
  if (se === 0) {
    const pValue = improvement > minEffect ? 0 : 1;
    return { improvement, t: improvement > minEffect ? Infinity : -Infinity, df: Infinity, pValue, candidate: c, reference: r, hasVariance: false };
  }
  const t = (improvement - minEffect) / se;
  const denominator = (tc ? (vc * vc) / tc.df : 0) + (tr ? (vr * vr) / tr.df : 0);
  const df = denominator > 0 ? ((vc + vr) * (vc + vr)) / denominator : Infinity;
  return { improvement, t, df, pValue: studentTUpperTail(t, df), candidate: c, reference: r, hasVariance: true };
}

/** The t value with P(T > t) = `upperTail` for `df` degrees of freedom (bisection). */
export function studentTQuantile(upperTail: number, df: number): number {
  let low = 0;
  let high = 1000;
  for (let i = 0; i < 200; i++) {
    const mid = (low + high) / 2;
    if (studentTUpperTail(mid, df) > upperTail) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** Half-width of the two-sided 95% confidence interval of the mean (0 with n < 2). */
export function confidenceHalfWidth95(summary: Summary): number {
  if (summary.n < 2) return 0;
  return (studentTQuantile(0.025, summary.n - 1) * summary.std) / Math.sqrt(summary.n);
}
