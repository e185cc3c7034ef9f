/**
 * Knob values: their type, how they are rounded and written as source text, and how two
 * values are compared. One place, so that what a sampler proposes, what a file receives
 * and what the notes record are the same number.
 */
import type { KnobValueType } from '../../core/knob-constraint.ts';
import type { KnobSpec, KnobType } from '../../core/task.ts';

/** The value of one knob: a number for `float`/`int`, any choice for `categorical`. */
export type KnobValue = number | string | boolean;

/** Knob values by knob name. */
export type KnobValues = Record<string, KnobValue>;

/** Significant digits kept for float knobs (proposed, written and compared). */
export const FLOAT_SIGNIFICANT_DIGITS = 6;

/**
 * Rounds a float to {@link FLOAT_SIGNIFICANT_DIGITS} significant digits, so the value a
 * sampler proposes is exactly the value read back from the file after it is written.
 *
 * @example roundKnobFloat(0.0123456789) // 0.0123457
 */
export function roundKnobFloat(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return value === 0 ? 0 : value;
  return Number(value.toPrecision(FLOAT_SIGNIFICANT_DIGITS));
}

/**
 * Writes a number as a literal that JS, TypeScript, Python, C, Rust, JSON and YAML (1.1 and
 * 1.2) all read with the intended type: ints as integers; floats always with a `.` or an
 * exponent (so `2.0`, never `2`, which would be an int in Python or YAML), at most six
 * significant digits, exponent form below 1e-4 and from 1e16 (like Python's repr) with a
 * dotted mantissa and a signed two-digit exponent (`1.0e-05`, which PyYAML reads as a
 * float, where it reads `1e-05` as a string).
 *
 * @example formatKnobNumber(0.0031, 'float') // '0.0031'
 * @example formatKnobNumber(0.00001, 'float') // '1.0e-05'
 * @example formatKnobNumber(96.4, 'int') // '96'
 */
export function formatKnobNumber(value: number, type: KnobType): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} as a knob value`);
  if (type === 'int' || (type === 'categorical' && Number.isInteger(value))) return String(Math.round(value));
  // Categorical choices are written exactly as declared; float knobs are rounded.
  const rounded = type === 'float' ? roundKnobFloat(value) : value;
  if (rounded === 0) return '0.0';
  const magnitude = Math.abs(rounded);
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    const text = String(rounded);
    return /[.e]/.test(text) ? text : `${text}.0`;
  }
  const [mantissa = '0', exponent = '0'] = rounded.toExponential().split('e');
  const dotted = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  const sign = exponent.startsWith('-') ? '-' : '+';
  const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
  return `${dotted}e${sign}${digits}`;
}

/**
 * The value a knob holds after it was written: floats rounded, ints rounded to integers,
 * categorical values unchanged. Compare and record values in this form.
 */
export function normaliseKnobValue(knob: Pick<KnobSpec, 'type'>, value: KnobValue): KnobValue {
  if (typeof value !== 'number') return value;
  if (knob.type === 'int') return Math.round(value);
  if (knob.type === 'float') return roundKnobFloat(value);
  return value;
}

/** True when two values are the same knob setting (floats compared after rounding). */
export function knobValueEquals(a: KnobValue | undefined, b: KnobValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return roundKnobFloat(a) === roundKnobFloat(b);
  return false;
}

/** A short readable form for hypotheses: numbers as written, strings quoted. */
export function describeKnobValue(knob: Pick<KnobSpec, 'type'>, value: KnobValue | undefined): string {
  if (value === undefined) return '(unset)';
  if (typeof value === 'number') return formatKnobNumber(value, knob.type === 'int' ? 'int' : knob.type === 'float' ? 'float' : 'categorical');
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/**
 * A canonical key for a set of knob values over the given knobs (in a fixed order), used
 * to recognise a value set that was already tried. Knobs absent from `values` make the
 * key contain `null` for them.
 */
export function knobValuesKey(knobs: readonly Pick<KnobSpec, 'name' | 'type'>[], values: KnobValues): string {
  const names = knobs.map((knob) => knob.name);
  const byName = new Map(knobs.map((knob) => [knob.name, knob]));
  return JSON.stringify(
    [...names].sort().map((name) => {
      const value = values[name];
      const knob = byName.get(name);
      return value === undefined || knob === undefined ? null : normaliseKnobValue(knob, value);
    }),
  );
}

/** What a knob holds, for the type checks of constraints. */
export function knobValueType(knob: KnobSpec): KnobValueType {
  if (knob.type !== 'categorical') return 'number';
  const types = new Set((knob.choices ?? []).map((choice) => typeof choice));
  const only = types.size === 1 ? [...types][0] : undefined;
  return only === 'number' || only === 'string' || only === 'boolean' ? only : 'any';
}
