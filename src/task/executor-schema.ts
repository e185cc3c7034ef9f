import { z } from 'zod';
import type { ExecutorSpec } from '../core/task.ts';
import { EXECUTOR_KINDS, executorKind } from '../executors/registry.ts';
import { closestMatch } from '../core/suggest.ts';
import { describeValue } from './zod-issues.ts';

/**
 * The `executor:` key of the task file, built from the executor registry: one branch per
 * kind, `kind` beside that kind's own keys (its `optionsSchema`, with its `.describe()`
 * texts, so the JSON Schema documents every key). It parses to `{ kind, options }`.
 */

const KIND_NAMES = EXECUTOR_KINDS.map((entry) => entry.kind);

/** `{ kind: local } or { kind: slurm, partition, account, ... }`, from the registry. */
const SHAPES = EXECUTOR_KINDS.map((entry) => `{ kind: ${[entry.kind, ...Object.keys(entry.optionsSchema.shape)].join(', ')} }`).join(' or ');

const branches = EXECUTOR_KINDS.map((entry) => z.strictObject({ kind: z.literal(entry.kind).describe(entry.summary), ...entry.optionsSchema.shape }));

/** The message for an executor without a kind this version knows (zod points it at `kind`). */
function kindProblem(issue: { input?: unknown }): string {
  const input = issue.input;
  if (typeof input === 'string' && KIND_NAMES.includes(input)) return `expected a mapping: write executor: { kind: ${input} }`;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return `expected a mapping such as { kind: ${KIND_NAMES[0]} }, got ${describeValue(input)}`;
  const kind = (input as Record<string, unknown>).kind;
  if (kind === undefined) return `required: the executor kind, one of ${KIND_NAMES.join(', ')}`;
  if (typeof kind !== 'string') return `expected the executor kind, one of ${KIND_NAMES.join(', ')}, got ${describeValue(kind)}`;
  const suggestion = closestMatch(kind, KIND_NAMES);
  return `unknown executor kind ${JSON.stringify(kind)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; expected one of ${KIND_NAMES.join(', ')}`;
}

function toExecutorSpec(value: { kind: string } & Record<string, unknown>): ExecutorSpec {
  const { kind, ...keys } = value;
  const entry = executorKind(kind);
  return { kind, options: entry.toOptions(keys) as Record<string, unknown> };
}

/** The `executor:` key of the task file: where phase commands run. */
export const executorSchema = z
  .discriminatedUnion('kind', branches as [(typeof branches)[number], ...Array<(typeof branches)[number]>], { error: kindProblem })
  .transform(toExecutorSpec)
  .describe(`Where phase commands run: ${SHAPES}. Default: { kind: local }. Each kind's keys are documented on its branch (docs/cluster.md).`);
