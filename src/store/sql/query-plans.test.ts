/**
 * The indexes, proven by EXPLAIN: every statement the read operations run (captured
 * as they run, not copied here) is planned on both databases without a full scan of
 * `trials`, `events` or `metrics`. On PostgreSQL sequential scans are switched off for
 * the check, so a plan that still scans means no index can serve the statement.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresSchema, postgresTestUrl } from '../../testing/postgres.ts';
import { numberPlaceholders, POSTGRES_DIALECT, PostgresStore } from '../postgres-store.ts';
import { SQLITE_DIALECT, SqliteStore } from '../sqlite-store.ts';
import type { Dialect } from './dialect.ts';
import type { SqlSession } from './driver.ts';
import { listEvents } from './events.ts';
import { countTrials, getIncumbent, getTrial, INCUMBENT_SQL, listAncestors, listTrialDiffs, listTrials, requireUnfinishedTrialStateAndIncumbent, STATE_AND_INCUMBENT_SQL } from './read-trials.ts';

/** Runs the read operations over `session`, as the store would. */
async function runReads(session: SqlSession): Promise<void> {
  await listTrials(session, 1, {});
  await listTrials(session, 1, { afterId: 3, limit: 2 });
  await listTrials(session, 1, { descending: true, limit: 5 });
  await listTrials(session, 1, { status: ['kept', 'discarded'] });
  await listTrials(session, 1, { status: ['pending', 'running'] });
  await listTrials(session, 1, { specialist: 'a', descending: true, limit: 3 });
  await listTrials(session, 1, { ids: [1, 2, 5] });
  await listTrials(session, 1, { tree: 'tree-1' });
  await countTrials(session, 1, { status: ['failed'] });
  await getTrial(session, 1, 3);
  await getIncumbent(session, 1);
  // Recording an outcome reads the trial and the incumbent in one statement (trial 3 is finished here: it throws after the read).
  await requireUnfinishedTrialStateAndIncumbent(session, 1, 3).catch(() => undefined);
  await listAncestors(session, 1, 6);
  await listEvents(session, 1, { afterId: 4, limit: 10 });
  // The dashboard's light snapshot: light pages of trials, one trial's events, the slots' events, the last event.
  await listTrials(session, 1, { afterId: 2, limit: 5000, light: true });
  await listTrials(session, 1, { ids: [2, 4], light: true });
  await listTrialDiffs(session, 1, [6, 2, 4]); // the diff between two trials: the stored diffs of the steps shown
  await listEvents(session, 1, { trialId: 3, afterId: -1 });
  await listEvents(session, 1, { afterId: -1, limit: 20_000, types: ['trial.started'] });
  await listEvents(session, 1, { descending: true, limit: 1 });
}

/** Captures each statement a session runs (it still runs, through `run`). */
function capturing(dialect: Dialect, run: (sql: string, params: readonly unknown[]) => Promise<unknown[]>, seen: Array<{ sql: string; params: readonly unknown[] }>): SqlSession {
  return { dialect, all: async (sql, params = []) => (seen.push({ sql, params }), run(sql, params)) };
}

async function seed(store: SqliteStore | PostgresStore): Promise<void> {
  const { study } = await store.openStudy({ name: 'plans', taskHash: 'h', taskJson: '{}' });
  await store.createTrial(study.id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'b', seed: 0, edit: null, owner: null });
  await store.finishTrial(study.id, 0, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 1 }, score: 1, timings: {}, logExcerpt: '' }, () => true);
  for (let i = 1; i <= 8; i++) {
    const trial = await store.createTrial(study.id, { specialist: i % 2 ? 'a' : 'b', parent: i - 1, hypothesis: `h${i}`, seed: i, edit: null, owner: null });
    await store.updateTrial(study.id, trial.id, { status: 'running', tree: `tree-${i % 3}` });
    await store.finishTrial(study.id, trial.id, { status: 'scored', label: null, labelDetail: null, metrics: { loss: 1 - i / 10 }, score: 1 - i / 10, timings: {}, logExcerpt: '' }, () => i % 2 === 0);
  }
}

const FULL_SCAN_SQLITE = /^SCAN (trials|events|metrics|t|k)\b/;

describe('query plans on SQLite', () => {
  let dir: string;
  let db: Database.Database;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-plans-'));
    const store = await SqliteStore.open(join(dir, 'plans.db'));
    await seed(store);
    await store.close();
    db = new Database(join(dir, 'plans.db'));
  });
  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('plans every read statement on an index (no full scan of a table)', async () => {
    const seen: Array<{ sql: string; params: readonly unknown[] }> = [];
    await runReads(capturing(SQLITE_DIALECT, async (sql, params) => db.prepare(sql).all(...params), seen));
    expect(seen.length).toBeGreaterThanOrEqual(13);
    for (const { sql, params } of seen) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((row) => row.detail);
      expect(plan.filter((line) => FULL_SCAN_SQLITE.test(line)), `${sql}\n${plan.join('\n')}`).toEqual([]);
      expect(plan.some((line) => /USING (COVERING )?INDEX|USING (INTEGER )?PRIMARY KEY/.test(line)), `${sql}\n${plan.join('\n')}`).toBe(true);
    }
  });

  it('reads the incumbent from the end of the kept-trials index (no sort of every kept trial)', () => {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${INCUMBENT_SQL}`).all(1) as Array<{ detail: string }>).map((row) => row.detail);
    expect(plan.join('\n')).toMatch(/USING INDEX trials_kept/);
    expect(plan.filter((line) => /TEMP B-TREE/.test(line))).toEqual([]);
    // And so does the statement that records an outcome.
    const recording = (db.prepare(`EXPLAIN QUERY PLAN ${STATE_AND_INCUMBENT_SQL}`).all(1, 3, 1) as Array<{ detail: string }>).map((row) => row.detail);
    expect(recording.join('\n')).toMatch(/USING INDEX trials_kept/);
    expect(recording.filter((line) => /TEMP B-TREE/.test(line))).toEqual([]);
  });
});

const server = postgresTestUrl();
describe.skipIf(server.url === null)('query plans on PostgreSQL', () => {
  let schema: ReturnType<typeof freshPostgresSchema>;
  let client: pg.Client;
  beforeAll(async () => {
    schema = freshPostgresSchema(server.url!, 'autolab_plans');
    const store = await PostgresStore.open(schema.url, { maxConnections: 2 });
    await seed(store);
    await store.close();
    const types = new pg.TypeOverrides();
    types.setTypeParser(pg.types.builtins.INT8, Number);
    client = new pg.Client({ connectionString: server.url!, types });
    await client.connect();
    await client.query(`SET search_path TO ${schema.schema}`);
    await client.query('SET enable_seqscan = off');
  });
  afterAll(async () => {
    await client?.end();
    await schema?.drop();
  });

  it('plans every read statement on an index (no sequential scan, even when it is the only way)', async () => {
    const seen: Array<{ sql: string; params: readonly unknown[] }> = [];
    await runReads(capturing(POSTGRES_DIALECT, async (sql, params) => (await client.query(numberPlaceholders(sql), params as unknown[])).rows, seen));
    expect(seen.length).toBeGreaterThanOrEqual(13);
    for (const { sql, params } of seen) {
      const plan = (await client.query(`EXPLAIN ${numberPlaceholders(sql)}`, params as unknown[])).rows.map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']);
      expect(plan.filter((line) => /Seq Scan on (trials|events|metrics)\b/.test(line)), `${sql}\n${plan.join('\n')}`).toEqual([]);
    }
  });

  it('reads the incumbent from the end of the kept-trials index (no sort of every kept trial)', async () => {
    const plan = (await client.query(`EXPLAIN ${numberPlaceholders(INCUMBENT_SQL)}`, [1])).rows.map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']);
    expect(plan.join('\n')).toMatch(/Index Scan Backward using trials_kept/);
    expect(plan.filter((line) => /\bSort\b/.test(line))).toEqual([]);
    const recording = (await client.query(`EXPLAIN ${numberPlaceholders(STATE_AND_INCUMBENT_SQL)}`, [1, 3, 1])).rows.map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']);
    expect(recording.join('\n')).toMatch(/Index Scan Backward using trials_kept/);
    expect(recording.filter((line) => /\bSort\b/.test(line))).toEqual([]);
  });
});
