/**
 * Acceptance in a multi-objective study: a scored candidate is kept when the front does
 * not dominate it. With `rule: better` the means are compared (with each objective's
 * margin); with `rule: welch` the candidate must, against every front member, be
 * significantly better in at least one objective (a one-sided Welch test per objective,
 * at `alpha / objectives` so that looking at several objectives does not inflate the
 * chance of a lucky trial entering), and with `verify` pass that again on fresh repeats.
 */
import type { AcceptanceSamples, Noise } from './acceptance.ts';
import { entersFront, paretoFront, type FrontMember } from './pareto.ts';
import { welchOneSided } from './statistics.ts';
import type { AcceptanceVerdict } from './store.ts';
import type { AcceptanceSpec, ParetoObjective } from './task.ts';

/** A trial as acceptance sees it: its number and its samples of each objective, in the objectives' order. */
export interface ParetoSamples {
  id: number;
  samples: readonly AcceptanceSamples[];
}

function allOf(samples: AcceptanceSamples): number[] {
  return [...samples.samples, ...samples.verification];
}

function meanOf(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** The mean objective vector of a trial's samples. */
export function meanVector(trial: ParetoSamples): number[] {
  return trial.samples.map((samples) => meanOf(allOf(samples)));
}

/** The members of `kept` that are on the front now (by their means), oldest duplicates first. */
export function frontOfKept(objectives: readonly ParetoObjective[], kept: readonly ParetoSamples[]): ParetoSamples[] {
  const members = kept.map((trial) => ({ id: trial.id, values: meanVector(trial), trial }));
  return paretoFront(objectives, members).map((member) => member.trial);
}

function formatP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toPrecision(2);
}

interface MemberTest {
  /** Objectives (indices) where the candidate is better on average. */
  better: number[];
  /** The smallest p-value over the objectives where it is better (1 when none). */
  bestP: number;
}

function testAgainst(objectives: readonly ParetoObjective[], candidate: (k: number) => readonly number[], member: ParetoSamples, noise: readonly (Noise | null)[]): MemberTest {
  const better: number[] = [];
  let bestP = 1;
  objectives.forEach((objective, k) => {
    const fallbackNoise = noise[k];
    const fallback = fallbackNoise ? { fallbackStd: fallbackNoise.std, fallbackDf: fallbackNoise.df } : {};
    const sign = objective.direction === 'minimize' ? -1 : 1;
    const result = welchOneSided({ values: candidate(k), ...fallback }, { values: allOf(member.samples[k]!), ...fallback }, sign, objective.margin ?? 0);
    if (result.improvement > 0) better.push(k);
    if (result.improvement > 0 && result.pValue < bestP) bestP = result.pValue;
  });
  return { better, bestP };
}

/**
 * Judges a scored candidate against the front of the kept trials (`kept`: every kept
 * trial; the front is recomputed from them, so a member later dominated no longer counts).
 * The verdict's `detail` names the front member that blocked the candidate.
 *
 * @example
 * judgeParetoCandidate({ rule: 'better', margin: 0 }, objectives, { id: 9, samples: [s(1.1), s(900)] }, kept, []);
 */
export function judgeParetoCandidate(rule: AcceptanceSpec, objectives: readonly ParetoObjective[], candidate: ParetoSamples, kept: readonly ParetoSamples[], noise: readonly (Noise | null)[]): AcceptanceVerdict {
  const vector = meanVector(candidate);
  if (!vector.every((value) => Number.isFinite(value))) return { keep: false };
  const front = frontOfKept(objectives, kept);
  if (front.length === 0) return { keep: true, metrics: { front_size: 0 } };
  const margins = objectives.map((objective) => objective.margin ?? 0);
  const members: FrontMember[] = front.map((trial) => ({ id: trial.id, values: meanVector(trial) }));
  if (rule.rule === 'better') {
    if (entersFront(objectives, members, vector, margins)) return { keep: true, metrics: { front_size: front.length } };
    const blocker = members.find((member) => !entersFront(objectives, [member], vector, margins));
    return { keep: false, ...(blocker ? { detail: `dominated by trial #${blocker.id}` } : {}), metrics: { front_size: front.length } };
  }
  const alpha = (rule.alpha ?? 0.01) / objectives.length;
  const ordinary = (k: number): readonly number[] => candidate.samples[k]!.samples;
  const evidence: Record<string, number> = { front_size: front.length, n: candidate.samples[0]?.samples.length ?? 0 };
  let worstP = 0;
  for (const member of front) {
    const test = testAgainst(objectives, ordinary, member, noise);
    if (test.better.length === 0) return { keep: false, detail: `dominated by trial #${member.id}`, metrics: evidence };
    worstP = Math.max(worstP, test.bestP);
    if (test.bestP >= alpha) {
      const names = test.better.map((k) => objectives[k]!.metric).join(', ');
      return {
        keep: false,
        label: 'not_significant',
        detail: `better than trial #${member.id} on average in ${names}, but p = ${formatP(test.bestP)} ≥ alpha ${formatP(alpha)} (alpha ${rule.alpha ?? 0.01} over ${objectives.length} objectives)`,
        metrics: { ...evidence, p_value: test.bestP },
      };
    }
  }
  evidence.p_value = worstP;
  const verify = rule.verify ?? 0;
  if (verify > 0) {
    if (candidate.samples.every((samples) => samples.verification.length === 0)) {
      return { keep: false, label: 'not_significant', detail: `not dominated by the front (p = ${formatP(worstP)}), but it was not verified (the front changed while it ran)`, metrics: evidence };
    }
    const fresh = (k: number): readonly number[] => candidate.samples[k]!.verification;
    for (const member of front) {
      const test = testAgainst(objectives, fresh, member, noise);
      if (test.better.length === 0 || test.bestP >= alpha) {
        return { keep: false, label: 'not_significant', detail: `verification on fresh repeats did not beat trial #${member.id} in any objective (p = ${formatP(test.bestP)} ≥ alpha ${formatP(alpha)})`, metrics: { ...evidence, verify_p_value: test.bestP } };
      }
      evidence.verify_p_value = Math.max(evidence.verify_p_value ?? 0, test.bestP);
    }
  }
  return { keep: true, metrics: evidence };
}
