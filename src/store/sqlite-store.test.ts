import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.ts';
import { applySqliteMigrations } from './sqlite-migrate.ts';
import { SqliteStore } from './sqlite-store.ts';
import { describeStoreContract } from './store-contract.ts';

const CHILD = fileURLToPath(new URL('./testing/concurrent-child.ts', import.meta.url));

describeStoreContract('SqliteStore (temp file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autolab-store-'));
  const store = await SqliteStore.open(join(dir, 'study.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

interface ChildResult {
  ok: boolean;
  ids?: number[];
  error?: string;
  stderr: string;
}

function runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CHILD, ...args], { timeout: 45_000 }, (error, stdout, stderr) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve({ ...(JSON.parse(line) as { ok: boolean }), stderr });
      } catch {
        resolve({ ok: false, error: `no result line (${error?.message ?? 'exit 0'})`, stderr });
      }
    });
  });
}

/** Runs `count` children with `args(barrierDir)`; says go once all are ready, so they race. */
async function raceChildren(dir: string, count: number, args: (barrierDir: string) => string[]): Promise<ChildResult[]> {
  const barrierDir = join(dir, 'barrier');
  await mkdir(barrierDir, { recursive: true });
  const children = Array.from({ length: count }, () => runChild(args(barrierDir)));
  let settled = false;
  void Promise.all(children).then(() => (settled = true));
  const deadline = Date.now() + 40_000;
  while (!settled && Date.now() < deadline && (await readdir(barrierDir)).filter((f) => f.startsWith('ready-')).length < count) await sleep(10);
  await writeFile(join(barrierDir, 'go'), '');
  return Promise.all(children);
}

describe('SqliteStore on one file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-sqlite-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('four processes creating and finishing 50 trials each get ids 1..200, and every crowning beat the incumbent of its instant', async () => {
    const file = join(dir, 'study.db');
    const setup = await SqliteStore.open(file);
    const { study } = await setup.openStudy({ name: 'race', taskHash: 'h', taskJson: '{}' });
    await setup.createTrial(study.id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null });
    await setup.finishTrial(study.id, 0, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 1 }, score: 1, timings: {}, logExcerpt: '' }, () => true);
    await setup.close();

    const results = await raceChildren(dir, 4, (barrierDir) => ['trials', file, barrierDir, '50', 'race']);
    for (const result of results) expect(result, result.stderr).toMatchObject({ ok: true });
    const ids = results.flatMap((r) => r.ids ?? []);
    expect(new Set(ids).size).toBe(200);
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(results.every((r) => r.ids!.length === 50)).toBe(true);

    const store = await SqliteStore.open(file);
    try {
      expect(await store.countTrials(study.id, { status: ['kept', 'discarded'] })).toBe(201);
      // Replaying the audit log in commit order: each kept score is lower than every earlier kept one.
      const finished = (await store.listEvents(study.id)).filter((e) => e.type === 'trial.finished' && e.data.status === 'kept');
      const keptScores = finished.map((e) => e.data.score as number);
      for (let i = 1; i < keptScores.length; i++) expect(keptScores[i]).toBeLessThan(keptScores[i - 1]!);
      const incumbent = await store.getIncumbent(study.id);
      expect(incumbent!.id).toBe(finished.at(-1)!.trialId);
      const best = Math.min(...(await store.listTrials(study.id)).map((t) => t.score ?? Infinity));
      expect(incumbent!.score).toBe(best);
    } finally {
      await store.close();
    }
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
