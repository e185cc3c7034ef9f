import { AutolabError } from '../../core/errors.ts';
import type { KnobSpec } from '../../core/task.ts';

/** Where a knob lives, as a user reads it: `knob 'lr' (config.json, key optimizer.lr)`. */
export function describeKnobLocation(knob: Pick<KnobSpec, 'name' | 'file' | 'key' | 'marker'>): string {
  const locator = knob.key !== undefined ? `key ${knob.key}` : knob.marker !== undefined ? `marker 'autolab: ${knob.marker}'` : 'no key or marker';
  return `knob '${knob.name}' (${knob.file}, ${locator})`;
}

/**
 * A `KnobError`: a knob cannot be read or written. The message names the knob, its file
 * and what is wrong; the hint says what to fix.
 *
 * @example throw knobError(knob, 'marker not found', 'add `// autolab: lr` at the end of the line holding the value');
 */
export function knobError(knob: Pick<KnobSpec, 'name' | 'file' | 'key' | 'marker'>, problem: string, fix: string, cause?: unknown): AutolabError {
  return new AutolabError('KnobError', `${describeKnobLocation(knob)}: ${problem}; ${fix}`, {
    hint: fix,
    ...(cause === undefined ? {} : { cause }),
  });
}
