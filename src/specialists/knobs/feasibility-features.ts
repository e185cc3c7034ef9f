/**
 * The numeric features over which the feasibility model looks for a threshold beyond
 * which a cause strikes: each numeric knob alone (a learning-rate edge), products and
 * ratios of positive knobs with small exponents (a memory ceiling on `batch * width`, a
 * size ceiling on `depth * width^2`), sums of knobs that may be zero, triple products, and
 * a knob within one choice of a categorical knob (`act == 'tanh' and lr > t`).
 */
import type { KnobSpec } from '../../core/task.ts';
import type { EncodedSpace } from './knob-encoding.ts';
import { describeKnobValue, type KnobValue, type KnobValues } from './knob-value.ts';

/** A value set as the model sees it: the values and their encoded point. */
export interface FeasibilityPoint {
  values: KnobValues;
  /** Numeric knobs in [0, 1] (log-scaled where declared), categorical knobs as choice index. */
  unit: readonly number[];
}

/** A real-valued feature of a point, with its range over the whole knob space. */
export interface ThresholdFeature {
  family: 'single' | 'pair' | 'conditional';
  /** The knobs it reads. */
  knobs: string[];
  /** How a threshold on it reads, e.g. `(t) => 'batch * width > ' + t`. */
  describe(direction: '>' | '<', threshold: number): string;
  value(point: FeasibilityPoint): number;
  /** Points this feature applies to (others are never on the failing side). */
  eligible?(point: FeasibilityPoint): boolean;
  low: number;
  high: number;
}

const formatNumber = (value: number): string => (Math.abs(value) >= 1e5 || (Math.abs(value) < 1e-3 && value !== 0) ? value.toExponential(2) : String(Number(value.toPrecision(4))));

interface NumericIndex {
  index: number;
  knob: KnobSpec & { low: number; high: number };
}

/** The features of a space (fewer exponents of pairs for spaces of more than 8 numeric knobs). */
export function thresholdFeatures(space: readonly KnobSpec[], encoded: EncodedSpace): ThresholdFeature[] {
  const numeric: NumericIndex[] = [];
  encoded.forEach((dimension, index) => {
    if (dimension.kind === 'numeric') numeric.push({ index, knob: dimension.knob });
  });
  const features: ThresholdFeature[] = [];
  for (const { index, knob } of numeric) {
    features.push({
      family: 'single',
      knobs: [knob.name],
      describe: (direction, threshold) => `${knob.name} ${direction} ${describeKnobValue(knob, unitToValue(knob, threshold))}`,
      value: (point) => point.unit[index] as number,
      low: 0,
      high: 1,
    });
  }
  const positive = numeric.filter(({ knob }) => knob.low > 0);
  const logOf = (point: FeasibilityPoint, knob: KnobSpec): number => Math.log(Math.max(point.values[knob.name] as number, 1e-300));
  const exponents: Array<[number, number]> = numeric.length <= 8 ? [[1, 1], [1, -1], [1, 2], [2, 1]] : [[1, 1], [1, -1]];
  for (let a = 0; a < numeric.length; a += 1) {
    for (let b = a + 1; b < numeric.length; b += 1) {
      const first = numeric[a] as NumericIndex;
      const second = numeric[b] as NumericIndex;
      if (first.knob.low > 0 && second.knob.low > 0) {
        for (const [p, q] of exponents) features.push(productFeature([first.knob, second.knob], [p, q], logOf));
      } else {
        features.push(sumFeature(first, second, 1), sumFeature(first, second, -1));
      }
    }
  }
  if (positive.length >= 3 && positive.length <= 6) {
    for (let a = 0; a < positive.length; a += 1) {
      for (let b = a + 1; b < positive.length; b += 1) {
        for (let c = b + 1; c < positive.length; c += 1) {
          features.push(productFeature([(positive[a] as NumericIndex).knob, (positive[b] as NumericIndex).knob, (positive[c] as NumericIndex).knob], [1, 1, 1], logOf));
        }
      }
    }
  }
  encoded.forEach((dimension, categoricalIndex) => {
    if (dimension.kind !== 'categorical') return;
    dimension.choices.forEach((choice, choiceIndex) => {
      for (const { index, knob } of numeric) features.push(conditionalFeature(dimension.knob.name, choice, categoricalIndex, choiceIndex, index, knob));
    });
  });
  return features;
}

function productFeature(knobs: ReadonlyArray<KnobSpec & { low: number; high: number }>, powers: readonly number[], logOf: (point: FeasibilityPoint, knob: KnobSpec) => number): ThresholdFeature {
  const term = (knob: KnobSpec, power: number): string => `${knob.name}${Math.abs(power) === 1 ? '' : `^${Math.abs(power)}`}`;
  const tops: string[] = [];
  const bottoms: string[] = [];
  knobs.forEach((knob, i) => ((powers[i] as number) > 0 ? tops : bottoms).push(term(knob, powers[i] as number)));
  const top = tops.join(' * ');
  const bottom = bottoms.join(' * ');
  const text = bottom === '' ? top : `${top} / ${bottom}`;
  let low = 0;
  let high = 0;
  knobs.forEach((knob, i) => {
    const power = powers[i] as number;
    const ends = [power * Math.log(knob.low), power * Math.log(knob.high)];
    low += Math.min(...ends);
    high += Math.max(...ends);
  });
  return {
    family: 'pair',
    knobs: knobs.map((knob) => knob.name),
    describe: (direction, threshold) => `${text} ${direction} ${formatNumber(Math.exp(threshold))}`,
    value: (point) => knobs.reduce((sum, knob, i) => sum + (powers[i] as number) * logOf(point, knob), 0),
    low,
    high,
  };
}

function sumFeature(first: NumericIndex, second: NumericIndex, sign: 1 | -1): ThresholdFeature {
  return {
    family: 'pair',
    knobs: [first.knob.name, second.knob.name],
    describe: (direction, threshold) => `scaled ${first.knob.name} ${sign > 0 ? '+' : '-'} scaled ${second.knob.name} ${direction} ${formatNumber(threshold)}`,
    value: (point) => (point.unit[first.index] as number) + sign * (point.unit[second.index] as number),
    low: sign > 0 ? 0 : -1,
    high: sign > 0 ? 2 : 1,
  };
}

function conditionalFeature(categorical: string, choice: KnobValue, categoricalIndex: number, choiceIndex: number, index: number, knob: KnobSpec & { low: number; high: number }): ThresholdFeature {
  const shown = typeof choice === 'string' ? `'${choice}'` : String(choice);
  return {
    family: 'conditional',
    knobs: [categorical, knob.name],
    describe: (direction, threshold) => `${categorical} == ${shown} and ${knob.name} ${direction} ${describeKnobValue(knob, unitToValue(knob, threshold))}`,
    value: (point) => point.unit[index] as number,
    eligible: (point) => point.unit[categoricalIndex] === choiceIndex,
    low: 0,
    high: 1,
  };
}

/** The knob value at a unit coordinate, unrounded (for describing a threshold). */
function unitToValue(knob: KnobSpec & { low: number; high: number }, unit: number): number {
  const u = Math.min(1, Math.max(0, unit));
  const half = knob.type === 'int' ? 0.5 : 0;
  const low = knob.low - half;
  const high = knob.high + half;
  const value = knob.log === true ? Math.exp(Math.log(Math.max(low, 1e-300)) + u * (Math.log(high) - Math.log(Math.max(low, 1e-300)))) : low + u * (high - low);
  return knob.type === 'int' ? Math.round(value) : value;
}
