/** The task-file keys of a `command` specialist, validated here (they arrive as free-form options). */
import { z } from 'zod';
import { AutolabError } from '../../core/errors.ts';
import type { SpecialistSpec } from '../../core/task.ts';
import { parseDurationMs, parseSizeBytes } from '../../core/units.ts';

export const commandOptionsSchema = z.strictObject({
  command: z.string({ error: 'required: the command to run, e.g. claude -p "$(cat {prompt_file})"' }).trim().min(1),
  timeout: z.union([z.number(), z.string()]).default('20m'),
  output_cap: z.union([z.number(), z.string()]).default('1MiB'),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.union([z.string(), z.number(), z.boolean()])).default({}),
  ignore: z.array(z.string().min(1)).default(['**/__pycache__', '**/*.pyc', '.aider*']),
  repair: z.boolean().default(true),
});

export interface CommandSettings {
  command: string;
  timeoutMs: number;
  outputCapBytes: number;
  /** Variables added to the command's environment. */
  env: Record<string, string>;
  /** Changed paths matching these globs are undone before the diff is taken (caches, agent state). */
  ignore: string[];
  /** After its own trial failed with a repairable label, start the next session on that trial. */
  repair: boolean;
}

/** Validates `spec.options` of a command specialist; a `TaskFileError` names the key. */
export function parseCommandOptions(spec: SpecialistSpec): CommandSettings {
  const fail = (key: string, message: string): never => {
    throw new AutolabError('TaskFileError', `specialist '${spec.name}': ${key}: ${message}`, {
      hint: `command specialists accept: ${Object.keys(commandOptionsSchema.shape).join(', ')} (see docs/specialists.md)`,
    });
  };
  const parsed = commandOptionsSchema.safeParse(spec.options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const unknown = issue?.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return fail(issue?.path.join('.') || 'options', `${issue?.message ?? 'invalid'}${unknown}`);
  }
  const options = parsed.data;
  const timeoutMs = parseDurationMs(options.timeout) ?? fail('timeout', 'expected a duration such as 90s, 10m or 1h');
  const outputCapBytes = parseSizeBytes(options.output_cap) ?? fail('output_cap', 'expected a size such as 1MiB or 512KB');
  return {
    command: options.command,
    timeoutMs,
    outputCapBytes,
    env: Object.fromEntries(Object.entries(options.env).map(([key, value]) => [key, String(value)])),
    ignore: options.ignore,
    repair: options.repair,
  };
}
