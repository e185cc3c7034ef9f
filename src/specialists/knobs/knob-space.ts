/**
 * The knob space: checks that declared knobs can be searched, and maps numeric values to
 * and from the unit interval (log-scaled when `log`), where samplers do their work.
 */
import { AutolabError } from '../../core/errors.ts';
import type { KnobSpec } from '../../core/task.ts';
import { roundKnobFloat } from './knob-value.ts';

/** A numeric knob with its bounds present. */
export type NumericKnob = KnobSpec & { type: 'float' | 'int'; low: number; high: number };

/**
 * Throws a `TaskFileError` unless every knob is searchable: unique names; exactly one of
 * key or marker; float/int knobs with finite `low < high` (integers for int, `low > 0` when
 * `log`); categorical knobs with at least two distinct choices.
 *
 * @param where how the user finds these knobs, e.g. `surface 'optimizer'`
 */
export function validateKnobSpace(knobs: readonly KnobSpec[], where: string): void {
  const seen = new Set<string>();
  for (const knob of knobs) {
    const fail = (problem: string, hint: string): never => {
      throw new AutolabError('TaskFileError', `${where}, knob '${knob.name}': ${problem}`, { hint });
    };
    if (knob.name.trim() === '') fail('the name is empty', 'give every knob a name');
    if (seen.has(knob.name)) fail('the name is used twice', 'give every knob of a surface its own name');
    seen.add(knob.name);
    if ((knob.key === undefined) === (knob.marker === undefined)) fail('needs exactly one of key or marker', 'use key for a JSON/YAML value, marker for a commented line in any file');
    if (knob.type === 'categorical') {
      const choices = knob.choices ?? [];
      if (new Set(choices).size < 2) fail('a categorical knob needs at least two distinct choices', 'list them, e.g. choices: [relu, gelu]');
      continue;
    }
    const { low, high } = knob;
    if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high)) {
      fail(`a ${knob.type} knob needs numeric low and high`, 'add them, e.g. low: 0.0001, high: 0.1');
      continue;
    }
    if (!(low < high)) fail(`low (${low}) must be below high (${high})`, 'swap or widen the bounds');
    if (knob.type === 'int' && (!Number.isInteger(low) || !Number.isInteger(high))) fail('an int knob needs integer low and high', 'round the bounds');
    if (knob.log === true && low <= 0) fail(`log scale needs low > 0 (got ${low})`, 'raise low above zero or drop log: true');
    if (knob.step !== undefined) {
      const step = knob.step;
      if (!(step > 0) || !Number.isFinite(step)) fail(`step must be a number > 0 (got ${step})`, 'e.g. step: 8');
      if (knob.log === true) fail('step cannot be combined with log: true', 'drop one of them');
      if (knob.type === 'int' && !Number.isInteger(step)) fail(`an int knob needs a whole number step (got ${step})`, 'round the step');
      if (step > high - low) fail(`step (${step}) is larger than high - low (${high - low})`, 'lower the step or widen the bounds');
    }
  }
}

/**
 * The values a numeric knob can take when they lie on a lattice: ints (`step` 1 unless
 * declared) and floats with a declared `step`; `count` values `low + k * step`,
 * `k = 0 .. count - 1`. Null for a continuous float knob.
 */
export function knobLattice(knob: NumericKnob): { step: number; count: number } | null {
  const step = knob.step ?? (knob.type === 'int' ? 1 : undefined);
  if (step === undefined || !(step > 0)) return null;
  return { step, count: Math.floor((knob.high - knob.low) / step + 1e-9) + 1 };
}

/** The lattice value nearest to `value` (within the bounds); the value itself for a continuous knob. */
export function snapToLattice(knob: NumericKnob, value: number): number {
  const lattice = knobLattice(knob);
  if (lattice === null) return Math.min(knob.high, Math.max(knob.low, roundKnobFloat(value)));
  const index = Math.min(lattice.count - 1, Math.max(0, Math.round((value - knob.low) / lattice.step)));
  const snapped = knob.low + index * lattice.step;
  return knob.type === 'int' ? Math.round(snapped) : roundKnobFloat(snapped);
}

/**
 * The interval a knob's unit maps onto. Lattice knobs (ints, stepped floats) extend half a
 * step past their first and last value so that rounding gives every value of the lattice
 * an equal share of the unit interval.
 */
function unitBounds(knob: NumericKnob): { low: number; high: number } {
  if (knob.log === true) return knob.type === 'int' ? { low: knob.low - 0.5, high: knob.high + 0.5 } : { low: knob.low, high: knob.high };
  const lattice = knobLattice(knob);
  if (lattice === null) return { low: knob.low, high: knob.high };
  return { low: knob.low - lattice.step / 2, high: knob.low + (lattice.count - 1) * lattice.step + lattice.step / 2 };
}

/** Maps a value of a numeric knob into [0, 1] (log-scaled when `log`), clipped. */
export function toUnit(knob: NumericKnob, value: number): number {
  const { low, high } = unitBounds(knob);
  const unit = knob.log === true
    ? (Math.log(Math.max(value, low)) - Math.log(low)) / (Math.log(high) - Math.log(low))
    : (value - low) / (high - low);
  return Number.isFinite(unit) ? Math.min(1, Math.max(0, unit)) : 0;
}

/**
 * Maps a point of [0, 1] back to a value of a numeric knob: ints rounded to an integer
 * (each integer of the range equally likely under a uniform unit), stepped knobs to their
 * lattice `low + k * step`, floats rounded to six significant digits; always within
 * `[low, high]`.
 */
export function fromUnit(knob: NumericKnob, unit: number): number {
  const { low, high } = unitBounds(knob);
  const clipped = Math.min(1, Math.max(0, unit));
  const raw = knob.log === true
    ? Math.exp(Math.log(low) + clipped * (Math.log(high) - Math.log(low)))
    : low + clipped * (high - low);
  if (knob.log !== true && knob.step !== undefined) return snapToLattice(knob, raw);
  const rounded = knob.type === 'int' ? Math.round(raw) : roundKnobFloat(raw);
  return Math.min(knob.high, Math.max(knob.low, rounded));
}
