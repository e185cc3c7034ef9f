/**
 * `docs/task-file.md`, generated from the task file's JSON Schema (itself generated from
 * the zod schema), so the page cannot drift from what `loadTaskFile` accepts:
 * `npm run docs:task-file` writes it, and a test fails when the committed page differs.
 * Every key is listed with its type, default and description; every top-level key has
 * at least one example, and each example is checked against the schema.
 */
import { taskFileJsonSchema } from './json-schema.ts';
import { TASK_FILE_EXAMPLES } from './task-file-examples.ts';
import { DURATION_PATTERN, SIZE_PATTERN } from '../core/units.ts';

type JsonSchema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  required?: string[];
  description?: string;
  default?: unknown;
  pattern?: string;
};

/** One documented key. */
export interface TaskFileKeyDoc {
  /** Dotted key path: `run.timeout`, `surfaces.<name>.knobs.<name>.low`, `specialists[].model`. */
  key: string;
  type: string;
  required: boolean;
  default: string;
  description: string;
}

const MAX_INTEGER = Number.MAX_SAFE_INTEGER;

function isDuration(node: JsonSchema): boolean {
  return node.anyOf?.some((variant) => variant.pattern === DURATION_PATTERN.source) ?? false;
}

function isSize(node: JsonSchema): boolean {
  return node.anyOf?.some((variant) => variant.pattern === SIZE_PATTERN.source) ?? false;
}

/** The object variant of a "command" (a string, or `{ command, timeout }`). */
function commandObject(node: JsonSchema): JsonSchema | undefined {
  if (!node.anyOf || node.anyOf.length !== 2) return undefined;
  const [text, object] = node.anyOf;
  return text?.type === 'string' && object?.type === 'object' && object.properties?.command ? object : undefined;
}

function bounds(node: JsonSchema): string {
  const parts: string[] = [];
  const min = node.minimum as number | undefined;
  const max = node.maximum as number | undefined;
  if (min !== undefined && min > -MAX_INTEGER) parts.push(`≥ ${min}`);
  if (node.exclusiveMinimum !== undefined) parts.push(`> ${String(node.exclusiveMinimum)}`);
  if (max !== undefined && max < MAX_INTEGER) parts.push(`≤ ${max}`);
  if (node.exclusiveMaximum !== undefined) parts.push(`< ${String(node.exclusiveMaximum)}`);
  return parts.length > 0 ? ` ${parts.join(', ')}` : '';
}

/** A short human type: `integer ≥ 1`, `duration`, `minimize | maximize`, `list of string`. */
export function describeType(node: JsonSchema): string {
  if (isDuration(node)) return 'duration (`90s`, `10m`, `1.5h`, `1h30m`, `500ms`, or seconds)';
  if (isSize(node)) return 'size (`10MB`, `512KiB`, `1GB`, or bytes)';
  if (commandObject(node)) return 'command: a string, or `{ command, timeout }`';
  if (node.enum) return node.enum.map((value) => `\`${String(value)}\``).join(' | ');
  if (node.const !== undefined) return `\`${String(node.const)}\``;
  const kind = node.properties?.kind?.const;
  if (node.type === 'object' && kind !== undefined) return `\`{ kind: ${String(kind)}, ... }\``;
  if (node.oneOf || node.anyOf) return (node.oneOf ?? node.anyOf)!.map(describeType).join(' or ');
  const type = Array.isArray(node.type) ? node.type.join(' or ') : node.type;
  if (type === 'array') return `list of ${node.items ? describeType(node.items) : 'values'}${node.minItems ? ` (at least ${String(node.minItems)})` : ''}`;
  // A mapping of any keys (checked elsewhere, e.g. a fidelity level's executor keys): a plain mapping.
  if (type === 'object' && typeof node.additionalProperties === 'object' && !node.properties && Object.keys(node.additionalProperties).length === 0) return 'mapping';
  if (type === 'object' && typeof node.additionalProperties === 'object' && !node.properties) return `map of name → ${describeType(node.additionalProperties)}`;
  if (type === 'object') return 'mapping';
  return `${type ?? 'any'}${bounds(node)}`;
}

function defaultText(node: JsonSchema): string {
  if (node.default === undefined) return '';
  return `\`${JSON.stringify(node.default)}\``;
}

/** Every key of the task file, depth first, in the schema's order. */
export function taskFileKeyDocs(schema: JsonSchema = taskFileJsonSchema() as JsonSchema): TaskFileKeyDoc[] {
  const rows: TaskFileKeyDoc[] = [];
  const visit = (node: JsonSchema, key: string, required: boolean, note = ''): void => {
    rows.push({ key, type: describeType(node), required, default: defaultText(node), description: `${note}${node.description ?? ''}`.trim() });
    walkChildren(node, key, note);
  };
  const walkChildren = (node: JsonSchema, key: string, note: string): void => {
    const object = commandObject(node);
    if (object) return walkProperties(object, key, note);
    if (node.oneOf) {
      for (const variant of node.oneOf) {
        const kind = variant.properties?.kind?.const;
        walkProperties(variant, key, kind === undefined ? note : `(${String(kind)}) `, true);
      }
      return;
    }
    if (node.type === 'array' && node.items?.type === 'object') return walkProperties(node.items, `${key}[]`, note);
    if (node.properties) return walkProperties(node, key, note);
    if (typeof node.additionalProperties === 'object' && node.additionalProperties.type === 'object') walkProperties(node.additionalProperties, `${key}.<name>`, note);
  };
  const walkProperties = (node: JsonSchema, prefix: string, note: string, variant = false): void => {
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const key = prefix === '' ? name : `${prefix}.${name}`;
      const earlier = variant ? rows.find((row) => row.key === key) : undefined;
      if (earlier) {
        // The same key in another variant (executor.kind: local | slurm): one row for both.
        earlier.type = `${earlier.type} | ${describeType(child)}`;
        earlier.description = `${earlier.description} ${note}${child.description ?? ''}`.trim();
        continue;
      }
      visit(child, key, node.required?.includes(name) ?? false, note);
    }
  };
  walkProperties(schema, '', '');
  return rows;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The Markdown of `docs/task-file.md`. */
export function renderTaskFileDocs(): string {
  const rows = taskFileKeyDocs();
  const topLevel = rows.filter((row) => !row.key.includes('.') && !row.key.includes('[]'));
  const out: string[] = [
    '<!-- Generated by `npm run docs:task-file` from the schema (src/task/schema.ts, src/task/task-file-examples.ts). Do not edit by hand: a test fails when this page differs from the generated one. -->',
    '',
    '# The task file (`autolab.yaml`)',
    '',
    'What is optimised and how each trial is judged. `autolab init` writes a commented one;',
    '`autolab init --scan train.py` proposes knobs and commands from your script;',
    '`autolab schema` prints the JSON Schema for editors. Paths and globs are relative to the',
    'recipe repo; durations are `90s`, `10m`, `1.5h`, `1h30m`, `500ms` or seconds; sizes `10MB`,',
    '`512KiB`, `1GB` (KB/MB/GB powers of 1000, KiB/MiB/GiB of 1024) or bytes.',
    '',
    '**The baseline must pass the gates.** Trial 0 (the unmodified recipe) is measured first;',
    'when it fails (a crash, a missed gate, a missing metric), the study stops there and says',
    'what to fix: trials are only compared with a baseline that scores.',
    '',
    '**What may change while a study runs.** Budgets, `parallel`, `gpus`, specialists and',
    'surfaces may be edited between runs (`autolab run` resumes). The parts that judge trials',
    '(objective, setup, run and score commands, legality, protected paths, gates, baseline,',
    'limits, acceptance) may not: the study refuses to resume (start a new one with `--fresh`).',
    '`autolab run --more N` extends a spent trial budget without editing the file.',
    '',
    '## Keys',
    '',
    ...topLevel.map((row) => `- [\`${row.key}\`](#${row.key.replace(/[^a-z0-9_-]/gi, '').toLowerCase()})${row.required ? ' (required)' : ''}`),
    '',
  ];
  for (const top of topLevel) {
    out.push(`### ${top.key}`, '');
    out.push(cell(top.description) || '(no description)', '');
    const children = rows.filter((row) => row.key === top.key || row.key.startsWith(`${top.key}.`) || row.key.startsWith(`${top.key}[]`));
    out.push('| key | type | required | default | what it is |', '|---|---|---|---|---|');
    for (const row of children) out.push(`| \`${row.key}\` | ${cell(row.type)} | ${row.required ? 'yes' : ''} | ${cell(row.default)} | ${cell(row.description)} |`);
    out.push('');
    for (const example of TASK_FILE_EXAMPLES[top.key] ?? []) out.push('```yaml', example.trimEnd(), '```', '');
  }
  return out.join('\n').trimEnd() + '\n';
}
