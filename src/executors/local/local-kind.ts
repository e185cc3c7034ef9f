import { z } from 'zod';
import { defineExecutorKind } from '../executor-kind.ts';
import { LocalExecutor } from './local-executor.ts';

/**
 * `executor: { kind: local }` (the default, also when the key is absent): every phase
 * runs on this machine. It has no options: the budgets and limits come from the task's
 * phases (`run.timeout`, `run.memory`, ...).
 *
 * @example const executor = localExecutorKind.create({}, { task });
 */
export const localExecutorKind = defineExecutorKind({
  kind: 'local',
  summary: 'local: every phase runs on this machine (the default).',
  optionsSchema: z.strictObject({}),
  toOptions: () => ({}),
  create: () => new LocalExecutor(),
});
