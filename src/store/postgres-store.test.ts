import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshPostgresSchema, postgresTestUrl } from '../testing/postgres.ts';
import { MIGRATIONS } from './migrations.ts';
import { openStore } from './open-store.ts';
import { parsePostgresUrl } from './postgres-connection.ts';
import { applyPostgresMigrations } from './postgres-migrate.ts';
import { numberPlaceholders, PostgresStore } from './postgres-store.ts';
import { describeStoreContract } from '../testing/store-contract.ts';
import { describeStoreProcessContract, raceChildren } from '../testing/store-process-contract.ts';

const server = postgresTestUrl();

describe('numberPlaceholders', () => {
  it("numbers the shared statements' ? placeholders, leaving quoted text alone", () => {
    expect(numberPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?) LIMIT ?')).toBe('SELECT * FROM t WHERE a = $1 AND b IN ($2, $3) LIMIT $4');
    expect(numberPlaceholders(`SELECT '?', 'it''s ?', "odd?name" FROM t WHERE x = ?`)).toBe(`SELECT '?', 'it''s ?', "odd?name" FROM t WHERE x = $1`);
  });

  it('reads the clock kept under the study lock in place of the placeholders named, numbering the rest', () => {
    expect(numberPlaceholders(`INSERT INTO e (a, '?', at, b) VALUES (?, ?, ?)`, new Set([1]))).toBe(`INSERT INTO e (a, '?', at, b) VALUES ($1, current_setting('autolab.clock'), $2)`);
    expect(numberPlaceholders('UPDATE t SET x = ?, at = COALESCE(at, ?) WHERE id = ?', new Set([0, 1]))).toBe(`UPDATE t SET x = current_setting('autolab.clock'), at = COALESCE(at, current_setting('autolab.clock')) WHERE id = $1`);
  });
});

describe('parsePostgresUrl', () => {
  it('takes ?schema= for autolab, leaves the rest to pg, and hides the password', () => {
    expect(parsePostgresUrl('postgres://u:s3cret@db:5432/research?schema=golf&sslmode=disable')).toEqual({
      // sslmode as libpq means it (pg's uselibpqcompat): src/store/postgres-connection.ts
      connectionString: 'postgres://u:s3cret@db:5432/research?sslmode=disable&uselibpqcompat=true',
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

  describeStoreProcessContract(
    'PostgresStore (fresh schema)',
    async () => {
      const db = freshPostgresSchema(base);
      return { location: db.url, cleanup: db.drop };
    },
    { processes: 3, trialsEach: 30 },
  );

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

    it('listEvents(afterId) never skips an event that commits after a later one was read', async () => {
      const store = await PostgresStore.open(db.url, { maxConnections: 8 });
      try {
        const { study } = await store.openStudy({ name: 'tail', taskHash: 'h', taskJson: '{}' });
        const writers = Array.from({ length: 6 }, async (_, w) => {
          for (let i = 0; i < 15; i++) await store.appendEvent(study.id, null, 'study.stopped', { reason: `writer ${w} note ${i}` });
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
