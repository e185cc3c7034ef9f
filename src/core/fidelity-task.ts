import type { TaskSpec } from './task.ts';

/**
 * The task as one level sees it: the run's timeout and limits are the level's, and the
 * run and score see `AUTOLAB_FIDELITY` (the level's name), `AUTOLAB_FIDELITY_SCALE` and
 * the level's variables. Pure.
 *
 * @example
 * const small = taskAtLevel(task, 0); // small.envSet.AUTOLAB_FIDELITY === 's'
 */
export function taskAtLevel(task: TaskSpec, level: number): TaskSpec {
  const spec = task.fidelity?.levels[level];
  if (!spec) return task;
  const run = { ...task.run, timeoutMs: spec.timeoutMs };
  if (spec.resources?.memoryBytes !== undefined) run.memoryBytes = spec.resources.memoryBytes;
  if (spec.resources?.maxProcesses !== undefined) run.maxProcesses = spec.resources.maxProcesses;
  return { ...task, run, envSet: { ...task.envSet, ...spec.env, AUTOLAB_FIDELITY: spec.name, AUTOLAB_FIDELITY_SCALE: String(spec.scale) } };
}
