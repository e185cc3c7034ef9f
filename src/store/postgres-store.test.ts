import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrialOutcome } from '../core/store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../testing/postgres.ts';
import { MIGRATIONS } from './migrations.ts';
import { openStore } from './open-store.ts';
import { parsePostgresUrl } from './postgres-connection.ts';
import { applyPostgresMigrations } from './postgres-migrate.ts';
import { PostgresStore } from './postgres-store.ts';
import { describeStoreContract } from './store-contract.ts';

const server = postgresTestUrl();
const CHILD = fileURLToPath(new URL('./testing/postgres-child.ts', import.meta.url));
const BASELINE = { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null };
const SCORED = (score: number): TrialOutcome => ({ status: 'scored', label: null, labelDetail: null, metrics: { loss: score }, score, timings: {}, logExcerpt: '' });
const WORKER = { host: 'worker-a', pid: 11, token: 'worker-a-token' };

describe('parsePostgresUrl', () => {
  it('takes ?schema= for autolab, leaves the rest to pg, and hides the password', () => {
    expect(parsePostgresUrl('postgres://u:s3cret@db:5432/research?schema=golf&sslmode=disable')).toEqual({
      connectionString: 'postgres://u:s3cret@db:5432/research?sslmode=disable',
      schema: 'golf',
      display: 'postgres://u:***@db:5432/research?schema=golf&sslmode=disable',
    });
    expect(parsePostgresUrl('postgresql://db/research').schema).toBeNull();
    expect(() => parsePostgresUrl('postgres://db/x?schema=a;drop')).toThrow(/not a plain identifier/);
  });

  it('reports an unreachable server as a StoreError with a hint and no password', async () => {
    const error = await PostgresStore.open('postgres://u:s3cret@127.0.0.1:1/none').catch((e: unknown) => e as Error & { hint?: string });
    expect(error).toMatchObject({ name: 'StoreError' });
    expect((error as Error).message).not.toContain('s3cret');
    expect((error as { hint?: string }).hint).toMatch(/running and reachable/);
  });
});

if (server.url === null) {
  describe.skip(`PostgresStore: ${server.reason}`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  const base = server.url;

  describeStoreContract('PostgresStore (fresh schema)', async () => {
    const db = freshPostgresSchema(base);
    const store = await PostgresStore.open(db.url, { maxConnections: 4 });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await db.drop();
      },
    };
  });

  interface ChildResult {
    ok: boolean;
    ids?: number[];
    error?: string;
    stderr: string;
  }

  const runChild = (args: string[]): Promise<ChildResult> =>
    new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', CHILD, ...args], { timeout: 45_000 }, (error, stdout, stderr) => {
        try {
          resolve({ ...(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { ok: boolean }), stderr });
        } catch {
          resolve({ ok: false, error: `no result line (${error?.message ?? 'exit 0'})`, stderr });
        }
      });
    });

  /** Runs `count` children; says go once all are ready, so they race. */
  const raceChildren = async (dir: string, count: number, args: (barrierDir: string) => string[]): Promise<ChildResult[]> => {
    const barrierDir = join(dir, 'barrier');
    await mkdir(barrierDir, { recursive: true });
    const children = Array.from({ length: count }, () => runChild(args(barrierDir)));
    let settled = false;
    void Promise.all(children).then(() => (settled = true));
    const deadline = Date.now() + 40_000;
    while (!settled && Date.now() < deadline && (await readdir(barrierDir)).filter((f) => f.startsWith('ready-')).length < count) await sleep(10);
    await writeFile(join(barrierDir, 'go'), '');
    return Promise.all(children);
  };

  describe('PostgresStore across processes and connections', () => {
    let dir: string;
    let db: ReturnType<typeof freshPostgresSchema>;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'autolab-pg-'));
      db = freshPostgresSchema(base);
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
      await db.drop();
    });

    it('three processes migrating a fresh schema at once all succeed, and it is migrated once', async () => {
      const results = await raceChildren(dir, 3, (barrierDir) => ['migrate', db.url, barrierDir]);
      for (const result of results) expect(result, result.stderr).toMatchObject({ ok: true });
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        const rows = await client.query(`SELECT version, name FROM "${db.schema}".autolab_migrations ORDER BY version`);
        expect(rows.rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      } finally {
        await client.end();
      }
    });

    it('three processes creating and finishing 30 trials each get ids 1..90, and every crowning beat the incumbent of its instant', async () => {
      const setup = await PostgresStore.open(db.url, { maxConnections: 2 });
      const { study } = await setup.openStudy({ name: 'race', taskHash: 'h', taskJson: '{}' });
      await setup.createTrial(study.id, BASELINE);
      await setup.finishTrial(study.id, 0, SCORED(1), () => true);
      await setup.close();

      const results = await raceChildren(dir, 3, (barrierDir) => ['trials', db.url, barrierDir, '30', 'race']);
      for (const result of results) expect(result, result.stderr).toMatchObject({ ok: true });
      const ids = results.flatMap((r) => r.ids ?? []);
      expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));

      const store = await PostgresStore.open(db.url, { maxConnections: 2 });
      try {
        expect(await store.countTrials(study.id, { status: ['kept', 'discarded'] })).toBe(91);
        const events = await store.listEvents(study.id);
        // Event ids follow commit order: replaying the log, each crowning beat every earlier one.
        const kept = events.filter((e) => e.type === 'trial.finished' && e.data.status === 'kept').map((e) => e.data.score as number);
        for (let i = 1; i < kept.length; i++) expect(kept[i]).toBeLessThan(kept[i - 1]!);
        const best = Math.min(...(await store.listTrials(study.id)).map((t) => t.score ?? Infinity));
        expect((await store.getIncumbent(study.id))!.score).toBe(best);
        // Every trial's events read in id order are created before finished.
        for (const id of ids) {
          const types = events.filter((e) => e.trialId === id).map((e) => e.type);
          expect(types).toEqual(['trial.created', 'trial.finished']);
        }
      } finally {
        await store.close();
      }
    });

    it('listEvents(afterId) never skips an event that commits after a later one was read', async () => {
      const store = await PostgresStore.open(db.url, { maxConnections: 8 });
      try {
        const { study } = await store.openStudy({ name: 'tail', taskHash: 'h', taskJson: '{}' });
        const writers = Array.from({ length: 6 }, async (_, w) => {
          for (let i = 0; i < 15; i++) await store.appendEvent(study.id, null, 'note', { w, i });
        });
        const seen: number[] = [];
        let done = false;
        const all = Promise.all(writers).then(() => (done = true));
        let after = -1;
        while (!done) {
          const batch = await store.listEvents(study.id, { afterId: after });
          for (const event of batch) seen.push(event.id);
          if (batch.length > 0) after = batch.at(-1)!.id;
        }
        await all;
        for (const event of await store.listEvents(study.id, { afterId: after })) seen.push(event.id);
        const everything = (await store.listEvents(study.id)).map((e) => e.id);
        expect(seen).toEqual(everything);
        expect(everything).toHaveLength(91);
      } finally {
        await store.close();
      }
    });

    it('three processes claiming from one queue never claim a trial twice', async () => {
      const setup = await PostgresStore.open(db.url, { maxConnections: 2 });
      const { study } = await setup.openStudy({ name: 'queue', taskHash: 'h', taskJson: '{}' });
      await setup.createTrial(study.id, BASELINE);
      for (let i = 0; i < 45; i++) await setup.createTrial(study.id, { specialist: 's', parent: 0, hypothesis: `t${i}`, seed: i, edit: null, owner: null });
      await setup.close();
      const results = await raceChildren(dir, 3, (barrierDir) => ['claim', db.url, barrierDir, 'queue']);
      for (const result of results) expect(result, result.stderr).toMatchObject({ ok: true });
      const ids = results.flatMap((r) => r.ids ?? []);
      expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 46 }, (_, i) => i));
      const store = await PostgresStore.open(db.url, { maxConnections: 2 });
      try {
        const claims = (await store.listEvents(study.id)).filter((e) => e.type === 'trial.claimed');
        expect(claims).toHaveLength(46);
        expect(await store.countTrials(study.id, { status: ['failed'] })).toBe(46);
      } finally {
        await store.close();
      }
    });
  });

  describe('PostgresStore work queue', () => {
    let db: ReturnType<typeof freshPostgresSchema>;
    let store: PostgresStore;
    beforeEach(async () => {
      db = freshPostgresSchema(base);
      store = await PostgresStore.open(db.url, { maxConnections: 4 });
    });
    afterEach(async () => {
      await store.close();
      await db.drop();
    });

    it('claims only queued trials (pending, no owner), oldest first, and renews only its own leases', async () => {
      const { study } = await store.openStudy({ name: 'q', taskHash: 'h', taskJson: '{}' });
      await store.createTrial(study.id, BASELINE);
      const driverOwned = await store.createTrial(study.id, { specialist: 's', parent: 0, hypothesis: 'mine', seed: 1, edit: null, owner: { host: 'driver', pid: 1, token: 'd' } });
      expect((await store.claimTrial(study.id, WORKER, 10_000))!.id).toBe(0);
      const queued = await store.createTrial(study.id, { specialist: 's', parent: 0, hypothesis: 'queued', seed: 2, edit: null, owner: null });
      const claimed = await store.claimTrial(study.id, WORKER, 10_000);
      expect(claimed).toMatchObject({ id: queued.id, status: 'running', owner: WORKER });
      expect(claimed!.heartbeatAt).not.toBeNull();
      expect(await store.claimTrial(study.id, WORKER, 10_000)).toBeNull();
      expect((await store.getTrial(study.id, driverOwned.id))!.status).toBe('pending');
      expect(await store.renewLease(study.id, [0, queued.id, driverOwned.id], WORKER)).toEqual([0, queued.id]);
      expect(await store.renewLease(study.id, [0], { ...WORKER, token: 'someone-else' })).toEqual([]);
      await store.finishTrial(study.id, 0, SCORED(1), () => true);
      expect(await store.renewLease(study.id, [0, queued.id], WORKER)).toEqual([queued.id]);
      await expect(store.claimTrial(study.id, WORKER, 0)).rejects.toMatchObject({ name: 'StoreError' });
    });

    it('an expired lease re-queues the trial once, then records it interrupted; nothing recorded is lost', async () => {
      const { study } = await store.openStudy({ name: 'lease', taskHash: 'h', taskJson: '{}' });
      await store.createTrial(study.id, BASELINE);
      await store.finishTrial(study.id, 0, SCORED(1), () => true);
      const trial = await store.createTrial(study.id, { specialist: 's', parent: 0, hypothesis: 'h', seed: 1, edit: null, owner: null });
      expect((await store.claimTrial(study.id, WORKER, 60_000))!.id).toBe(trial.id);
      await store.updateTrial(study.id, trial.id, { commit: 'c1', timings: { materialiseMs: 5 } });
      // The worker dies: no more heartbeats. Another worker with a 300 ms lease comes later.
      const other = { host: 'worker-b', pid: 22, token: 'worker-b-token' };
      expect(await store.claimTrial(study.id, other, 60_000)).toBeNull(); // lease still valid
      await sleep(400);
      const again = await store.claimTrial(study.id, other, 300);
      expect(again).toMatchObject({ id: trial.id, status: 'running', owner: other, commit: 'c1', timings: { materialiseMs: 5 } });
      expect(await store.renewLease(study.id, [trial.id], WORKER)).toEqual([]); // the dead worker lost it
      await sleep(400);
      expect(await store.claimTrial(study.id, WORKER, 300)).toBeNull();
      const final = (await store.getTrial(study.id, trial.id))!;
      expect(final).toMatchObject({ status: 'failed', label: 'interrupted' });
      expect(final.labelDetail).toMatch(/expired a second time/);
      const types = (await store.listEvents(study.id)).filter((e) => e.trialId === trial.id).map((e) => e.type);
      expect(types).toEqual(['trial.created', 'trial.claimed', 'trial.updated', 'trial.requeued', 'trial.claimed', 'trial.finished']);
      expect((await store.getTrial(study.id, 0))!.status).toBe('kept');
      await expect(store.finishTrial(study.id, trial.id, SCORED(0.5), () => true)).rejects.toThrow(/immutable/);
    });
  });

  describe('PostgresStore schema handling', () => {
    it('openStore opens postgres:// URLs; schemas isolate studies; a newer schema is refused', async () => {
      const a = freshPostgresSchema(base);
      const b = freshPostgresSchema(base);
      try {
        const first = await openStore(a.url);
        const second = await openStore(b.url);
        try {
          expect(first).toBeInstanceOf(PostgresStore);
          await first.openStudy({ name: 'only-in-a', taskHash: 'h', taskJson: '{}' });
          expect(await second.listStudies()).toEqual([]);
          await first.migrate();
        } finally {
          await first.close();
          await second.close();
        }
        const pool = new pg.Pool({ connectionString: base, max: 1, options: `-c search_path=${a.schema}` });
        const client = await pool.connect();
        try {
          expect(await applyPostgresMigrations(client, a.schema)).toEqual([]);
          const extra = { version: MIGRATIONS.length + 1, name: 'test_extra', up: 'CREATE TABLE extra (x TEXT)' };
          expect(await applyPostgresMigrations(client, a.schema, [...MIGRATIONS, extra])).toEqual([extra.version]);
          // A failing migration rolls back entirely.
          const broken = { version: MIGRATIONS.length + 2, name: 'broken', up: 'CREATE TABLE ok_table (x TEXT); CREATE TABLE ok_table (x TEXT);' };
          await expect(applyPostgresMigrations(client, a.schema, [...MIGRATIONS, extra, broken])).rejects.toThrow(/Migration \d+ \(broken\) failed/);
          expect((await client.query(`SELECT to_regclass('ok_table') AS t`)).rows[0].t).toBeNull();
        } finally {
          client.release();
          await pool.end();
        }
        await expect(PostgresStore.open(a.url)).rejects.toMatchObject({ name: 'StoreError', message: expect.stringMatching(/newer/) });
      } finally {
        await a.drop();
        await b.drop();
      }
    });

    it('rejects a hand-corrupted row at the boundary, and calls on a closed store', async () => {
      const db = freshPostgresSchema(base);
      try {
        const store = await PostgresStore.open(db.url, { maxConnections: 2 });
        const { study } = await store.openStudy({ name: 's', taskHash: 'h', taskJson: '{}' });
        await store.createTrial(study.id, { specialist: 'x', parent: null, hypothesis: 'h', seed: 1, edit: null, owner: null });
        const client = new pg.Client({ connectionString: base });
        await client.connect();
        await client.query(`UPDATE "${db.schema}".trials SET metrics_json = '{"loss":"low"}' WHERE id = 1`);
        await client.end();
        await expect(store.getTrial(study.id, 1)).rejects.toMatchObject({ name: 'StoreError', message: expect.stringMatching(/trial 1 .*metrics_json/) });
        await store.close();
        await store.close();
        await expect(store.listStudies()).rejects.toMatchObject({ name: 'StoreError', message: expect.stringMatching(/closed/) });
      } finally {
        await db.drop();
      }
    });
  });
}
