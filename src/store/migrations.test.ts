import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrationSql } from './migrations.ts';
import { applySqliteMigrations } from './sqlite-migrate.ts';

describe('migrations', () => {
  it('are numbered 1..n without gaps, with unique snake_case names', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(MIGRATIONS.length);
    for (const m of MIGRATIONS) expect(m.name).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it('keep the numbers each branch was given (3 failure signatures, 4 fidelity levels)', () => {
    expect(MIGRATIONS.slice(0, 4).map((m) => [m.version, m.name])).toEqual([
      [1, expect.any(String)],
      [2, 'trial_repeats_and_curves'],
      [3, 'trial_failure_signature'],
      [4, 'trial_fidelity_levels'],
    ]);
  });

  it('keep dialect-specific syntax in its own dialect', () => {
    for (const m of MIGRATIONS) {
      expect(migrationSql(m, 'postgres')).not.toMatch(/AUTOINCREMENT|\bREAL\b/i);
      expect(migrationSql(m, 'sqlite')).not.toMatch(/IDENTITY|SERIAL|\bREAL\b/i);
    }
  });

  it('build the tables and indexes the store queries', () => {
    const db = new Database(':memory:');
    try {
      expect(applySqliteMigrations(db)).toEqual(MIGRATIONS.map((m) => m.version));
      const names = (type: string) =>
        (db.prepare(`SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name`).all(type) as { name: string }[]).map((r) => r.name);
      expect(names('table')).toEqual(['autolab_migrations', 'costs', 'events', 'knob_observations', 'metrics', 'sessions', 'studies', 'study_notes', 'technique_cards', 'trial_levels', 'trials']);
      expect(names('index')).toEqual(expect.arrayContaining(['trials_by_status', 'trials_by_specialist', 'trials_kept', 'events_by_study', 'metrics_by_trial', 'costs_by_trial']));
      const columns = (db.prepare(`SELECT name FROM pragma_table_info('trials')`).all() as { name: string }[]).map((r) => r.name);
      expect(columns).toEqual([
        'study_id', 'id', 'specialist', 'parent', 'hypothesis', 'notes', 'expected_delta', 'status', 'label', 'label_detail',
        'commit_sha', 'tree', 'diff', 'metrics_json', 'score', 'seed', 'timings_json', 'cost_json', 'log_excerpt', 'edit_json',
        'owner_json', 'created_at', 'started_at', 'finished_at', 'heartbeat_at', 'kept_at', 'repeats_json', 'curve_json', 'failure_json',
      ]);
      const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM trials WHERE study_id = 1 AND status = 'kept' ORDER BY kept_at DESC, id DESC LIMIT 1`).all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX/);
    } finally {
      db.close();
    }
  });
});
