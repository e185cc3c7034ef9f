import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.ts';
import { applySqliteMigrations } from './sqlite-migrate.ts';
import { SqliteStore } from './sqlite-store.ts';
import { describeStoreContract } from '../testing/store-contract.ts';
import { sqliteStoreFactory } from '../testing/store-factory.ts';
import { describeStoreProcessContract, raceChildren } from '../testing/store-process-contract.ts';

describeStoreContract('SqliteStore (temp file)', sqliteStoreFactory('autolab-store-'));

describeStoreProcessContract(
  'SqliteStore (one file)',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autolab-store-'));
    return { location: join(dir, 'study.db'), cleanup: () => rm(dir, { recursive: true, force: true }) };
  },
  { processes: 4, trialsEach: 50 },
);

describe('SqliteStore on one file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-sqlite-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('three processes opening (migrating) a fresh file at once all succeed', async () => {
    const file = join(dir, 'fresh', 'study.db');
    const results = await raceChildren(dir, 3, (barrierDir) => ['migrate', file, barrierDir]);
    for (const result of results) expect(result, result.stderr).toMatchObject({ ok: true });
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT version, name FROM autolab_migrations ORDER BY version').all()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('creates the parent folder, migrates once, and reopens without migrating again', async () => {
    const file = join(dir, 'a', 'b', 'study.db');
    const first = await SqliteStore.open(file);
    await first.migrate();
    await first.close();
    const second = await SqliteStore.open(file);
    await second.close();
    expect(existsSync(file)).toBe(true);
    const db = new Database(file);
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM autolab_migrations').get()).toEqual({ n: MIGRATIONS.length });
      expect(applySqliteMigrations(db)).toEqual([]);
      const next = { version: LATEST_SCHEMA_VERSION + 1, name: 'test_extra', up: 'CREATE TABLE extra (x TEXT)' };
      expect(applySqliteMigrations(db, [...MIGRATIONS, next])).toEqual([next.version]);
      expect(applySqliteMigrations(db, [...MIGRATIONS, next])).toEqual([]);
    } finally {
      db.close();
    }
    // The file is now newer than this code knows: refuse it rather than guess.
    await expect(SqliteStore.open(file)).rejects.toMatchObject({ name: 'StoreError', message: expect.stringMatching(/newer/) });
  });

  it('rolls a failing migration back entirely', async () => {
    const db = new Database(join(dir, 'broken.db'));
    try {
      const broken = { version: 1, name: 'broken', up: 'CREATE TABLE ok_table (x TEXT); CREATE TABLE ok_table (x TEXT);' };
      expect(() => applySqliteMigrations(db, [broken])).toThrow(/Migration 1 \(broken\) failed/);
      expect(db.prepare(`SELECT name FROM sqlite_master WHERE name IN ('ok_table', 'autolab_migrations')`).all()).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('rejects a hand-corrupted row at the boundary with a StoreError', async () => {
    const file = join(dir, 'study.db');
    const store = await SqliteStore.open(file);
    try {
      const { study } = await store.openStudy({ name: 's', taskHash: 'h', taskJson: '{}' });
      await store.createTrial(study.id, { specialist: 'x', parent: null, hypothesis: 'h', seed: 1, edit: null, owner: null });
      const raw = new Database(file);
      raw.prepare(`UPDATE trials SET metrics_json = '{"loss":"low"}' WHERE id = 1`).run();
      raw.close();
      await expect(store.getTrial(study.id, 1)).rejects.toMatchObject({ name: 'StoreError', message: expect.stringMatching(/trial 1 .*metrics_json/) });
    } finally {
      await store.close();
    }
  });

  it('refuses calls on a closed store with a StoreError', async () => {
    const store = await SqliteStore.open(join(dir, 'study.db'));
    await store.close();
    await store.close();
    await expect(store.listStudies()).rejects.toMatchObject({ name: 'StoreError', message: expect.stringMatching(/closed/) });
  });
});
