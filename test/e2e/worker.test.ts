import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StudyEvent } from '../../src/core/store.ts';
import type { TrialRecord } from '../../src/core/trial.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { runCli, startCli, waitFor } from '../../src/testing/cli.ts';
import { freshPostgresSchema, postgresTestUrl } from '../../src/testing/postgres.ts';
import { makeRecipeRepo, slowDownRun } from '../../src/testing/recipe-repo.ts';
import { openStudy, waitForStudy } from '../../src/engine/open-study.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const server = postgresTestUrl();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function recipe(runMs: number): Promise<string> {
  const repo = await makeRecipeRepo(FIXTURE);
  cleanups.push(repo.cleanup);
  await slowDownRun(repo.dir, runMs);
  return repo.dir;
}

async function snapshot(url: string): Promise<{ exists: boolean; trials: TrialRecord[]; events: StudyEvent[] }> {
  const store = await PostgresStore.open(url, { maxConnections: 1 });
  try {
    const study = await store.getStudy('fixture');
    if (study === null) return { exists: false, trials: [], events: [] };
    return { exists: true, trials: await store.listTrials(study.id), events: await store.listEvents(study.id) };
  } finally {
    await store.close();
  }
}

describe.skipIf(server.url === null)(`autolab worker${server.reason ? ` (${server.reason})` : ''}`, () => {
  const base = server.url!;

  it('a --remote driver only proposes; two workers run every trial exactly once', async () => {
    const dir = await recipe(200);
    const db = freshPostgresSchema(base, 'autolab_worker');
    cleanups.push(db.drop);
    const driving = startCli(['run', dir, '--remote', '--trials', '3', '--store', db.url]);
    // Workers idle for 2 s exit, a study not yet in the store included: start them once the driver made it.
    await waitFor(async () => (await snapshot(db.url)).exists, 120_000, 'the driver to create the study');
    const workers = [1, 2].map(() => startCli(['worker', dir, '--store', db.url, '--idle-exit', '2', '--parallel', '1']));
    const driver = await driving.done;
    expect(driver.code, driver.stderr).toBe(0);
    expect(driver.stdout).toContain('this process only proposes');
    expect(driver.stdout).toContain('Stopped: --trials 3 reached');
    const done = await Promise.all(workers.map((worker) => worker.done));
    for (const result of done) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Stopped: idle for 2 s');
    }

    const { trials, events } = await snapshot(db.url);
    expect(trials.map((t) => t.id)).toEqual([0, 1, 2, 3]);
    expect(trials.every((t) => t.finishedAt !== null && t.status !== 'failed')).toBe(true);
    const workerPids = new Set(workers.map((worker) => worker.child.pid));
    for (const trial of trials) {
      expect(workerPids.has(trial.owner?.pid), `trial ${trial.id} owned by ${JSON.stringify(trial.owner)}`).toBe(true);
      const types = events.filter((e) => e.trialId === trial.id).map((e) => e.type);
      expect(types.filter((type) => type === 'trial.claimed'), types.join(',')).toHaveLength(1);
      expect(types.filter((type) => type === 'trial.started')).toHaveLength(1);
      expect(types.filter((type) => type === 'trial.finished')).toHaveLength(1);
    }
  });

  it('a worker killed mid-trial: its lease expires, another worker re-runs the trial, nothing recorded is lost', async () => {
    const dir = await recipe(1000);
    const db = freshPostgresSchema(base, 'autolab_worker');
    cleanups.push(db.drop);
    const driver = startCli(['run', dir, '--remote', '--trials', '1', '--store', db.url]);
    const doomed = startCli(['worker', dir, '--store', db.url, '--lease', '2', '--parallel', '1']);
    cleanups.push(async () => void doomed.child.kill('SIGKILL'));
    // The doomed worker measures the baseline, then is killed while it runs trial #1.
    await waitFor(async () => {
      const { trials } = await snapshot(db.url);
      return trials[0]?.status === 'kept' && trials[1]?.status === 'running' && trials[1].owner?.pid === doomed.child.pid && trials[1].startedAt !== null;
    }, 120_000, 'the first worker to run trial #1');
    const baselineBefore = (await snapshot(db.url)).trials[0]!;
    doomed.child.kill('SIGKILL');
    await doomed.done;

    const rescuer = await runCli(['worker', dir, '--store', db.url, '--lease', '2', '--idle-exit', '1']);
    expect(rescuer.code, rescuer.stderr).toBe(0);
    const result = await driver.done;
    expect(result.code, result.stderr).toBe(0);

    const { trials, events } = await snapshot(db.url);
    expect(trials.map((t) => t.id)).toEqual([0, 1]);
    expect(trials[0]).toEqual(baselineBefore);
    expect(['kept', 'discarded']).toContain(trials[1]!.status);
    expect(trials[1]!.owner?.pid).not.toBe(doomed.child.pid);
    const types = events.filter((e) => e.trialId === 1).map((e) => e.type);
    expect(types.filter((type) => type === 'trial.claimed')).toHaveLength(2);
    expect(types).toContain('trial.requeued');
    expect(types.at(-1)).toBe('trial.finished');
    expect(types.filter((type) => type === 'trial.finished')).toHaveLength(1);
    expect(rescuer.stdout).toMatch(/claimed #1/);
  });

  it('refuses a store without a work queue', async () => {
    const dir = await recipe(0);
    const never = new AbortController();
    await expect(waitForStudy(dir, { store: join(dir, 'local.db'), signal: never.signal })).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringMatching(/no work queue/),
    });
    const study = await openStudy(dir, { store: join(dir, 'local.db'), create: true });
    try {
      await expect(study.work()).rejects.toMatchObject({ name: 'UsageError', message: expect.stringMatching(/no work queue/) });
    } finally {
      await study.close();
    }
  });
});
