import { describe, expect, it } from 'vitest';
import type { ExecutorSpec, TaskSpec } from '../core/task.ts';
import { executorSchema } from '../task/executor-schema.ts';
import { LocalExecutor } from './local/local-executor.ts';
import { ContainerExecutor } from './container/container-executor.ts';
import { PhaseRoutedExecutor } from './phase-routed-executor.ts';
import { EXECUTOR_KINDS, executorForTask, executorKind } from './registry.ts';
import { SlurmExecutor } from './slurm/slurm-executor.ts';

/** What every Slurm executor key gets by default beside the ones a test names. */
const SLURM_DEFAULTS = { byPhase: {}, prologue: [], requeue: false, launch: 'direct', arrayRepeats: true };

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
      options: { partition: 'gpu', memoryBytes: 64e9, timeLimitMs: 7_200_000, extraArgs: [], pollIntervalMs: 250, phases: ['run', 'preflight'], ...SLURM_DEFAULTS },
    });
    expect(executorKey({ kind: 'slurm' }).options).toEqual({ extraArgs: [], pollIntervalMs: 5_000, phases: ['run'], ...SLURM_DEFAULTS });
    expect(executorKey({ kind: 'slurm', gpus: 'a100:2', nodes: 2, ntasks: 8, by_phase: { score: { gpus: 1, time_limit: '30m' } }, signal: { name: 'SIGUSR2', before: '5m' }, requeue: true, scratch: '$TMPDIR' }).options).toMatchObject({
      gpus: 'a100:2',
      nodes: 2,
      ntasks: 8,
      byPhase: { score: { gpus: '1', timeLimitMs: 1_800_000 } },
      signal: { name: 'USR2', beforeMs: 300_000 },
      requeue: true,
      scratch: '$TMPDIR',
    });
    expect(executorKey({ kind: 'slurm', gpus_per_trial: 2 }).options).toMatchObject({ gpus: '2' });
    expect(executorKey({ kind: 'local', container: { image: '/shared/torch.sif', binds: ['/data:/data:ro'], gpu: true } }).options).toEqual({
      container: { image: '/shared/torch.sif', engine: 'apptainer', binds: [{ source: '/data', target: '/data', readOnly: true }], gpu: true, phases: ['setup', 'legality', 'preflight', 'run', 'score'], extraArgs: [] },
    });
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
    const scored = executorForTask(task(executorKey({ kind: 'slurm', phases: ['setup', 'legality', 'run', 'score'] }))) as PhaseRoutedExecutor;
    expect(['setup', 'legality', 'preflight', 'run', 'score'].map((phase) => scored.executorFor(phase).kind)).toEqual(['slurm', 'slurm', 'local', 'slurm', 'slurm']);
  });

  it('runs the phases in the container wherever they run, with container:', () => {
    const executor = executorForTask(task(executorKey({ kind: 'slurm', container: { image: '/shared/torch.sif' } })));
    expect(executor).toBeInstanceOf(ContainerExecutor);
    expect((executor as ContainerExecutor).options).toMatchObject({ engine: 'apptainer', image: '/shared/torch.sif' });
  });

  it("warns that the task's local GPU slots do not bind Slurm jobs to GPUs", () => {
    const warnings: string[] = [];
    executorForTask({ ...task(executorKey({ kind: 'slurm' })), gpus: ['0', '1'] }, { onWarning: (message) => warnings.push(message) });
    expect(warnings).toEqual([expect.stringMatching(/gpus: \[0, 1\].*executor\.gpus/)]);
  });

  it('refuses a study folder outside shared_dir, naming both', () => {
    expect(() => executorForTask(task(executorKey({ kind: 'slurm', shared_dir: '/shared' }), '/home/me/recipe'))).toThrow(/shared_dir is \/shared, but the study folder \/home\/me\/recipe\/\.autolab lies outside it/);
  });
});
