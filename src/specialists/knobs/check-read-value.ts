import type { KnobSpec } from '../../core/task.ts';
import { knobError } from './knob-error.ts';
import type { KnobValue } from './knob-value.ts';

/**
 * Checks a value read from a config file against its knob's type: float and int knobs
 * need a number, categorical knobs a string, number or boolean. Returns it as a KnobValue.
 */
export function checkReadKnobValue(knob: KnobSpec, value: unknown): KnobValue {
  const found = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
  if (knob.type === 'float' || knob.type === 'int') {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    throw knobError(knob, `holds ${found}, not a number`, `write a plain number there (e.g. 0.001), or declare the knob as type: categorical`);
  }
  if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw knobError(knob, `holds ${found}, not a string, number or boolean`, 'point the knob at a single value, not a list or a section');
}
