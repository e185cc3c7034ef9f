/**
 * Reading and writing knob values in recipe files. A knob is located either by `key`
 * (a dotted key path into a `.json`, `.yaml` or `.yml` file) or by `marker` (the literal on
 * the line of any source file carrying the comment `autolab: <marker>`). Writes change
 * only the value's text where possible, so a trial's diff shows one line per knob.
 */
import { AutolabError } from '../../core/errors.ts';
import type { KnobSpec } from '../../core/task.ts';
import { knobError } from './knob-error.ts';
import type { KnobValue, KnobValues } from './knob-value.ts';
import { readJsonKnob, writeJsonKnob } from './json-knob.ts';
import { readMarkerKnob, writeMarkerKnob } from './marker-knob.ts';
import { readYamlKnob, writeYamlKnob } from './yaml-knob.ts';

/** Reads a recipe file by path (relative to the recipe root); null when it does not exist. */
export type RecipeFileReader = (path: string) => Promise<string | null>;

type Locator =
  | { kind: 'json'; knob: KnobSpec & { key: string } }
  | { kind: 'yaml'; knob: KnobSpec & { key: string } }
  | { kind: 'marker'; knob: KnobSpec & { marker: string } };

function locatorOf(knob: KnobSpec): Locator {
  if (knob.key !== undefined && knob.marker !== undefined) {
    throw knobError(knob, 'declares both key and marker', 'keep one: key for JSON/YAML files, marker for a commented line in any file');
  }
  if (knob.marker !== undefined) return { kind: 'marker', knob: { ...knob, marker: knob.marker } };
  if (knob.key === undefined) throw knobError(knob, 'declares neither key nor marker', 'add key (JSON/YAML files) or marker (a `autolab: <marker>` comment in any file)');
  const lower = knob.file.toLowerCase();
  if (lower.endsWith('.json')) return { kind: 'json', knob: { ...knob, key: knob.key } };
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return { kind: 'yaml', knob: { ...knob, key: knob.key } };
  throw knobError(knob, 'key knobs work in .json, .yaml and .yml files only', `use marker instead: put \`autolab: ${knob.name}\` in a comment on the value's line and declare marker: ${knob.name}`);
}

/**
 * Reads one knob's value from its file's text.
 *
 * @example readKnobFromText('{"optimizer": {"lr": 0.01}}', { name: 'lr', file: 'c.json', key: 'optimizer.lr', type: 'float', low: 1e-4, high: 1 }) // 0.01
 */
export function readKnobFromText(text: string, knob: KnobSpec): KnobValue {
  const locator = locatorOf(knob);
  if (locator.kind === 'json') return readJsonKnob(text, locator.knob);
  if (locator.kind === 'yaml') return readYamlKnob(text, locator.knob);
  return readMarkerKnob(text, locator.knob);
}

/**
 * Writes one knob's value into its file's text and returns the new text. Floats are
 * written with at most six significant digits (see `formatKnobNumber`), ints as integers.
 */
export function writeKnobToText(text: string, knob: KnobSpec, value: KnobValue): string {
  checkWritable(knob, value);
  const locator = locatorOf(knob);
  if (locator.kind === 'json') return writeJsonKnob(text, locator.knob, value);
  if (locator.kind === 'yaml') return writeYamlKnob(text, locator.knob, value);
  return writeMarkerKnob(text, locator.knob, value);
}

function checkWritable(knob: KnobSpec, value: KnobValue): void {
  if (knob.type === 'categorical') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw knobError(knob, `cannot write ${value}`, 'propose a finite number');
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw knobError(knob, `a ${knob.type} knob cannot take ${JSON.stringify(value)}`, 'propose a finite number');
  }
}

async function readOrFail(files: RecipeFileReader, knob: KnobSpec): Promise<string> {
  const text = await files(knob.file);
  if (text === null) throw knobError(knob, 'the file does not exist', "check the knob's file path (relative to the recipe root)");
  return text;
}

/**
 * Reads the current value of every knob. Each file is read once.
 *
 * @example const values = await readKnobValues((path) => ctx.readFile(incumbent.id, path), surface.knobs);
 */
export async function readKnobValues(files: RecipeFileReader, knobs: readonly KnobSpec[]): Promise<KnobValues> {
  const texts = new Map<string, string>();
  const values: KnobValues = {};
  for (const knob of knobs) {
    let text = texts.get(knob.file);
    if (text === undefined) {
      text = await readOrFail(files, knob);
      texts.set(knob.file, text);
    }
    values[knob.name] = readKnobFromText(text, knob);
  }
  return values;
}

/**
 * Writes the given values into their knobs' files and returns the new contents of the
 * files that changed (path -> text), ready for a `files` edit. Knobs absent from `values`
 * are left as they are; a name in `values` that is no knob is an error.
 */
export async function applyKnobValues(files: RecipeFileReader, knobs: readonly KnobSpec[], values: KnobValues): Promise<Record<string, string>> {
  const byName = new Map(knobs.map((knob) => [knob.name, knob]));
  for (const name of Object.keys(values)) {
    if (!byName.has(name)) {
      throw new AutolabError('KnobError', `no knob named '${name}' (knobs: ${[...byName.keys()].join(', ') || 'none'})`, { hint: 'use the names declared under the surface\'s knobs' });
    }
  }
  const original = new Map<string, string>();
  const current = new Map<string, string>();
  for (const knob of knobs) {
    const value = values[knob.name];
    if (value === undefined) continue;
    if (!current.has(knob.file)) {
      const text = await readOrFail(files, knob);
      original.set(knob.file, text);
      current.set(knob.file, text);
    }
    current.set(knob.file, writeKnobToText(current.get(knob.file) as string, knob, value));
  }
  const changed: Record<string, string> = {};
  for (const [path, text] of current) if (text !== original.get(path)) changed[path] = text;
  return changed;
}
