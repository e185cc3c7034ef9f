/**
 * The hypotheses the feasibility model weighs for one cause of failure, each scored by
 * its evidence on the trials that failed with that cause (positives) and the trials that
 * got past it (negatives):
 * - thresholds on a feature (`lr > 0.03`, `batch * width > 6.5e4`, `act == 'tanh' and lr >
 *   0.01`), integrated over where the threshold may lie between observed values;
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

/** One trial for one cause: where it ran and whether that cause struck. */
export interface Labelled {
  point: FeasibilityPoint;
  failed: boolean;
}

/** Intervals kept per threshold rule: those within this many nats of its best. */
const KEEP_NATS = 12;

/** The sceptic: the cause strikes at one rate everywhere. */
export function noRuleHypothesis(data: readonly Labelled[]): Hypothesis {
  const failures = data.filter((entry) => entry.failed).length;
  const { logEvidence, rate } = noRuleEvidence(failures, data.length - failures);
  return { family: 'none', rule: 'no rule (strikes anywhere alike)', member: 'none', knobs: [], logWeight: Math.log(FAMILY_PRIOR.none) + logEvidence, pIn: rate, pOut: rate, inside: () => 0 };
}

/**
 * Threshold rules on `feature`, both directions, as hypotheses per interval between
 * observed values (prior proportional to the interval's width).
 */
export function thresholdHypotheses(feature: ThresholdFeature, data: readonly Labelled[], members: number): Hypothesis[] {
  const width = feature.high - feature.low;
  if (!(width > 0)) return [];
  const logMember = Math.log(FAMILY_PRIOR[feature.family] / members / 2);
  const totalFailed = data.filter((entry) => entry.failed).length;
  const totalPassed = data.length - totalFailed;
  const eligible = data.filter((entry) => feature.eligible?.(entry.point) ?? true);
  const sorted = eligible.map((entry) => ({ f: Math.min(feature.high, Math.max(feature.low, feature.value(entry.point))), failed: entry.failed })).sort((a, b) => a.f - b.f);
  const values: number[] = [];
  const failed: number[] = [];
  const passed: number[] = [];
  for (const entry of sorted) {
    if (values.length === 0 || entry.f > (values[values.length - 1] as number)) {
      values.push(entry.f);
      failed.push(0);
      passed.push(0);
    }
    const last = values.length - 1;
    if (entry.failed) failed[last] = (failed[last] as number) + 1;
    else passed[last] = (passed[last] as number) + 1;
  }
  const bounds = [feature.low, ...values, feature.high];
  const hypotheses: Hypothesis[] = [];
  for (const direction of ['>', '<'] as const) {
    const member = `${feature.describe(direction, 0)}#${direction}`;
    const found: Hypothesis[] = [];
    // Inside for '>' with t in (bounds[j], bounds[j+1]): distinct values j.. (suffix); for '<': values ..j-1 (prefix).
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
      const span = hi - lo;
      found.push({
        family: feature.family,
        rule: feature.describe(direction, (lo + hi) / 2),
        member,
        knobs: feature.knobs,
        logWeight: logMember + Math.log(span / width) + evidence.logEvidence,
        pIn: evidence.pIn,
        pOut: evidence.pOut,
        inside: (point) => {
          if (feature.eligible !== undefined && !feature.eligible(point)) return 0;
          const f = feature.value(point);
          return Math.min(1, Math.max(0, direction === '>' ? (f - lo) / span : (hi - f) / span));
        },
      });
    }
    const best = Math.max(-Infinity, ...found.map((hypothesis) => hypothesis.logWeight));
    hypotheses.push(...found.filter((hypothesis) => hypothesis.logWeight >= best - KEEP_NATS));
  }
  return hypotheses;
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
  const totalFailed = data.filter((entry) => entry.failed).length;
  const totalPassed = data.length - totalFailed;
  const logMember = Math.log(FAMILY_PRIOR.lattice / rules.length);
  const hypotheses: Hypothesis[] = [];
  for (const rule of rules) {
    let tp = 0;
    let fp = 0;
    for (const entry of data) {
      if (!rule.holds(entry.point)) continue;
      if (entry.failed) tp += 1;
      else fp += 1;
    }
    if (tp === 0) continue;
    const evidence = ruleEvidence(tp, fp, totalFailed - tp, totalPassed - fp);
    hypotheses.push({ family: 'lattice', rule: rule.rule, member: rule.member, knobs: rule.knobs, logWeight: logMember + evidence.logEvidence, pIn: evidence.pIn, pOut: evidence.pOut, inside: (point) => (rule.holds(point) ? 1 : 0) });
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
    const evidence = ruleEvidence(tp, 0, totalFailed - tp, totalPassed);
    const names = group.map((d) => encoded[d]!.knob.name);
    const shown = failing.map(([, count]) => count.values.map((value, i) => describeKnobValue(encoded[group[i] as number]!.knob, value)).join(', '));
    const rule = group.length === 1 ? `${names[0]} in {${shown.join(', ')}}` : `(${names.join(', ')}) in {${shown.map((pair) => `(${pair})`).join(', ')}}`;
    hypotheses.push({
      family: 'memory',
      rule,
      member: `memory ${names.join(',')}`,
      knobs: names,
      logWeight: Math.log(FAMILY_PRIOR.memory / groups.length) - logChoose(cells, failing.length) + evidence.logEvidence,
      pIn: evidence.pIn,
      pOut: evidence.pOut,
      inside: (point) => (keys.has(keyOf(point, group)) ? 1 : 0),
    });
  }
  return hypotheses;
}

/** Rules the failing lines state (`feasibility-hints.ts`), each scored on the data. */
export function statedHypotheses(rules: readonly StatedRule[], data: readonly Labelled[]): Hypothesis[] {
  const usable = rules.filter((rule) => rule.knobs.length > 0);
  if (usable.length === 0) return [];
  const totalFailed = data.filter((entry) => entry.failed).length;
  const totalPassed = data.length - totalFailed;
  return usable.map((rule) => {
    let tp = 0;
    let fp = 0;
    for (const entry of data) {
      if (!rule.strikes(entry.point.values)) continue;
      if (entry.failed) tp += 1;
      else fp += 1;
    }
    const evidence = ruleEvidence(tp, fp, totalFailed - tp, totalPassed - fp);
    return {
      family: 'stated' as const,
      rule: rule.rule,
      member: `stated ${rule.rule}`,
      knobs: rule.knobs,
      logWeight: Math.log(FAMILY_PRIOR.stated / usable.length) + evidence.logEvidence,
      pIn: evidence.pIn,
      pOut: evidence.pOut,
      inside: (point: FeasibilityPoint) => (rule.strikes(point.values) ? 1 : 0),
    };
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
  return { family: 'local', rule: 'near the trials that failed', member: 'local', knobs: [], logWeight: Math.log(FAMILY_PRIOR.local) + logEvidence, pIn: 1, pOut: 0, inside: (point) => predictFrom(points, point) };
}
