import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { runCli, startCli, waitFor } from '../../src/testing/cli.ts';
import { freshPostgresSchema, postgresTestUrl } from '../../src/testing/postgres.ts';
import { makeRecipeRepo, slowDownRun } from '../../src/testing/recipe-repo.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const server = postgresTestUrl();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function recipe(runMs = 0): Promise<string> {
  const repo = await makeRecipeRepo(FIXTURE);
  cleanups.push(repo.cleanup);
  if (runMs > 0) await slowDownRun(repo.dir, runMs);
  return repo.dir;
}

function schema(base: string): string {
  const db = freshPostgresSchema(base, 'autolab_e2e');
  cleanups.push(db.drop);
  return db.url;
}

describe.skipIf(server.url === null)(`a study on PostgreSQL${server.reason ? ` (${server.reason})` : ''}`, () => {
  const base = server.url!;

  it('runs end to end with --store, resumes with AUTOLAB_STORE, and writes no SQLite file', async () => {
    const dir = await recipe();
    const url = schema(base);
    const run = await runCli(['run', dir, '--store', url, '--trials', '4']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Stopped: --trials 4 reached');
    const resumed = await runCli(['run', dir, '--trials', '1'], { env: { AUTOLAB_STORE: url } });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('resuming (4 trials so far)');
    const listed = await runCli(['trials', dir, '--json'], { env: { AUTOLAB_STORE: url } });
    const trials = JSON.parse(listed.stdout) as Array<{ id: number; status: string; score: number | null }>;
    expect(trials.map((t) => t.id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(trials[0]).toMatchObject({ status: 'kept', score: 9 });
    expect(trials.every((t) => ['kept', 'discarded', 'failed'].includes(t.status))).toBe(true);
    expect(existsSync(join(dir, '.autolab', 'autolab.db'))).toBe(false);
  });

  it('two drivers on one study never run a trial twice', async () => {
    const dir = await recipe(400);
    const url = schema(base);
    const env = { AUTOLAB_STORE: url };
    const first = startCli(['run', dir, '--trials', '3'], { env });
    // The second driver joins once the first has prepared the task folder's workspace
    // (two processes creating the same fresh .autolab/ at one instant is a workspace race,
    // not a store one) and while the baseline is being measured.
    await waitFor(async () => {
      const store = await PostgresStore.open(url, { maxConnections: 1 }).catch(() => null);
      if (store === null) return false;
      try {
        const study = await store.getStudy('fixture');
        return study !== null && (await store.getTrial(study.id, 0)) !== null;
      } finally {
        await store.close();
      }
    }, 120_000, 'the first driver to start the baseline'); // 30 s ran out at load 25 with four test files at a time
    const second = startCli(['run', dir, '--trials', '3'], { env });
    const results = await Promise.all([first.done, second.done]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);

    const store = await PostgresStore.open(url, { maxConnections: 2 });
    try {
      const study = (await store.getStudy('fixture'))!;
      const trials = await store.listTrials(study.id);
      expect(trials.map((t) => t.id)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(trials.every((t) => t.finishedAt !== null)).toBe(true);
      const events = await store.listEvents(study.id);
      for (const trial of trials) {
        const mine = events.filter((e) => e.trialId === trial.id).map((e) => e.type);
        expect(mine.filter((type) => type === 'trial.started'), `trial ${trial.id}: ${mine.join(',')}`).toHaveLength(1);
        expect(mine.filter((type) => type === 'trial.finished')).toHaveLength(1);
      }
      // Both drivers ran trials, each under its own owner token.
      const owners = new Set(trials.filter((t) => t.id !== 0).map((t) => t.owner?.token));
      expect(owners.size).toBe(2);
    } finally {
      await store.close();
    }
  });
});
