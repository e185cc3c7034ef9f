/**
 * `key` knobs in JSON files: read by dotted key path; written by replacing only the
 * value's text span, so the file keeps its formatting and the diff is one line.
 */
import type { KnobSpec } from '../../core/task.ts';
import { checkReadKnobValue } from './check-read-value.ts';
import { knobError } from './knob-error.ts';
import { formatKnobNumber, knobValueEquals, normaliseKnobValue, type KnobValue } from './knob-value.ts';
import { followJsonPath, scanJson, type JsonSpanNode } from './json-scan.ts';

/** Reads a `key` knob's value from JSON text. Throws a KnobError naming what to fix. */
export function readJsonKnob(text: string, knob: KnobSpec & { key: string }): KnobValue {
  const node = locate(text, knob);
  if (node.kind !== 'scalar') return checkReadKnobValue(knob, node.kind === 'array' ? [] : {});
  return checkReadKnobValue(knob, node.value);
}

/**
 * Writes a `key` knob's value into JSON text and returns the new text. Only the value's
 * span changes; should that ever fail to round-trip, the file is re-serialised with
 * `JSON.stringify` (2-space indent) instead.
 */
export function writeJsonKnob(text: string, knob: KnobSpec & { key: string }, value: KnobValue): string {
  const node = locate(text, knob);
  if (node.kind !== 'scalar') checkReadKnobValue(knob, node.kind === 'array' ? [] : {});
  const literal = renderJsonLiteral(knob, value);
  const spliced = text.slice(0, node.start) + literal + text.slice(node.end);
  const written = JSON.parse(literal) as KnobValue;
  if (roundTrips(spliced, knob.key, normaliseKnobValue(knob, value))) return spliced;
  try {
    return rewriteWholeFile(text, knob.key, written);
  } catch (error) {
    throw knobError(knob, `could not write ${literal} into the file`, 'check that the key path names a single value', error);
  }
}

function renderJsonLiteral(knob: KnobSpec, value: KnobValue): string {
  if (typeof value === 'number') return formatKnobNumber(value, knob.type);
  return JSON.stringify(value);
}

function locate(text: string, knob: KnobSpec & { key: string }): JsonSpanNode {
  let root: JsonSpanNode;
  try {
    JSON.parse(text);
    root = scanJson(text);
  } catch (error) {
    throw knobError(knob, `the file is not valid JSON (${(error as Error).message})`, 'fix the JSON syntax of the file', error);
  }
  const result = followJsonPath(root, knob.key);
  if (!result.found) throw knobError(knob, `key not found: ${result.problem}`, `check the knob's key path against the file (dotted keys, array indices as numbers: layers.0.width)`);
  return result.node;
}

function roundTrips(text: string, key: string, value: KnobValue): boolean {
  try {
    JSON.parse(text);
    const result = followJsonPath(scanJson(text), key);
    return result.found && result.node.kind === 'scalar' && result.node.value !== null && knobValueEquals(result.node.value, value);
  } catch {
    return false;
  }
}

function rewriteWholeFile(text: string, key: string, value: KnobValue): string {
  const root = JSON.parse(text) as unknown;
  const segments = key.split('.');
  let holder = root as Record<string, unknown>;
  for (const segment of segments.slice(0, -1)) holder = holder[segment] as Record<string, unknown>;
  const last = segments[segments.length - 1] as string;
  if (typeof holder !== 'object' || holder === null || !(last in holder)) throw new Error(`no value at ${key}`);
  holder[last] = value;
  return JSON.stringify(root, null, 2) + (text.endsWith('\n') ? '\n' : '');
}
