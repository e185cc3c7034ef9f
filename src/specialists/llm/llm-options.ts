/**
 * The task-file keys of an `llm` specialist (beside name, kind, surface and role),
 * validated here because they reach the specialist as free-form `options`.
 */
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { AutolabError } from '../../core/errors.ts';
import type { SpecialistSpec, TaskSpec } from '../../core/task.ts';
import { parseDurationMs } from '../../core/units.ts';
import type { AgentLoopLimits } from './agent-loop.ts';
import { parseModelRef, type ModelRef } from './model-ref.ts';
import { BUILTIN_LIBRARY } from './knowledge.ts';

const duration = (fallback: string) =>
  z
    .union([z.number(), z.string()])
    .default(fallback)
    .transform((value, context) => {
      const ms = parseDurationMs(value);
      if (ms === undefined) {
        context.issues.push({ code: 'custom', message: 'expected a duration such as 90s, 10m or 1h', input: value });
        return z.NEVER;
      }
      return ms;
    });

/** The options of an llm specialist as written in the task file. */
export const llmOptionsSchema = z
  .strictObject({
    model: z.string({ error: 'required: model: provider:model-id, e.g. anthropic:claude-sonnet-4-5' }).min(1),
    base_url: z.string().url().optional(),
    api_key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name' }).optional(),
    knowledge: z.union([z.string(), z.array(z.string())]).optional(),
    library: z.string().optional(),
    max_steps: z.number().int().min(1).default(30),
    max_tokens: z.number().int().min(1).default(1_000_000),
    max_output_tokens: z.number().int().min(1).default(8192),
    wall_time: duration('20m'),
    request_timeout: duration('5m'),
    max_retries: z.number().int().min(0).default(6),
    retry_delay: duration('2s'),
    max_retry_wait: duration('60s'),
    stream: z.boolean().default(false),
    temperature: z.number().min(0).max(2).optional(),
  });

/** An llm specialist's settings, durations in milliseconds and paths absolute. */
export interface LlmSettings extends AgentLoopLimits {
  model: ModelRef;
  baseUrl?: string;
  apiKeyEnv?: string;
  /** Files pinned at the top of the context. */
  knowledge: string[];
  /** Folder of technique notes the agent lists and reads on demand. */
  library?: string;
}

/**
 * Validates `spec.options` of an llm specialist. Relative knowledge and library paths
 * are resolved against the task file's folder; `library: builtin` is the shipped library. Throws a `TaskFileError` naming the key.
 */
export function parseLlmOptions(spec: SpecialistSpec, task: TaskSpec): LlmSettings {
  const parsed = llmOptionsSchema.safeParse(spec.options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') || 'options';
    const unknown = issue?.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    throw new AutolabError('TaskFileError', `specialist '${spec.name}': ${key}: ${issue?.message ?? 'invalid'}${unknown}`, {
      hint: `llm specialists accept: ${Object.keys(llmOptionsSchema.shape).join(', ')} (see docs/specialists.md)`,
    });
  }
  const options = parsed.data;
  const at = (path: string) => (isAbsolute(path) ? path : resolve(task.root, path));
  const knowledge = options.knowledge === undefined ? [] : (Array.isArray(options.knowledge) ? options.knowledge : [options.knowledge]).map(at);
  const settings: LlmSettings = {
    model: parseModelRef(options.model, `specialist '${spec.name}'`),
    knowledge,
    maxSteps: options.max_steps,
    maxTokens: options.max_tokens,
    maxOutputTokens: options.max_output_tokens,
    wallTimeMs: options.wall_time,
    requestTimeoutMs: options.request_timeout,
    maxRetries: options.max_retries,
    retryDelayMs: options.retry_delay,
    maxRetryWaitMs: options.max_retry_wait,
    stream: options.stream,
  };
  if (options.base_url !== undefined) settings.baseUrl = options.base_url;
  if (options.api_key_env !== undefined) settings.apiKeyEnv = options.api_key_env;
  if (options.library !== undefined) settings.library = options.library === 'builtin' ? BUILTIN_LIBRARY : at(options.library);
  if (options.temperature !== undefined) settings.temperature = options.temperature;
  return settings;
}
