import type { z } from 'zod';
import { closestMatch } from '../core/suggest.ts';
import type { TaskFileIssue } from './task-file-issue.ts';

/**
 * Turns zod issues into task file issues phrased for people: unions are flattened to the
 * branch the user evidently meant, unknown keys get a "did you mean" suggestion.
 */

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;
type Path = ReadonlyArray<string | number>;

const EXPECTED_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
};

/** A short description of a YAML value for messages: `the number 3`, `an empty value`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

function bound(origin: string, value: number | bigint, inclusive: boolean | undefined, side: 'min' | 'max'): string {
  const number = Number(value);
  if (origin === 'string') return side === 'min' && number === 1 ? 'must not be empty' : `must have ${side === 'min' ? 'at least' : 'at most'} ${number} characters`;
  if (origin === 'array' || origin === 'set') return `must list ${side === 'min' ? 'at least' : 'at most'} ${number} item${number === 1 ? '' : 's'}`;
  const op = side === 'min' ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
  return `must be ${op} ${number}`;
}

/**
 * The per-parse error map: default messages written for task file authors. Messages set
 * on a schema (`{ error }`) take precedence over it.
 */
export const taskFileErrorMap: z.core.$ZodErrorMap = (issue: RawIssue) => {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED_NAMES[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `required (expected ${expected})`;
      return `expected ${expected}, got ${describeValue(issue.input)}`;
    }
    case 'too_small':
      return bound(issue.origin, issue.minimum, issue.inclusive, 'min');
    case 'too_big':
      return bound(issue.origin, issue.maximum, issue.inclusive, 'max');
    case 'invalid_value': {
      const values = issue.values.map((value) => String(value));
      const got = describeValue(issue.input);
      if (values.length === 1) return `expected ${values[0]}, got ${got}`;
      const suggestion = typeof issue.input === 'string' ? closestMatch(issue.input, values) : undefined;
      return `expected one of ${values.join(', ')}, got ${got}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
    }
    case 'invalid_format':
      return `has the wrong format, got ${describeValue(issue.input)}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return `is not valid here, got ${describeValue(issue.input)}`;
    default:
      return undefined;
  }
};

/** Walks a zod schema along a key path; undefined when the path leaves the schema. */
function schemaAt(schema: z.core.$ZodType, path: Path): z.core.$ZodType | undefined {
  let current: z.core.$ZodType | undefined = unwrap(schema);
  for (let index = 0; index < path.length && current; index++) {
    const segment = path[index]!;
    const def = current._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === 'object') current = (def.shape as Record<string, z.core.$ZodType>)[String(segment)];
    else if (def.type === 'record') current = def.valueType as z.core.$ZodType;
    else if (def.type === 'array') current = def.element as z.core.$ZodType;
    else if (def.type === 'union') {
      for (const option of def.options as z.core.$ZodType[]) {
        const found = schemaAt(option, path.slice(index));
        if (found) return found;
      }
      return undefined;
    } else return undefined;
    current = current && unwrap(current);
  }
  return current;
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as unknown as Record<string, unknown> & { type: string };
    if (['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(def.type)) {
      current = def.innerType as z.core.$ZodType;
    } else if (def.type === 'pipe') {
      const input = def.in as z.core.$ZodType;
      current = input._zod.def.type === 'transform' ? (def.out as z.core.$ZodType) : input;
    } else return current;
  }
}

/**
 * The keys a mapping at `path` may hold, per the schema. In a union, the object branch
 * whose literal keys (a discriminator such as `kind: slurm`) match `input`, else the first.
 */
export function knownKeysAt(schema: z.core.$ZodType, path: Path, input?: unknown): string[] {
  const found = schemaAt(schema, path);
  if (!found) return [];
  const def = found._zod.def as unknown as Record<string, unknown> & { type: string };
  if (def.type === 'object') return Object.keys(def.shape as object);
  if (def.type === 'union') {
    const options = def.options as z.core.$ZodType[];
    const matching = options.find((option) => literalKeysMatch(option, input));
    for (const option of matching ? [matching] : options) {
      const keys = knownKeysAt(option, []);
      if (keys.length > 0) return keys;
    }
  }
  return [];
}

/** Whether `input` has the value of every literal key of the object schema `option` (and it has one). */
function literalKeysMatch(option: z.core.$ZodType, input: unknown): boolean {
  if (input === null || typeof input !== 'object') return false;
  const def = unwrap(option)._zod.def as unknown as Record<string, unknown> & { type: string };
  if (def.type !== 'object') return false;
  const literals = Object.entries(def.shape as Record<string, z.core.$ZodType>).filter(([, field]) => field._zod.def.type === 'literal');
  return literals.length > 0 && literals.every(([key, field]) => (field._zod.def as unknown as { values: unknown[] }).values.includes((input as Record<string, unknown>)[key]));
}

/** Only a type mismatch at the branch's root: the user did not mean this branch. */
function isWrongBranch(branch: readonly Issue[]): boolean {
  return branch.every((issue) => issue.code === 'invalid_type' && issue.path.length === 0);
}

/**
 * Flattens zod issues into task file issues, one per problem, with messages for people.
 * `schema` is the schema that was parsed (to list the keys a mapping may hold).
 */
export function taskFileIssuesFromZod(issues: readonly Issue[], schema: z.core.$ZodType, prefix: Path = []): TaskFileIssue[] {
  const result: TaskFileIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as Array<string | number>)];
    if (issue.code === 'invalid_union') {
      const meant = issue.errors.filter((branch) => !isWrongBranch(branch));
      if (meant.length === 1) result.push(...taskFileIssuesFromZod(meant[0]!, schema, path));
      else result.push({ path, message: issue.message });
    } else if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, path, issue.input).filter((key) => key !== '$schema');
      for (const key of issue.keys) {
        const suggestion = closestMatch(key, known);
        const hint = suggestion ? `did you mean "${suggestion}"?` : known.length > 0 ? `expected one of: ${known.join(', ')}` : '';
        result.push({ path: [...path, key], message: `unknown key "${key}"${hint ? `; ${hint}` : ''}`, at: 'key' });
      }
    } else if (issue.code === 'invalid_key') {
      const detail = issue.issues.map((inner) => inner.message).join('; ');
      result.push({ path, message: `bad key ${JSON.stringify(String(path[path.length - 1]))}: ${detail}`, at: 'key' });
    } else {
      result.push({ path, message: issue.message });
    }
  }
  return result;
}
