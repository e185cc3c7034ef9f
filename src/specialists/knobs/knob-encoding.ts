/**
 * Knob values as points for model-based samplers: numeric knobs as coordinates in the unit
 * interval (log-scaled when `log`, see `toUnit`), categorical knobs as the index of their
 * choice. Decoding rounds as the value will be written, so a decoded point is a legal
 * value set.
 */
import type { KnobSpec } from '../../core/task.ts';
import { fromUnit, knobLattice, toUnit, type NumericKnob } from './knob-space.ts';
import { knobValueEquals, type KnobValue, type KnobValues } from './knob-value.ts';

/** One coordinate of the encoded space. */
export type EncodedDimension =
  | { kind: 'numeric'; knob: NumericKnob; /** values of a lattice knob (ints, stepped floats); Infinity for continuous floats */ levels: number }
  | { kind: 'categorical'; knob: KnobSpec; choices: readonly KnobValue[] };

/** The encoded space: one dimension per knob, in the order of the knob list. */
export type EncodedSpace = readonly EncodedDimension[];

/** Encodes a validated knob space. */
export function encodeSpace(space: readonly KnobSpec[]): EncodedSpace {
  return space.map((knob): EncodedDimension => {
    if (knob.type === 'categorical') return { kind: 'categorical', knob, choices: knob.choices ?? [] };
    const numeric = knob as NumericKnob;
    return { kind: 'numeric', knob: numeric, levels: knobLattice(numeric)?.count ?? Infinity };
  });
}

/**
 * The point of a value set, or null when a knob has no value or a categorical value is not
 * among the choices (the observation says nothing this model can use). Numeric values
 * outside the range are clipped onto it.
 */
export function encodeValues(encoded: EncodedSpace, values: KnobValues): number[] | null {
  const point: number[] = [];
  for (const dimension of encoded) {
    const value = values[dimension.knob.name];
    if (value === undefined) return null;
    if (dimension.kind === 'categorical') {
      const index = dimension.choices.findIndex((choice) => knobValueEquals(choice, value));
      if (index < 0) return null;
      point.push(index);
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value)) return null;
      point.push(toUnit(dimension.knob, value));
    }
  }
  return point;
}

/** The value set of a point: numeric coordinates mapped back and rounded, categorical indices looked up. */
export function decodePoint(encoded: EncodedSpace, point: readonly number[]): KnobValues {
  const values: KnobValues = {};
  encoded.forEach((dimension, index) => {
    const coordinate = point[index] as number;
    if (dimension.kind === 'categorical') {
      const choice = Math.min(dimension.choices.length - 1, Math.max(0, Math.round(coordinate)));
      values[dimension.knob.name] = dimension.choices[choice] as KnobValue;
    } else {
      values[dimension.knob.name] = fromUnit(dimension.knob, coordinate);
    }
  });
  return values;
}

/**
 * The point where a decoded point's values actually lie (ints on their integer, floats
 * rounded), so that a model scores the setting that will run rather than a point between.
 */
export function snapPoint(encoded: EncodedSpace, point: readonly number[]): number[] {
  return encoded.map((dimension, index) => {
    const coordinate = point[index] as number;
    if (dimension.kind === 'categorical') return coordinate;
    return toUnit(dimension.knob, fromUnit(dimension.knob, coordinate));
  });
}

/** A uniform point of the space (log-uniform for log knobs, every choice equally likely). */
export function uniformPoint(encoded: EncodedSpace, random: () => number): number[] {
  return encoded.map((dimension) => (dimension.kind === 'categorical' ? Math.min(dimension.choices.length - 1, Math.floor(random() * dimension.choices.length)) : random()));
}
