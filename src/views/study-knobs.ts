/**
 * The knobs a study declares (every surface's), read from the task JSON it was created
 * with. Each gets a name unique in the study: its own, or `surface.name` when two
 * surfaces declare a knob of the same name.
 */
import type { KnobSpec } from '../core/task.ts';

/** A declared knob with the surface it belongs to and its name in the study's views. */
export interface StudyKnob extends KnobSpec {
  surface: string;
  /** Unique in the study: `name`, or `surface.name` on a clash. */
  column: string;
}

/**
 * The knobs of a task JSON (`StudyRecord.taskJson`); [] when it declares none or does
 * not parse.
 *
 * @example
 * knobsOfTask('{"surfaces":{"hyper":{"knobs":[{"name":"lr","file":"c.json","key":"lr","type":"float","low":0.001,"high":1,"log":true}]}}}');
 * // [{ name: 'lr', surface: 'hyper', column: 'lr', file: 'c.json', key: 'lr', type: 'float', low: 0.001, high: 1, log: true }]
 */
export function knobsOfTask(taskJson: string): StudyKnob[] {
  let raw: unknown;
  try {
    raw = JSON.parse(taskJson);
  } catch {
    return [];
  }
  const surfaces = (raw as { surfaces?: unknown } | null)?.surfaces;
  if (typeof surfaces !== 'object' || surfaces === null) return [];
  const found: Array<Omit<StudyKnob, 'column'>> = [];
  for (const [surfaceName, surface] of Object.entries(surfaces as Record<string, unknown>)) {
    const knobs = (surface as { knobs?: unknown } | null)?.knobs;
    if (!Array.isArray(knobs)) continue;
    for (const knob of knobs) {
      const spec = knobSpecOf(knob);
      if (spec) found.push({ ...spec, surface: surfaceName });
    }
  }
  const counts = new Map<string, number>();
  for (const knob of found) counts.set(knob.name, (counts.get(knob.name) ?? 0) + 1);
  return found.map((knob) => ({ ...knob, column: (counts.get(knob.name) ?? 0) > 1 ? `${knob.surface}.${knob.name}` : knob.name }));
}

/** A knob of the stored task, or null when its shape is not one (an older or hand-written task JSON). */
function knobSpecOf(value: unknown): KnobSpec | null {
  if (typeof value !== 'object' || value === null) return null;
  const knob = value as Record<string, unknown>;
  if (typeof knob.name !== 'string' || typeof knob.file !== 'string') return null;
  if (knob.type !== 'float' && knob.type !== 'int' && knob.type !== 'categorical') return null;
  const spec: KnobSpec = { name: knob.name, file: knob.file, type: knob.type };
  if (typeof knob.key === 'string') spec.key = knob.key;
  if (typeof knob.marker === 'string') spec.marker = knob.marker;
  if (typeof knob.low === 'number') spec.low = knob.low;
  if (typeof knob.high === 'number') spec.high = knob.high;
  if (knob.log === true) spec.log = true;
  if (Array.isArray(knob.choices)) spec.choices = knob.choices.filter((c): c is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof c));
  return spec;
}
