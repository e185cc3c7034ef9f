import { isAbsolute, relative, resolve } from 'node:path';
import { AutolabError } from '../../core/errors.ts';
import type { TaskSpec } from '../../core/task.ts';
import { defineExecutorKind } from '../executor-kind.ts';
import { SlurmExecutor } from './slurm-executor.ts';
import { slurmKeysForSlots, slurmOptionsSchema, toSlurmOptions } from './slurm-options.ts';

/**
 * `executor: { kind: slurm, partition, ... }`: the phases in `phases` (default `run`;
 * any of setup, legality, preflight, run, score) become sbatch jobs; the others run on the
 * driver's machine. With `container:`, every phase it names runs in that container,
 * wherever it runs. Refuses a study folder outside `shared_dir`; warns that the task's
 * local `gpus:` slots do not apply to jobs. See docs/cluster.md.
 *
 * @example const slurm = slurmExecutorKind.create(toSlurmOptions(slurmOptionsSchema.parse({ partition: 'gpu' })), { task });
 */
export const slurmExecutorKind = defineExecutorKind({
  kind: 'slurm',
  summary: 'slurm: each run is an sbatch job on the cluster.',
  optionsSchema: slurmOptionsSchema,
  toOptions: toSlurmOptions,
  phases: (options) => options.phases,
  container: (options) => options.container,
  repeatsTogether: (options) => options.arrayRepeats && options.phases.includes('run'),
  keysForSlots: slurmKeysForSlots,
  create(options, { task, onWarning }) {
    const { sharedDir, phases: _phases, container: _container, ...job } = options;
    if (sharedDir !== undefined) checkSharedDir(task, sharedDir);
    if ((task.gpus?.length ?? 0) > 0) {
      onWarning?.(
        `gpus: [${task.gpus.join(', ')}] are this machine's GPU slots; Slurm jobs get theirs from executor.gpus (--gres), and the GPUs Slurm binds replace the slot's CUDA_VISIBLE_DEVICES. Remove gpus: from the task file when every run goes to Slurm`,
      );
    }
    return new SlurmExecutor({
      ...job,
      ...(task.run?.memoryBytes !== undefined && { runMemoryBytes: task.run.memoryBytes }),
      ...(onWarning !== undefined && { onWarning }),
    });
  },
});

/** The study folder (`<task folder>/.autolab`: worktrees, logs, artifacts) must be where the nodes see it. */
function checkSharedDir(task: TaskSpec, sharedDir: string): void {
  const state = resolve(task.root, '.autolab');
  const inside = relative(resolve(sharedDir), state);
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new AutolabError(
      'TaskFileError',
      `executor.shared_dir is ${sharedDir}, but the study folder ${state} lies outside it: Slurm jobs could not see their worktrees and logs`,
      { hint: `move the task file (and its .autolab folder) under ${sharedDir}, or correct shared_dir` },
    );
  }
}
