import { describe, expect, it } from 'vitest';
import type { CommandRequest, CommandResult, Executor } from '../core/executor.ts';
import type { SlurmExecutorSpec, TaskSpec } from '../core/task.ts';
import { LocalExecutor } from '../executors/local/local-executor.ts';
import { executorForTask, PhaseRoutedExecutor } from './task-executor.ts';

class RecordingExecutor implements Executor {
  readonly phases: string[] = [];
  constructor(
    readonly kind: string,
    private readonly orphans: number,
  ) {}
  async run(request: CommandRequest): Promise<CommandResult> {
    this.phases.push(request.env.AUTOLAB_PHASE ?? '?');
    return { exitCode: 0, signal: null, timedOut: false, aborted: false, spawnError: null, durationMs: 1, outputBytes: 0, outputTruncated: false, stdoutTail: '', outputTail: '', oomSuspected: false, logError: null };
  }
  async reapOrphans(): Promise<number> {
    return this.orphans;
  }
}

const request = (phase: string): CommandRequest => ({ command: 'true', cwd: '/', env: { AUTOLAB_PHASE: phase }, timeoutMs: 1000, outputCapBytes: 0, logFile: '/dev/null' });

const slurmSpec = (overrides: Partial<SlurmExecutorSpec> = {}): SlurmExecutorSpec => ({ kind: 'slurm', extraArgs: [], pollIntervalMs: 5000, phases: ['run'], ...overrides });
const task = (executor: TaskSpec['executor'], root = '/shared/me/recipe'): TaskSpec => ({ root, executor, gpus: [] }) as unknown as TaskSpec;

describe('PhaseRoutedExecutor', () => {
  it('sends the cluster phases to the cluster and every other phase to this machine; reaps on both', async () => {
    const local = new RecordingExecutor('local', 2);
    const cluster = new RecordingExecutor('slurm', 3);
    const routed = new PhaseRoutedExecutor(local, cluster, ['preflight', 'run']);
    for (const phase of ['setup', 'legality', 'preflight', 'run', 'score']) await routed.run(request(phase));
    expect(cluster.phases).toEqual(['preflight', 'run']);
    expect(local.phases).toEqual(['setup', 'legality', 'score']);
    expect(routed.kind).toBe('slurm');
    expect(await routed.reapOrphans('token')).toBe(5);
  });
});

describe('executorForTask', () => {
  it('is the local executor without an executor key', () => {
    expect(executorForTask(task(undefined))).toBeInstanceOf(LocalExecutor);
    expect(executorForTask(task({ kind: 'local' }))).toBeInstanceOf(LocalExecutor);
  });

  it('routes the run phase to Slurm with { kind: slurm }', () => {
    const executor = executorForTask(task(slurmSpec({ sharedDir: '/shared' })));
    expect(executor).toBeInstanceOf(PhaseRoutedExecutor);
    expect((executor as PhaseRoutedExecutor).executorFor('run').kind).toBe('slurm');
    expect((executor as PhaseRoutedExecutor).executorFor('score').kind).toBe('local');
  });

  it("warns that the task's local GPU slots do not bind Slurm jobs to GPUs", () => {
    const warnings: string[] = [];
    executorForTask({ ...task(slurmSpec()), gpus: ['0', '1'] }, { onWarning: (message) => warnings.push(message) });
    expect(warnings).toEqual([expect.stringMatching(/gpus: \[0, 1\].*gpus_per_trial/)]);
  });

  it('refuses a study folder outside shared_dir, naming both', () => {
    expect(() => executorForTask(task(slurmSpec({ sharedDir: '/shared' }), '/home/me/recipe'))).toThrow(/shared_dir is \/shared, but the study folder \/home\/me\/recipe\/\.autolab lies outside it/);
  });
});
