/**
 * `key` knobs in YAML files, through the `yaml` package's Document API (which keeps
 * comments). A plain or quoted scalar is rewritten in place (only its text span changes,
 * so the diff is one line); anything else goes through `Document.setIn` + `toString`.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Scalar } from 'yaml';
import type { KnobSpec } from '../../core/task.ts';
import { checkReadKnobValue } from './check-read-value.ts';
import { knobError } from './knob-error.ts';
import { formatKnobNumber, knobValueEquals, normaliseKnobValue, type KnobValue } from './knob-value.ts';

type YamlKnob = KnobSpec & { key: string };

/** Reads a `key` knob's value from YAML text. Throws a KnobError naming what to fix. */
export function readYamlKnob(text: string, knob: YamlKnob): KnobValue {
  const { scalar } = locate(parse(text, knob), knob);
  return checkReadKnobValue(knob, scalar.value);
}

/** Writes a `key` knob's value into YAML text and returns the new text, comments kept. */
export function writeYamlKnob(text: string, knob: YamlKnob, value: KnobValue): string {
  const document = parse(text, knob);
  const { scalar, path } = locate(document, knob);
  checkReadKnobValue(knob, scalar.value);
  const expected = normaliseKnobValue(knob, value);
  const range = scalar.range;
  if (range !== undefined && range !== null && (scalar.type === 'PLAIN' || scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE')) {
    const original = text.slice(range[0], range[1]);
    const spliced = text.slice(0, range[0]) + renderYamlScalar(knob, value, scalar.type, original) + text.slice(range[1]);
    if (holds(spliced, knob, expected)) return spliced;
  }
  document.setIn(path, expected);
  return document.toString();
}

function parse(text: string, knob: YamlKnob): Document {
  const document = parseDocument(text, { keepSourceTokens: false });
  const error = document.errors[0];
  if (error !== undefined) throw knobError(knob, `the file is not valid YAML (${error.message.split('\n')[0]})`, 'fix the YAML syntax of the file', error);
  return document;
}

/** Follows the dotted key path to a scalar, returning it and the typed path for `setIn`. */
function locate(document: Document, knob: YamlKnob): { scalar: Scalar; path: Array<string | number | unknown> } {
  const segments = knob.key.split('.');
  const path: unknown[] = [];
  let node: unknown = document.contents;
  let walked = '';
  let index = 0;
  while (index < segments.length) {
    const segment = segments[index] as string;
    const here = walked === '' ? 'the top level' : `'${walked}'`;
    if (isAlias(node)) throw knobError(knob, `'${walked}' is an alias (*${node.source})`, 'point the knob at the anchored value itself');
    if (isMap(node)) {
      let matched: { key: unknown; value: unknown; text: string } | undefined;
      let used = 0;
      for (let count = 1; index + count <= segments.length && matched === undefined; count += 1) {
        const wanted = segments.slice(index, index + count).join('.');
        const pair = node.items.findLast((item) => String(isScalar(item.key) ? item.key.value : item.key) === wanted);
        if (pair !== undefined) matched = { key: isScalar(pair.key) ? pair.key.value : pair.key, value: pair.value, text: wanted };
        used = count;
      }
      if (matched === undefined) {
        const keys = node.items.map((item) => String(isScalar(item.key) ? item.key.value : item.key));
        throw keyMissing(knob, `${here} has no key '${segment}' (${keys.length === 0 ? 'it is empty' : `its keys are ${keys.slice(0, 12).join(', ')}${keys.length > 12 ? ', ...' : ''}`})`);
      }
      path.push(matched.key);
      node = matched.value;
      walked = walked === '' ? matched.text : `${walked}.${matched.text}`;
      index += used;
    } else if (isSeq(node)) {
      if (!/^\d+$/.test(segment)) throw keyMissing(knob, `${here} is a list, so '${segment}' must be an index (0, 1, ...)`);
      const position = Number(segment);
      if (position >= node.items.length) throw keyMissing(knob, `${here} has ${node.items.length} items, so index ${segment} does not exist`);
      path.push(position);
      node = node.items[position];
      walked = walked === '' ? segment : `${walked}.${segment}`;
      index += 1;
    } else {
      throw keyMissing(knob, `${here} is a single value, not a mapping or list, so it has no '${segment}'`);
    }
  }
  if (isAlias(node)) throw knobError(knob, `the value is an alias (*${node.source})`, 'point the knob at the anchored value itself');
  if (isScalar(node)) return { scalar: node, path };
  if (node === null || node === undefined) throw knobError(knob, 'the key has no value', 'write a value after the key (e.g. `lr: 0.001`)');
  return checkReadKnobValue(knob, isSeq(node) ? [] : {}) as never;
}

function keyMissing(knob: YamlKnob, problem: string): Error {
  return knobError(knob, `key not found: ${problem}`, "check the knob's key path against the file (dotted keys, list indices as numbers: layers.0.width)");
}

/** Plain strings that YAML 1.1 readers (PyYAML) or 1.2 would read as something else. */
const RESERVED_PLAIN = /^(?:y|n|yes|no|on|off|true|false|null|~|\.nan|\.inf|-\.inf)$/i;

function renderYamlScalar(knob: KnobSpec, value: KnobValue, type: Scalar.Type, original: string): string {
  if (typeof value === 'number') return formatKnobNumber(value, knob.type);
  if (typeof value === 'boolean') {
    const word = String(value);
    if (/^[A-Z]+$/.test(original)) return word.toUpperCase();
    if (/^[A-Z]/.test(original)) return word[0]!.toUpperCase() + word.slice(1);
    return word;
  }
  if (type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (type === 'PLAIN' && /^[A-Za-z_][\w./-]*$/.test(value) && !RESERVED_PLAIN.test(value)) return value;
  return JSON.stringify(value);
}

function holds(text: string, knob: YamlKnob, expected: KnobValue): boolean {
  try {
    const document = parseDocument(text);
    if (document.errors.length > 0) return false;
    return knobValueEquals(locate(document, knob).scalar.value as KnobValue, expected);
  } catch {
    return false;
  }
}
