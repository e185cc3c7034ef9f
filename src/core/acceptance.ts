import type { AcceptanceVerdict } from './store.ts';
import { welchOneSided } from './statistics.ts';
import type { AcceptanceSpec, Objective } from './task.ts';

/**
 * Signed improvement of `candidate` over `reference` in the objective's direction:
 * positive means better. `delta` printed to users is always candidate - reference.
 */
export function improvement(objective: Objective, candidate: number, reference: number): number {
  return objective.direction === 'minimize' ? reference - candidate : candidate - reference;
}

/** True when `a` is strictly better than `b` under the objective. */
export function isBetter(objective: Objective, a: number, b: number): boolean {
  return improvement(objective, a, b) > 0;
}

/**
 * The acceptance rule: keep a scored candidate when it beats the incumbent by more than
 * the margin. With no incumbent (the baseline itself), any valid score is kept.
 */
export function accepts(rule: AcceptanceSpec, objective: Objective, candidate: number, incumbent: number | null): boolean {
  if (!Number.isFinite(candidate)) return false;
  if (incumbent === null) return true;
  return improvement(objective, candidate, incumbent) > rule.margin;
}


/** The measurements acceptance looks at, per trial. */
export interface AcceptanceSamples {
  /** Objective values of the ordinary repeats. */
  samples: readonly number[];
  /** Objective values of verification repeats (fresh, run only for a would-be incumbent). */
  verification: readonly number[];
}

/** The calibrated noise of the objective (the baseline's repeats). */
export interface Noise {
  std: number;
  df: number;
}

function formatP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toPrecision(2);
}

/**
 * Decides whether a scored candidate is kept against the incumbent, with the evidence.
 * `better`: means compared with the margin. `welch`: one-sided Welch tests at `alpha`,
 * first on the ordinary repeats, then (with `verify`) on the fresh verification repeats
 * alone, so that one lucky draw cannot crown a trial.
 */
export function judgeCandidate(rule: AcceptanceSpec, objective: Objective, candidate: AcceptanceSamples, incumbent: AcceptanceSamples | null, noise: Noise | null): AcceptanceVerdict {
  const all = [...candidate.samples, ...candidate.verification];
  const mean = all.reduce((sum, value) => sum + value, 0) / all.length;
  const incumbentAll = incumbent ? [...incumbent.samples, ...incumbent.verification] : [];
  const incumbentMean = incumbentAll.length > 0 ? incumbentAll.reduce((sum, value) => sum + value, 0) / incumbentAll.length : null;
  if (rule.rule === 'better' || incumbent === null || incumbentMean === null) {
    return { keep: accepts(rule, objective, mean, incumbentMean) };
  }
  const alpha = rule.alpha ?? 0.01;
  const minEffect = rule.minEffect ?? 0;
  const sign = objective.direction === 'minimize' ? -1 : 1;
  const fallback = noise ? { fallbackStd: noise.std, fallbackDf: noise.df } : {};
  const first = welchOneSided({ values: candidate.samples, ...fallback }, { values: incumbentAll, ...fallback }, sign, minEffect);
  const evidence: Record<string, number> = { p_value: first.pValue, n: candidate.samples.length, incumbent_n: incumbentAll.length, incumbent_mean: incumbentMean };
  if (first.improvement <= 0) return { keep: false, metrics: evidence };
  if (first.pValue >= alpha) {
    return {
      keep: false,
      label: 'not_significant',
      detail: `better by ${first.improvement.toPrecision(3)} on average, but p = ${formatP(first.pValue)} ≥ alpha ${alpha} (n = ${candidate.samples.length} vs ${incumbentAll.length}${minEffect ? `, min effect ${minEffect}` : ''})`,
      metrics: evidence,
    };
  }
  const verify = rule.verify ?? 0;
  if (verify > 0) {
    if (candidate.verification.length === 0) {
      return { keep: false, label: 'not_significant', detail: `p = ${formatP(first.pValue)} < alpha ${alpha}, but it was not verified (the incumbent changed while it ran)`, metrics: evidence };
    }
    const second = welchOneSided({ values: candidate.verification, ...fallback }, { values: incumbentAll, ...fallback }, sign, minEffect);
    evidence.verify_p_value = second.pValue;
    evidence.verify_n = candidate.verification.length;
    if (second.improvement <= 0 || second.pValue >= alpha) {
      return {
        keep: false,
        label: 'not_significant',
        detail: `p = ${formatP(first.pValue)} on ${candidate.samples.length} repeats, but verification on ${candidate.verification.length} fresh repeats gave p = ${formatP(second.pValue)} ≥ alpha ${alpha}`,
        metrics: evidence,
      };
    }
  }
  return { keep: true, metrics: evidence };
}

/** Whether a candidate with these ordinary repeats should be verified before judging. */
export function wouldCrown(rule: AcceptanceSpec, objective: Objective, samples: readonly number[], incumbent: AcceptanceSamples | null, noise: Noise | null): boolean {
  if (incumbent === null) return true;
  const verdict = judgeCandidate({ ...rule, verify: 0 }, objective, { samples, verification: [] }, incumbent, noise);
  return verdict.keep;
}
