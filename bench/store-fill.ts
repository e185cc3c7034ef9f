/**
 * bench:store's quick way to a large study: the trials recorded the engine's way so far
 * (rows, metrics, costs, events) copied in SQL under new numbers until the study has the
 * size to measure, so figures at 100,000 trials take minutes, not hours, on PostgreSQL.
 * Each copy is a trial as the engine wrote it (same columns, same sizes, parents shifted
 * with it, a tree of its own); the recording rate at each size is still measured on
 * trials recorded the engine's way after the fill. Not for tests: a bench helper.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { parsePostgresUrl } from '../src/store/postgres-connection.ts';

const TRIAL_COLUMNS = [
  'study_id', 'id', 'specialist', 'parent', 'hypothesis', 'notes', 'expected_delta', 'status', 'label', 'label_detail', 'commit_sha', 'tree',
  'diff', 'metrics_json', 'score', 'seed', 'timings_json', 'cost_json', 'log_excerpt', 'edit_json', 'owner_json', 'created_at', 'started_at',
  'finished_at', 'heartbeat_at', 'kept_at', 'repeats_json', 'curve_json', 'failure_json',
] as const;

/** The statements that copy trials `from..to` to `from + shift..to + shift` (parameters: shift, study, from, to; in order). */
function copyStatements(): Array<{ sql: string; params: (shift: number, study: number, from: number, to: number) => unknown[] }> {
  const shifted = TRIAL_COLUMNS.map((column) => {
    if (column === 'id') return 'id + ?';
    if (column === 'parent') return 'CASE WHEN parent IS NULL OR parent = 0 THEN parent ELSE parent + ? END';
    if (column === 'tree') return "CASE WHEN tree IS NULL THEN NULL ELSE tree || ':' || CAST(id + CAST(? AS INTEGER) AS TEXT) END";
    return column;
  });
  return [
    {
      sql: `INSERT INTO trials (${TRIAL_COLUMNS.join(', ')}) SELECT ${shifted.join(', ')} FROM trials WHERE study_id = ? AND id BETWEEN ? AND ? ORDER BY id`,
      params: (shift, study, from, to) => [shift, shift, shift, study, from, to],
    },
    {
      sql: 'INSERT INTO metrics (study_id, trial_id, name, value, step) SELECT study_id, trial_id + ?, name, value, step FROM metrics WHERE study_id = ? AND trial_id BETWEEN ? AND ?',
      params: (shift, study, from, to) => [shift, study, from, to],
    },
    {
      sql: 'INSERT INTO costs (study_id, trial_id, specialist, usd, input_tokens, output_tokens, cached_tokens, at) SELECT study_id, trial_id + ?, specialist, usd, input_tokens, output_tokens, cached_tokens, at FROM costs WHERE study_id = ? AND trial_id BETWEEN ? AND ?',
      params: (shift, study, from, to) => [shift, study, from, to],
    },
    {
      sql: 'INSERT INTO events (study_id, trial_id, at, type, data_json) SELECT study_id, trial_id + ?, at, type, data_json FROM events WHERE study_id = ? AND trial_id BETWEEN ? AND ? ORDER BY id',
      params: (shift, study, from, to) => [shift, study, from, to],
    },
  ];
}

/** Runs one SQL text with `?` placeholders. */
type Run = (sql: string, params: unknown[]) => Promise<void>;

async function fill(run: Run, studyId: number, template: { from: number; to: number }, lastId: number, size: number): Promise<number> {
  const statements = copyStatements();
  let last = lastId;
  while (last < size) {
    const count = Math.min(template.to - template.from + 1, size - last);
    const shift = last + 1 - template.from;
    for (const statement of statements) await run(statement.sql, statement.params(shift, studyId, template.from, template.from + count - 1));
    last += count;
  }
  return last;
}

/**
 * Copies trials `template.from..template.to` of study `studyId` after `lastId` until the
 * study's last trial is `size`; returns the new last id. `location`: the SQLite file or
 * the postgres:// URL (with `?schema=`) of the store.
 *
 * @example
 * const last = await fillStudy(join(dir, 'bench.db'), study.id, { from: 1, to: 10_000 }, 10_000, 100_000);
 */
export async function fillStudy(location: string, studyId: number, template: { from: number; to: number }, lastId: number, size: number): Promise<number> {
  if (!location.startsWith('postgres')) {
    const db = new Database(location);
    try {
      db.pragma('busy_timeout = 60000');
      db.exec('BEGIN IMMEDIATE');
      const last = await fill(async (sql, params) => void db.prepare(sql).run(...params), studyId, template, lastId, size);
      db.exec('COMMIT');
      return last;
    } finally {
      db.close();
    }
  }
  const { connectionString, schema } = parsePostgresUrl(location);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    if (schema !== null) await client.query(`SET search_path TO "${schema}"`);
    await client.query('BEGIN');
    const numbered = (sql: string) => {
      let n = 0;
      return sql.replace(/\?/g, () => `$${++n}`);
    };
    const last = await fill(async (sql, params) => void (await client.query(numbered(sql), params)), studyId, template, lastId, size);
    await client.query('COMMIT');
    await client.query('ANALYZE trials, metrics, costs, events');
    return last;
  } finally {
    await client.end();
  }
}
