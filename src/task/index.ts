/** The task file: schema, loading with file:line:col errors, JSON Schema, init template. */
export { loadTaskFile, TASK_FILE_NAMES, type LoadedTask } from './load-task.ts';
export { taskJudgingHash } from './judging-hash.ts';
export { taskFileJsonSchema } from './json-schema.ts';
export { initTemplate, type InitTemplateOptions } from './init-template.ts';
export { taskFileSchema, DEFAULT_LIMITS, DEFAULT_OUTPUT_CAP_BYTES, DEFAULT_TIMEOUTS_MS, type ParsedTaskFile, type TaskFileInput } from './schema.ts';
export { parseDurationMs, parseSizeBytes } from '../core/units.ts';
