import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandRequest, CommandResult, Executor } from '../../src/core/executor.ts';
import { openStudy, type Study } from '../../src/engine/open-study.ts';
import { LocalExecutor } from '../../src/executors/local/local-executor.ts';
import { driveStudy, MACHINE_FAULTS_BEFORE_STOP } from '../../src/scheduler/drive-study.ts';
import { createSpecialist } from '../../src/specialists/registry.ts';
import { makeRecipeRepo } from '../../src/testing/recipe-repo.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');

/** The local executor, except that the runs it is told to fail end as a cluster node failure would. */
class FlakyExecutor implements Executor {
  readonly kind = 'flaky';
  runs = 0;
  private readonly local = new LocalExecutor();
  constructor(private readonly fails: (run: number) => boolean) {}

  async run(request: CommandRequest): Promise<CommandResult> {
    if (request.env.AUTOLAB_PHASE !== 'run') return this.local.run(request);
    this.runs += 1;
    if (!this.fails(this.runs)) return this.local.run(request);
    return { exitCode: null, signal: null, timedOut: false, aborted: false, spawnError: null, machineFault: 'Slurm job 7 ended NODE_FAIL: its node failed', durationMs: 5, outputBytes: 0, outputTruncated: false, stdoutTail: '', outputTail: '', oomSuspected: false, logError: null };
  }

  reapOrphans(token: string): Promise<number> {
    return this.local.reapOrphans(token);
  }
}

describe('machine faults while driving a study', () => {
  let cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup = [];
  });

  async function drive(executor: FlakyExecutor, trials: number): Promise<{ study: Study; stopReason: string }> {
    const repo = await makeRecipeRepo(FIXTURE);
    const study = await openStudy(repo.dir, { create: true });
    cleanup.push(repo.cleanup, () => study.close());
    const signal = new AbortController().signal;
    const { runtime } = await study.prepare(signal);
    const specialists = study.task.specialists.map((spec) => createSpecialist(spec, study.task));
    const summary = await driveStudy({ ...runtime, executor, task: { ...runtime.task, parallel: 1 } }, specialists, { stop: signal, kill: signal, trials });
    return { study, stopReason: summary.stopReason };
  }

  it('retries a trial the machine failed once, with the same proposal, on a fresh trial, at no cost', async () => {
    const executor = new FlakyExecutor((run) => run === 1);
    const { study } = await drive(executor, 2);
    const trials = (await study.trials()).filter((trial) => trial.id !== 0);
    // The machine's failure does not count against the budget of 2: its retry takes its place, then one more trial.
    expect(trials.map((trial) => trial.label === 'infra_error')).toEqual([true, false, false]);
    const [failed, retry] = trials as [(typeof trials)[0], (typeof trials)[0]];
    expect(failed.labelDetail).toContain('the machine ended the run: Slurm job 7 ended NODE_FAIL');
    expect(retry.hypothesis).toBe(failed.hypothesis);
    expect(retry.diff).toBe(failed.diff);
    expect(retry.notes).toContain(`retry of trial #${failed.id}`);
    expect(retry.cost).toBeNull();
    expect(['kept', 'discarded']).toContain(retry.status);
  });

  it(`stops the study after ${MACHINE_FAULTS_BEFORE_STOP} machine faults in a row instead of burning proposals`, async () => {
    const executor = new FlakyExecutor(() => true);
    const { study, stopReason } = await drive(executor, 50);
    expect(stopReason).toMatch(/proposals in a row failed with infra_error.*NODE_FAIL/);
    const failed = (await study.trials()).filter((trial) => trial.label === 'infra_error');
    // each proposal ran twice: the trial and its retry
    expect(failed).toHaveLength(2 * MACHINE_FAULTS_BEFORE_STOP);
  });
});
