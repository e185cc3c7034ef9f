import { describe, expect, it } from 'vitest';
import type { CommandRequest, CommandResult, Executor } from '../core/executor.ts';
import { PhaseRoutedExecutor } from './phase-routed-executor.ts';

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

  it('sends the smoke run where the run goes', async () => {
    const local = new RecordingExecutor('local', 0);
    const cluster = new RecordingExecutor('slurm', 0);
    await new PhaseRoutedExecutor(local, cluster, ['run']).run(request('smoke'));
    await new PhaseRoutedExecutor(local, cluster, ['preflight']).run(request('smoke'));
    expect(cluster.phases).toEqual(['smoke']);
    expect(local.phases).toEqual(['smoke']);
  });
});
