import { z } from 'zod';
import { CONTAINER_DESCRIPTION, containerOptionsSchema, toContainerOptions, type ContainerOptions } from '../shared/container-options.ts';
import { defineExecutorKind } from '../executor-kind.ts';
import { LocalExecutor } from './local-executor.ts';

/** The options of the local kind: only the container, if any. */
export interface LocalKindOptions {
  container?: ContainerOptions;
}

/**
 * `executor: { kind: local }` (the default, also when the key is absent): every phase
 * runs on this machine. Its one option is `container:` (the phases run in that image);
 * the budgets and limits come from the task's phases (`run.timeout`, `run.memory`, ...).
 *
 * @example const executor = localExecutorKind.create({}, { task });
 */
export const localExecutorKind = defineExecutorKind({
  kind: 'local',
  summary: 'local: every phase runs on this machine (the default).',
  optionsSchema: z.strictObject({ container: containerOptionsSchema.optional().describe(CONTAINER_DESCRIPTION) }),
  toOptions: (keys): LocalKindOptions => (keys.container !== undefined ? { container: toContainerOptions(keys.container) } : {}),
  container: (options) => options.container,
  create: () => new LocalExecutor(),
});
