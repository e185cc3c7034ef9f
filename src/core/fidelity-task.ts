import type { TaskSpec } from './task.ts';

/**
 * The task as one level sees it: the run's timeout and limits are the level's, and the
 * run and score see `AUTOLAB_FIDELITY` (the level's name), `AUTOLAB_FIDELITY_SCALE` and
 * the level's variables; with the level's own executor keys, `executor` is the level's. Pure.
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
  const envSet = { ...task.envSet, ...spec.env, AUTOLAB_FIDELITY: spec.name, AUTOLAB_FIDELITY_SCALE: String(spec.scale) };
  return { ...task, run, envSet, ...(spec.executor !== undefined ? { executor: spec.executor } : {}) };
}

/**
 * The task a trial is judged by at `level`: `taskAtLevel`, and below the full level no
 * gates (a proxy is not held to the real task's thresholds), no pruner (curves of
 * different scales do not compare) and no verification repeats (only full-level scores
 * can crown an incumbent). Pure.
 *
 * @example
 * const judged = judgedTaskAtLevel(task, 0); // judged.gates.length === 0
 */
export function judgedTaskAtLevel(task: TaskSpec, level: number): TaskSpec {
  const spec = taskAtLevel(task, level);
  const levels = task.fidelity?.levels.length ?? 0;
  if (levels === 0 || level >= levels - 1) return spec;
  const { pruner: _pruner, ...rest } = spec;
  return { ...rest, gates: [], acceptance: { ...spec.acceptance, verify: 0 } };
}
