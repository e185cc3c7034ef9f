/**
 * The evidence arithmetic of the feasibility model: a hypothesis says "inside this region
 * the cause strikes"; the trials inside and outside it are two Beta-Bernoulli samples,
 * whose marginal likelihood (the evidence) weighs the hypothesis against the others.
 */
import type { FeasibilityPoint } from './feasibility-features.ts';

/** A hypothesis about where one cause of failure strikes. */
export interface Hypothesis {
  /** The kind of rule: `none` (strikes anywhere alike), `local` (near past failures), `single`, `pair`, `conditional` (thresholds), `lattice`, `memory`. */
  family: HypothesisFamily;
  /** The rule, as a user reads it (`d_model % n_heads != 0`, `batch * width > 6.5e4`). */
  rule: string;
  /** Identifies the rule up to its threshold, so that the weights of its thresholds add up. */
  member: string;
  /** The knobs the rule reads (none for `none` and `local`). */
  knobs: readonly string[];
  /** Log prior plus log evidence. */
  logWeight: number;
  /** The probability that the cause strikes at a point, under this hypothesis. */
  failureProbability(point: FeasibilityPoint): number;
}

export type HypothesisFamily = 'none' | 'local' | 'stated' | 'metric' | 'single' | 'pair' | 'conditional' | 'lattice' | 'memory';

/**
 * Prior mass of each family (split evenly among its members; thresholds uniformly over
 * the feature's range). `none` is the sceptic: failures unrelated to the knob values;
 * `stated` rules are conditions the failing source line checks (`feasibility-hints.ts`),
 * present only when one compiles over the knobs; `metric` is the regression of a missed
 * gate's metric on the knobs (`feasibility-gate-model.ts`), present only for gate misses.
 */
export const FAMILY_PRIOR: Readonly<Record<HypothesisFamily, number>> = {
  none: 0.4,
  local: 0.15,
  stated: 0.25,
  metric: 0.25,
  single: 0.15,
  pair: 0.1,
  conditional: 0.04,
  lattice: 0.1,
  memory: 0.06,
};

/** Beta priors: inside a rule's region the cause mostly strikes, outside it mostly does not. */
const INSIDE = { a: 2, b: 0.5 };
const OUTSIDE = { a: 0.5, b: 2 };

const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

/** log Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i += 1) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** log B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** log n-choose-k. */
export function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** log Γ(k + offset) for whole k, cached per offset (the evidence needs three offsets). */
const logGammaTables = new Map<number, number[]>();
function logGammaAt(k: number, offset: number): number {
  let table = logGammaTables.get(offset);
  if (table === undefined) {
    table = [];
    logGammaTables.set(offset, table);
  }
  while (table.length <= k) table.push(logGamma(table.length + offset));
  return table[k] as number;
}

/** log B(k + a, m + b) for whole k, m (a and b among the Beta priors' parameters). */
function logBetaAt(k: number, a: number, m: number, b: number): number {
  return logGammaAt(k, a) + logGammaAt(m, b) - logGammaAt(k + m, a + b);
}

const LOG_BETA_INSIDE = logBeta(INSIDE.a, INSIDE.b);
const LOG_BETA_OUTSIDE = logBeta(OUTSIDE.a, OUTSIDE.b);

/**
 * The evidence of a region rule from its counts: `tp`/`fp` failures/passes inside,
 * `fn`/`tn` outside; and the posterior failure probabilities inside and outside.
 */
export function ruleEvidence(tp: number, fp: number, fn: number, tn: number): { logEvidence: number; pIn: number; pOut: number } {
  return {
    logEvidence: logBetaAt(tp, INSIDE.a, fp, INSIDE.b) - LOG_BETA_INSIDE + logBetaAt(fn, OUTSIDE.a, tn, OUTSIDE.b) - LOG_BETA_OUTSIDE,
    pIn: (tp + INSIDE.a) / (tp + fp + INSIDE.a + INSIDE.b),
    pOut: (fn + OUTSIDE.a) / (fn + tn + OUTSIDE.a + OUTSIDE.b),
  };
}

/** The evidence of the sceptic (one failure rate everywhere, uniform prior) and its rate. */
export function noRuleEvidence(failures: number, passes: number): { logEvidence: number; rate: number } {
  return { logEvidence: logBeta(failures + 1, passes + 1), rate: (failures + 1) / (failures + passes + 2) };
}
