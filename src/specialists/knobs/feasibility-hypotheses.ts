/**
 * The hypotheses the feasibility model weighs for one cause of failure, each scored by
 * its evidence on the trials that failed with that cause (positives) and the trials that
 * got past it (negatives):
 * - thresholds on a feature (`lr > 0.03`, `batch * width > 6.5e4`, `act == 'tanh' and lr >
 *   0.01`), averaged over where the threshold may lie between observed values;
 * - rules the failing line states (`assert d_model % n_heads == 0`, feasibility-hints.ts);
 * - lattice rules of int knobs (`d_model % n_heads != 0`, `batch % 8 != 0`, `(d_model /
 *   n_heads) % 2 != 0`, `n_kv > n_heads`);
 * - memory of discrete values and pairs that failed and never passed (`(optimizer,
 *   schedule) in {(lion, onecycle)}`);
 * - a local kernel model (failures cluster, no rule) and the sceptic (no relation).
 */
import type { EncodedSpace } from './knob-encoding.ts';
import { FAMILY_PRIOR, logChoose, noRuleEvidence, ruleEvidence, type Hypothesis } from './feasibility-evidence.ts';
import type { FeasibilityPoint, ThresholdFeature } from './feasibility-features.ts';
import type { StatedRule } from './feasibility-hints.ts';
import { describeKnobValue, type KnobValue } from './knob-value.ts';
import { logSumExp } from './sampler-math.ts';

/** One trial for one cause: where it ran and whether that cause struck. */
export interface Labelled {
  point: FeasibilityPoint;
  failed: boolean;
}

/** The sceptic: the cause strikes at one rate everywhere. */
export function noRuleHypothesis(data: readonly Labelled[]): Hypothesis {
  const failures = data.filter((entry) => entry.failed).length;
  const { logEvidence, rate } = noRuleEvidence(failures, data.length - failures);
  return { family: 'none', rule: 'no rule (strikes anywhere alike)', member: 'none', knobs: [], logWeight: Math.log(FAMILY_PRIOR.none) + logEvidence, failureProbability: () => rate };
}

/** Failures and passes inside a region (where `inside` holds) and outside it. */
function countRegion(data: readonly Labelled[], inside: (point: FeasibilityPoint) => boolean): { tp: number; fp: number; fn: number; tn: number } {
  const counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const entry of data) {
    if (inside(entry.point)) {
      if (entry.failed) counts.tp += 1;
      else counts.fp += 1;
    } else if (entry.failed) counts.fn += 1;
    else counts.tn += 1;
  }
  return counts;
}

/** A rule with a region: the cause strikes at the posterior rate inside it, and outside it. */
function regionHypothesis(base: Omit<Hypothesis, 'logWeight' | 'failureProbability'>, logPrior: number, counts: { tp: number; fp: number; fn: number; tn: number }, inside: (point: FeasibilityPoint) => boolean): Hypothesis {
  const evidence = ruleEvidence(counts.tp, counts.fp, counts.fn, counts.tn);
  return { ...base, logWeight: logPrior + evidence.logEvidence, failureProbability: (point) => (inside(point) ? evidence.pIn : evidence.pOut) };
}

function clampTo(feature: ThresholdFeature, value: number): number {
  return Math.min(feature.high, Math.max(feature.low, value));
}

/** The distinct values of a feature over the data, with the failures and passes at each. */
function tally(feature: ThresholdFeature, data: readonly Labelled[]): { values: number[]; failed: number[]; passed: number[] } {
  const f = new Float64Array(data.length);
  const order: number[] = [];
  data.forEach((entry, index) => {
    if (feature.eligible !== undefined && !feature.eligible(entry.point)) return;
    f[index] = clampTo(feature, feature.value(entry.point));
    order.push(index);
  });
  order.sort((a, b) => (f[a] as number) - (f[b] as number));
  const values: number[] = [];
  const failed: number[] = [];
  const passed: number[] = [];
  for (const index of order) {
    const value = f[index] as number;
    if (values.length === 0 || value > (values[values.length - 1] as number)) {
      values.push(value);
      failed.push(0);
      passed.push(0);
    }
    const last = values.length - 1;
    if ((data[index] as Labelled).failed) failed[last] = (failed[last] as number) + 1;
    else passed[last] = (passed[last] as number) + 1;
  }
  return { values, failed, passed };
}

interface Interval {
  lo: number;
  hi: number;
  logWeight: number;
  pIn: number;
  pOut: number;
}

/**
 * Threshold rules on `feature`, one hypothesis per direction: the average over where the
 * threshold lies (each interval between observed values weighed by its width and its
 * evidence), so that between the last pass and the first failure the predicted failure
 * probability rises gradually.
 */
export function thresholdHypotheses(feature: ThresholdFeature, data: readonly Labelled[], members: number): Hypothesis[] {
  const width = feature.high - feature.low;
  if (!(width > 0)) return [];
  const logMember = Math.log(FAMILY_PRIOR[feature.family] / members / 2);
  const totalFailed = data.filter((entry) => entry.failed).length;
  const totalPassed = data.length - totalFailed;
  const { values, failed, passed } = tally(feature, data);
  const bounds = [feature.low, ...values, feature.high];
  const hypotheses: Hypothesis[] = [];
  for (const direction of ['>', '<'] as const) {
    const intervals: Interval[] = [];
    // Inside for '>' with t in (bounds[j], bounds[j+1]): the values from j on; for '<': those before j.
    let insideFailed = direction === '>' ? failed.reduce((a, b) => a + b, 0) : 0;
    let insidePassed = direction === '>' ? passed.reduce((a, b) => a + b, 0) : 0;
    for (let j = 0; j + 1 < bounds.length; j += 1) {
      if (j > 0) {
        const step = direction === '>' ? -1 : 1;
        insideFailed += step * (failed[j - 1] as number);
        insidePassed += step * (passed[j - 1] as number);
      }
      const lo = bounds[j] as number;
      const hi = bounds[j + 1] as number;
      if (!(hi > lo) || insideFailed === 0) continue;
      const evidence = ruleEvidence(insideFailed, insidePassed, totalFailed - insideFailed, totalPassed - insidePassed);
      intervals.push({ lo, hi, logWeight: logMember + Math.log((hi - lo) / width) + evidence.logEvidence, pIn: evidence.pIn, pOut: evidence.pOut });
    }
    if (intervals.length > 0) hypotheses.push(thresholdMember(feature, direction, intervals));
  }
  return hypotheses;
}

/** The intervals of one threshold rule as one hypothesis; prefix sums make a prediction O(log n). */
function thresholdMember(feature: ThresholdFeature, direction: '>' | '<', intervals: readonly Interval[]): Hypothesis {
  const total = logSumExp(intervals.map((interval) => interval.logWeight));
  const weights = intervals.map((interval) => Math.exp(interval.logWeight - total));
  const inBefore = [0];
  const outBefore = [0];
  let best = 0;
  intervals.forEach((interval, index) => {
    inBefore.push((inBefore[index] as number) + (weights[index] as number) * interval.pIn);
    outBefore.push((outBefore[index] as number) + (weights[index] as number) * interval.pOut);
    if (interval.logWeight > (intervals[best] as Interval).logWeight) best = index;
  });
  const inAll = inBefore[intervals.length] as number;
  const outAll = outBefore[intervals.length] as number;
  const likeliest = intervals[best] as Interval;
  return {
    family: feature.family,
    rule: feature.describe(direction, (likeliest.lo + likeliest.hi) / 2),
    member: `${feature.describe(direction, 0)}#${direction}`,
    knobs: feature.knobs,
    logWeight: total,
    failureProbability(point) {
      if (feature.eligible !== undefined && !feature.eligible(point)) return outAll;
      const f = clampTo(feature, feature.value(point));
      // k: the last interval that starts at or below f (-1: none does).
      let k = -1;
      for (let low = 0, high = intervals.length - 1; low <= high; ) {
        const middle = (low + high) >> 1;
        if ((intervals[middle] as Interval).lo <= f) {
          k = middle;
          low = middle + 1;
        } else high = middle - 1;
      }
      if (k < 0) return direction === '>' ? outAll : inAll;
      const interval = intervals[k] as Interval;
      const below = Math.min(1, Math.max(0, (f - interval.lo) / (interval.hi - interval.lo)));
      const inside = direction === '>' ? below : 1 - below;
      const partial = (weights[k] as number) * (inside * interval.pIn + (1 - inside) * interval.pOut);
      return direction === '>'
        ? (inBefore[k] as number) + (outAll - (outBefore[k + 1] as number)) + partial
        : inAll - (inBefore[k + 1] as number) + (outBefore[k] as number) + partial;
    },
  };
}

/** A discrete rule: its text and whether a point is on its failing side. */
interface DiscreteRule {
  rule: string;
  member: string;
  knobs: string[];
  holds(point: FeasibilityPoint): boolean;
}

const DIVISORS = [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 24, 32, 48, 64, 96, 128, 256, 512];

/** Lattice rules over the int knobs of the space. */
export function latticeRules(encoded: EncodedSpace): DiscreteRule[] {
  const ints = encoded.flatMap((dimension) => (dimension.kind === 'numeric' && dimension.knob.type === 'int' ? [dimension.knob] : []));
  const numeric = encoded.flatMap((dimension) => (dimension.kind === 'numeric' ? [dimension.knob] : []));
  const rules: DiscreteRule[] = [];
  const value = (point: FeasibilityPoint, name: string): number => point.values[name] as number;
  for (const knob of ints) {
    for (const divisor of DIVISORS) {
      if (divisor > knob.high) break;
      const step = knob.step ?? 1;
      if (step % divisor === 0 && knob.low % divisor === 0) continue; // every value is a multiple already
      rules.push({ rule: `${knob.name} % ${divisor} != 0`, member: `${knob.name} % ${divisor}`, knobs: [knob.name], holds: (point) => value(point, knob.name) % divisor !== 0 });
    }
  }
  for (const a of ints) {
    for (const b of ints) {
      if (a === b) continue;
      for (const times of [1, 2, 4, 8]) {
        const text = times === 1 ? `${a.name} % ${b.name} != 0` : `(${a.name} / ${b.name}) % ${times} != 0`;
        rules.push({ rule: text, member: text, knobs: [a.name, b.name], holds: (point) => value(point, a.name) % (times * value(point, b.name)) !== 0 });
      }
    }
  }
  for (const a of numeric) {
    for (const b of numeric) {
      if (a === b || a.high <= b.low || b.high <= a.low) continue;
      rules.push({ rule: `${a.name} > ${b.name}`, member: `${a.name} > ${b.name}`, knobs: [a.name, b.name], holds: (point) => value(point, a.name) > value(point, b.name) });
    }
  }
  return rules;
}

/** Hypotheses from discrete rules (the lattice family), each scored on the data. */
export function discreteHypotheses(rules: readonly DiscreteRule[], data: readonly Labelled[]): Hypothesis[] {
  if (rules.length === 0) return [];
  const logMember = Math.log(FAMILY_PRIOR.lattice / rules.length);
  const hypotheses: Hypothesis[] = [];
  for (const rule of rules) {
    const counts = countRegion(data, rule.holds);
    if (counts.tp === 0) continue;
    hypotheses.push(regionHypothesis({ family: 'lattice', rule: rule.rule, member: rule.member, knobs: rule.knobs }, logMember, counts, rule.holds));
  }
  return hypotheses;
}

/** Discrete dimensions: categorical knobs and lattice knobs of at most 12 values. */
function discreteDimensions(encoded: EncodedSpace): number[] {
  return encoded.flatMap((dimension, index) => (dimension.kind === 'categorical' || (Number.isFinite(dimension.levels) && dimension.levels <= 12) ? [index] : []));
}

/**
 * Memory hypotheses: for each discrete knob and pair of discrete knobs, the values (pairs)
 * that failed with this cause and never passed; prior penalised by how many it lists.
 */
export function memoryHypotheses(encoded: EncodedSpace, data: readonly Labelled[]): Hypothesis[] {
  const dims = discreteDimensions(encoded);
  const groups: number[][] = [...dims.map((d) => [d]), ...dims.flatMap((d, i) => dims.slice(i + 1).map((e) => [d, e]))];
  if (groups.length === 0) return [];
  const totalFailed = data.filter((entry) => entry.failed).length;
  const totalPassed = data.length - totalFailed;
  const hypotheses: Hypothesis[] = [];
  const keyOf = (point: FeasibilityPoint, group: readonly number[]): string => group.map((d) => JSON.stringify(point.values[encoded[d]!.knob.name] ?? null)).join('|');
  const levels = (d: number): number => {
    const dimension = encoded[d]!;
    return dimension.kind === 'categorical' ? dimension.choices.length : dimension.levels;
  };
  for (const group of groups) {
    const counts = new Map<string, { failed: number; passed: number; values: KnobValue[] }>();
    for (const entry of data) {
      const key = keyOf(entry.point, group);
      const count = counts.get(key) ?? { failed: 0, passed: 0, values: group.map((d) => entry.point.values[encoded[d]!.knob.name] as KnobValue) };
      if (entry.failed) count.failed += 1;
      else count.passed += 1;
      counts.set(key, count);
    }
    const failing = [...counts.entries()].filter(([, count]) => count.failed > 0 && count.passed === 0);
    if (failing.length === 0) continue;
    const keys = new Set(failing.map(([key]) => key));
    const tp = failing.reduce((sum, [, count]) => sum + count.failed, 0);
    const cells = group.reduce((product, d) => product * levels(d), 1);
    const names = group.map((d) => encoded[d]!.knob.name);
    const shown = failing.map(([, count]) => count.values.map((value, i) => describeKnobValue(encoded[group[i] as number]!.knob, value)).join(', '));
    const rule = group.length === 1 ? `${names[0]} in {${shown.join(', ')}}` : `(${names.join(', ')}) in {${shown.map((pair) => `(${pair})`).join(', ')}}`;
    const logPrior = Math.log(FAMILY_PRIOR.memory / groups.length) - logChoose(cells, failing.length);
    hypotheses.push(regionHypothesis({ family: 'memory', rule, member: `memory ${names.join(',')}`, knobs: names }, logPrior, { tp, fp: 0, fn: totalFailed - tp, tn: totalPassed }, (point) => keys.has(keyOf(point, group))));
  }
  return hypotheses;
}

/** Rules the failing lines state (`feasibility-hints.ts`), each scored on the data. */
export function statedHypotheses(rules: readonly StatedRule[], data: readonly Labelled[]): Hypothesis[] {
  const usable = rules.filter((rule) => rule.knobs.length > 0);
  if (usable.length === 0) return [];
  return usable.map((rule) => {
    const strikes = (point: FeasibilityPoint): boolean => rule.strikes(point.values);
    return regionHypothesis({ family: 'stated', rule: rule.rule, member: `stated ${rule.rule}`, knobs: rule.knobs }, Math.log(FAMILY_PRIOR.stated / usable.length), countRegion(data, strikes), strikes);
  });
}

/** Points the local model keeps (the most recent). */
const LOCAL_LIMIT = 300;

/**
 * The local kernel model: the failure probability near a point is the kernel-weighted
 * share of failures around it (shrunk to the overall rate where there are few). Its
 * evidence is its sequential predictive likelihood, comparable with the others'.
 */
export function localHypothesis(encoded: EncodedSpace, data: readonly Labelled[]): Hypothesis {
  const points = data.slice(-LOCAL_LIMIT);
  const bandwidth = 0.12;
  const kernel = (a: FeasibilityPoint, b: FeasibilityPoint): number => {
    let log = 0;
    for (let d = 0; d < encoded.length; d += 1) {
      const dimension = encoded[d]!;
      if (dimension.kind === 'categorical') {
        if (a.unit[d] !== b.unit[d]) log += Math.log(0.25);
      } else {
        const z = ((a.unit[d] as number) - (b.unit[d] as number)) / bandwidth;
        log -= 0.5 * z * z;
      }
    }
    return Math.exp(log);
  };
  const predictFrom = (known: readonly Labelled[], point: FeasibilityPoint): number => {
    let failedMass = 0;
    let mass = 0;
    let failures = 0;
    for (const entry of known) {
      const weight = kernel(entry.point, point);
      mass += weight;
      if (entry.failed) {
        failedMass += weight;
        failures += 1;
      }
    }
    const rate = (failures + 1) / (known.length + 2);
    return (failedMass + rate) / (mass + 1);
  };
  let logEvidence = 0;
  for (let k = 0; k < points.length; k += 1) {
    const entry = points[k] as Labelled;
    const p = predictFrom(points.slice(0, k), entry.point);
    logEvidence += Math.log(entry.failed ? p : 1 - p);
  }
  return { family: 'local', rule: 'near the trials that failed', member: 'local', knobs: [], logWeight: Math.log(FAMILY_PRIOR.local) + logEvidence, failureProbability: (point) => predictFrom(points, point) };
}
