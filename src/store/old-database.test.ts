/**
 * A study database written before the shared query layer (and at schema version 1, the
 * first release) opens and works: rows inserted with the SQL and the values the earlier
 * adapters wrote (JavaScript-clock timestamps on SQLite, no repeats or curve columns),
 * then opened by today's store, which migrates it and reads, writes and queues on it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Store } from '../core/store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../testing/postgres.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.ts';
import { applyPostgresMigrations } from './postgres-migrate.ts';
import { numberPlaceholders, PostgresStore } from './postgres-store.ts';
import { applySqliteMigrations } from './sqlite-migrate.ts';
import { SqliteStore } from './sqlite-store.ts';

const server = postgresTestUrl();
const T0 = '2025-06-01T10:00:00.000Z';
const T1 = '2025-06-01T10:05:00.000Z';
const PATCH = '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-1\n+2\n';

const OLD_TRACEBACK = [
  'vocab size 65',
  'Traceback (most recent call last):',
  '  File "/home/u/.autolab/worktrees/t3/train.py", line 12, in <module>',
  '    model = Model(d_model, n_heads)',
  '  File "/home/u/.autolab/worktrees/t3/model.py", line 66, in __init__',
  '    assert d_model % n_heads == 0',
  'AssertionError',
].join('\n');

/** The rows of a small study as autolab 0.1 recorded them: a kept baseline, a discarded trial, a queued trial. */
const OLD_ROWS: Array<[string, unknown[]]> = [
  ['INSERT INTO studies (name, task_hash, task_json, baseline_commit, elapsed_ms, created_at) VALUES (?, ?, ?, ?, ?, ?)', ['old', 'h1', '{"name":"old"}', 'b0', 1200, T0]],
  [
    `INSERT INTO trials (study_id, id, specialist, parent, hypothesis, notes, expected_delta, status, label, label_detail, commit_sha, tree, diff, metrics_json, score, seed, timings_json, cost_json, log_excerpt, edit_json, owner_json, created_at, started_at, finished_at, heartbeat_at, kept_at)
     VALUES (1, 0, 'baseline', NULL, 'baseline', '', NULL, 'kept', NULL, NULL, 'c0', 't0', NULL, '{"val_loss":2}', 2, 0, '{"totalMs":10}', NULL, 'ok', NULL, NULL, ?, ?, ?, NULL, ?)`,
    [T0, T0, T0, T0],
  ],
  [
    `INSERT INTO trials (study_id, id, specialist, parent, hypothesis, notes, expected_delta, status, label, label_detail, commit_sha, tree, diff, metrics_json, score, seed, timings_json, cost_json, log_excerpt, edit_json, owner_json, created_at, started_at, finished_at, heartbeat_at, kept_at)
     VALUES (1, 1, 'knobs', 0, 'lower lr', 'n', -0.1, 'discarded', NULL, NULL, 'c1', 't1', ?, '{"val_loss":2.5}', 2.5, 7, '{"runMs":5}', '{"usd":0.5,"inputTokens":10,"outputTokens":2,"cachedTokens":0}', 'ok', ?, '{"host":"h","pid":1,"token":"t"}', ?, ?, ?, ?, NULL)`,
    [PATCH, JSON.stringify({ kind: 'patch', patch: PATCH }), T0, T0, T1, T1],
  ],
  [
    `INSERT INTO trials (study_id, id, specialist, parent, hypothesis, notes, expected_delta, status, seed, cost_json, edit_json, owner_json, created_at)
     VALUES (1, 2, 'llm', 0, 'queued', '', NULL, 'pending', 8, NULL, NULL, NULL, ?)`,
    [T1],
  ],
  [
    `INSERT INTO trials (study_id, id, specialist, parent, hypothesis, notes, expected_delta, status, label, label_detail, commit_sha, tree, diff, metrics_json, score, seed, timings_json, cost_json, log_excerpt, edit_json, owner_json, created_at, started_at, finished_at, heartbeat_at, kept_at)
     VALUES (1, 3, 'knobs', 0, 'more heads', '', NULL, 'failed', 'crash', ?, 'c3', 't3', NULL, '{}', NULL, 9, '{}', NULL, ?, NULL, NULL, ?, ?, ?, NULL, NULL)`,
    ['exited with code 1\nvocab size 65', OLD_TRACEBACK, T1, T1, T1],
  ],
  ["INSERT INTO metrics (study_id, trial_id, name, value, step) VALUES (1, 0, 'val_loss', 2, NULL), (1, 1, 'val_loss', 2.5, NULL)", []],
  ["INSERT INTO costs (study_id, trial_id, specialist, usd, input_tokens, output_tokens, cached_tokens, at) VALUES (1, 1, 'knobs', 0.5, 10, 2, 0, ?)", [T0]],
  [
    `INSERT INTO events (study_id, trial_id, at, type, data_json) VALUES (1, NULL, ?, 'study.created', '{"name":"old","taskHash":"h1"}'), (1, 0, ?, 'trial.created', '{"specialist":"baseline","parent":null}'),
       (1, 0, ?, 'trial.finished', '{"status":"kept","label":null,"score":2}'), (1, 1, ?, 'trial.created', '{"specialist":"knobs","parent":0}'),
       (1, 1, ?, 'trial.finished', '{"status":"discarded","label":null,"score":2.5}'), (1, 2, ?, 'trial.created', '{"specialist":"llm","parent":0}'),
       (1, NULL, ?, 'budget_extended', '{"trials":5}')`,
    [T0, T0, T0, T0, T1, T1, T1],
  ],
];

/** What today's store must read from, and do on, the old study. */
async function expectOldStudyWorks(store: Store): Promise<void> {
  const study = (await store.getStudy('old'))!;
  expect(study).toMatchObject({ id: 1, name: 'old', taskHash: 'h1', baselineCommit: 'b0', elapsedMs: 1200, createdAt: T0 });
  const trials = await store.listTrials(study.id);
  expect(trials.map((t) => [t.id, t.status])).toEqual([
    [0, 'kept'],
    [1, 'discarded'],
    [2, 'pending'],
    [3, 'failed'],
  ]);
  // A failed trial recorded before signatures were stored reads back with one derived from its excerpt.
  expect(trials[3]!.failure).toEqual({
    signature: 'crash AssertionError at model.py: assert d_model % n_heads == <n>',
    summary: 'crash AssertionError at model.py:66 assert d_model % n_heads == 0',
    frame: { file: 'model.py', line: 66, source: 'assert d_model % n_heads == 0' },
  });
  expect(trials[0]!.failure).toBeNull();
  expect(trials[1]).toMatchObject({
    parent: 0, notes: 'n', expectedDelta: -0.1, metrics: { val_loss: 2.5 }, score: 2.5, timings: { runMs: 5 }, repeats: [], curve: [],
    cost: { usd: 0.5, inputTokens: 10, outputTokens: 2, cachedTokens: 0 }, edit: { kind: 'patch', patch: PATCH }, owner: { host: 'h', pid: 1, token: 't' },
  });
  expect((await store.getIncumbent(study.id))!.id).toBe(0);
  const worker = { host: 'w', pid: 2, token: 'w2' };
  expect((await store.claimTrial!(study.id, worker, 60_000))!.id).toBe(2);
  expect(await store.renewLease!(study.id, [2], worker)).toEqual([2]);
  const kept = await store.finishTrial(study.id, 2, { status: 'scored', label: null, labelDetail: null, metrics: { val_loss: 1.5 }, score: 1.5, timings: {}, logExcerpt: '' }, (c, i) => c.score < (i?.score ?? Infinity));
  expect(kept.status).toBe('kept');
  expect((await store.getIncumbent(study.id))!.id).toBe(2); // kept after the old incumbent's kept_at
  expect((await store.createTrial(study.id, { specialist: 'knobs', parent: 2, hypothesis: 'next', seed: 9, edit: null, owner: null })).id).toBe(4);
  const events = await store.listEvents(study.id);
  expect(events.map((e) => e.type).slice(7)).toEqual(['trial.claimed', 'trial.finished', 'trial.created']);
  // Every old line is in today's vocabulary; the old name of a budget extension reads as its new one.
  expect(events.filter((e) => e.type === 'unrecognised')).toEqual([]);
  expect(events[6]).toMatchObject({ type: 'study.budget_extended', trialId: null, data: { trials: 5 } });
  expect(events[3]).toMatchObject({ type: 'trial.created', trialId: 1, data: { specialist: 'knobs', parent: 0 } });
  for (let i = 1; i < events.length; i++) expect(events[i]!.id).toBeGreaterThan(events[i - 1]!.id);
}

describe('a database written by earlier autolab versions', () => {
  it('SQLite: a version 1 file opens, migrates and works', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autolab-old-'));
    const file = join(dir, 'study.db');
    try {
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      expect(applySqliteMigrations(db, [MIGRATIONS[0]!])).toEqual([1]);
      for (const [sql, params] of OLD_ROWS) db.prepare(sql).run(...params);
      db.close();
      const store = await SqliteStore.open(file);
      try {
        await expectOldStudyWorks(store);
      } finally {
        await store.close();
      }
      const after = new Database(file, { readonly: true });
      expect(after.prepare('SELECT MAX(version) AS v FROM autolab_migrations').get()).toEqual({ v: LATEST_SCHEMA_VERSION });
      after.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(server.url === null)('PostgreSQL: a version 1 schema opens, migrates and works', async () => {
    const db = freshPostgresSchema(server.url!);
    const pool = new pg.Pool({ connectionString: server.url!, max: 1, options: `-c search_path=${db.schema}` });
    try {
      const client = await pool.connect();
      try {
        expect(await applyPostgresMigrations(client, db.schema, [MIGRATIONS[0]!])).toEqual([1]);
        for (const [sql, params] of OLD_ROWS) await client.query(numberPlaceholders(sql), params);
      } finally {
        client.release();
      }
      const store = await PostgresStore.open(db.url, { maxConnections: 2 });
      try {
        await expectOldStudyWorks(store);
      } finally {
        await store.close();
      }
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
