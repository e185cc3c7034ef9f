/**
 * Where trials fail, learned from the history: for each cause of failure (its failure
 * signature), a Bayesian average over hypotheses of where that cause strikes (thresholds
 * on knobs, products and ratios, lattice rules of ints, failing discrete pairs, a local
 * kernel model, or nowhere in particular), each weighed by its prior and its evidence.
 * The probability that a value set runs is the product over causes of the probability
 * that each one does not strike. Deterministic: a function of the history.
 *
 * Compared with c-TPE (Watanabe & Hutter 2023), which splits each constraint's trials
 * into feasible and infeasible densities, rules such as `d_model % n_heads != 0` or
 * `batch * width > 65536` are represented exactly and generalise to values never tried;
 * the kernel model covers what no rule explains.
 */
import type { KnobSpec } from '../../core/task.ts';
import { groupFailures, type FailureGroup } from './failure-groups.ts';
import { thresholdFeatures, type FeasibilityPoint } from './feasibility-features.ts';
import { failureHints } from './feasibility-hints.ts';
import { discreteHypotheses, latticeRules, localHypothesis, memoryHypotheses, noRuleHypothesis, statedHypotheses, thresholdHypotheses, type Labelled } from './feasibility-hypotheses.ts';
import { FAMILY_PRIOR, type Hypothesis } from './feasibility-evidence.ts';
import { gateMetricHypothesis, gateOfCause } from './feasibility-gate-model.ts';
import { encodeSpace, encodeValues, type EncodedSpace } from './knob-encoding.ts';
import type { KnobObservation } from './knob-sampler.ts';
import type { KnobValues } from './knob-value.ts';
import { logSumExp } from './sampler-math.ts';

/** What was learned about one cause of failure. */
export interface LearnedCause {
  /** The failure signature (or label). */
  cause: string;
  failures: number;
  /** Trials known to have got past it. */
  passes: number;
  /** The most probable rule, e.g. `d_model % n_heads != 0`, and its posterior probability. */
  rule: string;
  probability: number;
}

/** The fitted model. */
export interface FeasibilityModel {
  /** False when no trial failed in a way the knob values could explain: `feasibility` is then 1. */
  readonly active: boolean;
  /** Probability that a value set runs without any of the causes seen so far. */
  feasibility(values: KnobValues): number;
  /** The causes, largest first. */
  readonly causes: readonly LearnedCause[];
}

/** Labelled points per cause at most (the most recent). */
const POINT_LIMIT = 400;
/** Log prior factor of a rule whose knobs the failure's text all names (e^3, about 20). */
const MENTION_BOOST = 3;
/** Hypotheses below this share of the posterior are dropped. */
const PRUNE_LOG = Math.log(1e-6);

interface FittedCause {
  summary: LearnedCause;
  hypotheses: Array<{ hypothesis: Hypothesis; weight: number }>;
}

const INACTIVE: FeasibilityModel = { active: false, feasibility: () => 1, causes: [] };

/**
 * Fits the model to the history (every specialist's trials; failures grouped by
 * `failure`, else by label).
 *
 * @example
 * const model = fitFeasibilityModel(surface.knobs, history);
 * model.feasibility({ d_model: 384, n_heads: 5 }) // ~0.05 once `d_model % n_heads != 0` is learned
 */
export function fitFeasibilityModel(space: readonly KnobSpec[], history: readonly KnobObservation[], encoded: EncodedSpace = encodeSpace(space)): FeasibilityModel {
  const groups = groupFailures(history);
  if (groups.length === 0 || space.length === 0) return INACTIVE;
  const features = thresholdFeatures(space, encoded);
  const lattice = latticeRules(encoded);
  const fitted = groups.map((group) => fitCause(space, group, encoded, features, lattice)).filter((cause): cause is FittedCause => cause !== null);
  if (fitted.length === 0) return INACTIVE;
  return {
    active: true,
    causes: fitted.map((cause) => cause.summary),
    feasibility(values) {
      const unit = encodeValues(encoded, values);
      if (unit === null) return 1;
      const point: FeasibilityPoint = { values, unit };
      let feasible = 1;
      for (const cause of fitted) feasible *= 1 - failureProbability(cause, point);
      return feasible;
    },
  };
}

function failureProbability(cause: FittedCause, point: FeasibilityPoint): number {
  let probability = 0;
  for (const { hypothesis, weight } of cause.hypotheses) probability += weight * hypothesis.failureProbability(point);
  return Math.min(1, Math.max(0, probability));
}

function fitCause(space: readonly KnobSpec[], group: FailureGroup, encoded: EncodedSpace, features: ReturnType<typeof thresholdFeatures>, lattice: ReturnType<typeof latticeRules>): FittedCause | null {
  const labelled: Array<Labelled & { trialId: number; metrics?: Readonly<Record<string, number>> }> = [];
  const add = (observation: KnobObservation, failed: boolean): void => {
    const unit = encodeValues(encoded, observation.values);
    if (unit !== null) labelled.push({ point: { values: observation.values, unit }, failed, trialId: observation.trialId, ...(observation.metrics !== undefined ? { metrics: observation.metrics } : {}) });
  };
  for (const observation of group.positives) add(observation, true);
  for (const observation of group.negatives) add(observation, false);
  labelled.sort((a, b) => a.trialId - b.trialId);
  const data = labelled.slice(-POINT_LIMIT);
  const failures = data.filter((entry) => entry.failed).length;
  if (failures === 0) return null;

  const counts = new Map<string, number>();
  for (const feature of features) counts.set(feature.family, (counts.get(feature.family) ?? 0) + 1);
  const hints = failureHints(group.texts, space);
  const hypotheses: Hypothesis[] = [noRuleHypothesis(data), localHypothesis(encoded, data), ...statedHypotheses(hints.rules, data), ...discreteHypotheses(lattice, data), ...memoryHypotheses(encoded, data)];
  for (const feature of features) hypotheses.push(...thresholdHypotheses(feature, data, counts.get(feature.family) ?? 1));
  const gate = gateOfCause(group.cause);
  const regression = gate === null ? null : gateMetricHypothesis(gate, encoded, data, Math.log(FAMILY_PRIOR.metric));
  if (regression !== null) hypotheses.push(regression);
  // Rules over the knobs the failure's text names are more probable a priori.
  if (hints.mentioned.size > 0) {
    for (const hypothesis of hypotheses) {
      if (hypothesis.knobs.length === 0 || hypothesis.family === 'stated' || hypothesis.family === 'metric') continue;
      const named = hypothesis.knobs.filter((knob) => hints.mentioned.has(knob)).length;
      hypothesis.logWeight += MENTION_BOOST * (named / hypothesis.knobs.length);
    }
  }

  const total = logSumExp(hypotheses.map((hypothesis) => hypothesis.logWeight));
  const kept = hypotheses.filter((hypothesis) => hypothesis.logWeight - total >= PRUNE_LOG);
  const keptTotal = logSumExp(kept.map((hypothesis) => hypothesis.logWeight));
  const weighted = kept.map((hypothesis) => ({ hypothesis, weight: Math.exp(hypothesis.logWeight - keptTotal) }));

  // The most probable rule: thresholds of one rule add up over their intervals.
  const byMember = new Map<string, { weight: number; best: Hypothesis; bestWeight: number }>();
  for (const { hypothesis, weight } of weighted) {
    const entry = byMember.get(hypothesis.member) ?? { weight: 0, best: hypothesis, bestWeight: -1 };
    entry.weight += weight;
    if (weight > entry.bestWeight) {
      entry.best = hypothesis;
      entry.bestWeight = weight;
    }
    byMember.set(hypothesis.member, entry);
  }
  const top = [...byMember.values()].sort((a, b) => b.weight - a.weight)[0]!;
  return {
    summary: { cause: group.cause, failures, passes: data.length - failures, rule: top.best.rule, probability: top.weight },
    hypotheses: weighted,
  };
}
