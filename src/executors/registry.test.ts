import { describe, expect, it } from 'vitest';
import type { ExecutorSpec, TaskSpec } from '../core/task.ts';
import { executorSchema } from '../task/executor-schema.ts';
import { LocalExecutor } from './local/local-executor.ts';
import { PhaseRoutedExecutor } from './phase-routed-executor.ts';
import { EXECUTOR_KINDS, executorForTask, executorKind } from './registry.ts';
import { SlurmExecutor } from './slurm/slurm-executor.ts';

/** The `executor:` key as a task file writes it, parsed as loadTaskFile does. */
const executorKey = (yaml: Record<string, unknown>): ExecutorSpec => executorSchema.parse(yaml);
const task = (executor: ExecutorSpec | undefined, root = '/shared/me/recipe'): TaskSpec => ({ root, executor, gpus: [] }) as unknown as TaskSpec;

describe('the executor registry', () => {
  it('lists local (the default) and slurm, each with a described key for every option', () => {
    expect(EXECUTOR_KINDS.map((entry) => entry.kind)).toEqual(['local', 'slurm']);
    for (const entry of EXECUTOR_KINDS) {
      expect(entry.summary).toMatch(new RegExp(`^${entry.kind}: `));
      for (const [key, schema] of Object.entries(entry.optionsSchema.shape)) {
        expect(schema.description, `${entry.kind}.${key}`).toMatch(/\w/);
      }
    }
  });

  it('refuses an unknown kind with a did-you-mean', () => {
    expect(() => executorKind('slurmm')).toThrow(/unknown executor kind 'slurmm' \(did you mean slurm\?\)/);
    expect(() => executorForTask(task({ kind: 'kubernetes', options: {} }))).toThrow(expect.objectContaining({ name: 'TaskFileError' }));
  });

  it("parses each kind's keys to its options, defaults filled in", () => {
    expect(executorKey({ kind: 'local' })).toEqual({ kind: 'local', options: {} });
    expect(executorKey({ kind: 'slurm', partition: 'gpu', mem: '64GB', time_limit: '2h', poll_interval: '250ms', phases: ['run', 'preflight', 'run'] })).toEqual({
      kind: 'slurm',
      options: { partition: 'gpu', memoryBytes: 64e9, timeLimitMs: 7_200_000, extraArgs: [], pollIntervalMs: 250, phases: ['run', 'preflight'] },
    });
    expect(executorKey({ kind: 'slurm' }).options).toEqual({ extraArgs: [], pollIntervalMs: 5_000, phases: ['run'] });
  });
});

describe('executorForTask', () => {
  it('is the local executor without an executor key', () => {
    expect(executorForTask(task(undefined))).toBeInstanceOf(LocalExecutor);
    expect(executorForTask(task(executorKey({ kind: 'local' })))).toBeInstanceOf(LocalExecutor);
  });

  it('routes the run phase to Slurm with { kind: slurm }', () => {
    const executor = executorForTask(task(executorKey({ kind: 'slurm', shared_dir: '/shared' })));
    expect(executor).toBeInstanceOf(PhaseRoutedExecutor);
    expect((executor as PhaseRoutedExecutor).executorFor('run')).toBeInstanceOf(SlurmExecutor);
    expect((executor as PhaseRoutedExecutor).executorFor('preflight').kind).toBe('local');
    expect((executor as PhaseRoutedExecutor).executorFor('score').kind).toBe('local');
    const both = executorForTask(task(executorKey({ kind: 'slurm', phases: ['preflight', 'run'] }))) as PhaseRoutedExecutor;
    expect(both.executorFor('preflight').kind).toBe('slurm');
  });

  it("warns that the task's local GPU slots do not bind Slurm jobs to GPUs", () => {
    const warnings: string[] = [];
    executorForTask({ ...task(executorKey({ kind: 'slurm' })), gpus: ['0', '1'] }, { onWarning: (message) => warnings.push(message) });
    expect(warnings).toEqual([expect.stringMatching(/gpus: \[0, 1\].*gpus_per_trial/)]);
  });

  it('refuses a study folder outside shared_dir, naming both', () => {
    expect(() => executorForTask(task(executorKey({ kind: 'slurm', shared_dir: '/shared' }), '/home/me/recipe'))).toThrow(/shared_dir is \/shared, but the study folder \/home\/me\/recipe\/\.autolab lies outside it/);
  });
});
