/**
 * Applies the numbered migrations to a SQLite database, safely when several processes
 * open the same file at once (graphile-worker's habit): a cheap read first, then, only
 * when something is pending, `BEGIN IMMEDIATE` (one writer at a time; others wait on
 * the busy timeout), the applied version re-read inside that transaction, and every
 * pending migration applied together with its bookkeeping row, or none at all.
 */
import type Database from 'better-sqlite3';
import { AutolabError } from '../core/errors.ts';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL, migrationSql, type Migration } from './migrations.ts';

/** The highest applied migration version, 0 on a fresh database. */
export function appliedSqliteVersion(db: Database.Database): number {
  const table = db.prepare(`SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'autolab_migrations'`).get();
  if (table === undefined) return 0;
  const row = db.prepare('SELECT COALESCE(MAX(version), 0) AS version FROM autolab_migrations').get() as { version: unknown };
  if (typeof row.version !== 'number') {
    throw new AutolabError('StoreError', `autolab_migrations holds a non-numeric version (${String(row.version)})`);
  }
  return row.version;
}

function refuseNewerSchema(applied: number, latest: number): void {
  if (applied > latest) {
    throw new AutolabError(
      'StoreError',
      `The database schema is at version ${applied}, newer than this autolab knows (${latest})`,
      { hint: 'upgrade autolab to the version that last wrote this study database' },
    );
  }
}

/**
 * Brings `db` to the newest schema. Returns the versions this call applied (empty when
 * the schema was already current, including when another process migrated first).
 *
 * @example
 * const applied = applySqliteMigrations(db); // [1] on a fresh file, [] afterwards
 */
export function applySqliteMigrations(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const before = appliedSqliteVersion(db);
  refuseNewerSchema(before, latest);
  if (before === latest) return [];

  const migrate = db.transaction((): number[] => {
    db.exec(MIGRATIONS_TABLE_SQL);
    const applied = appliedSqliteVersion(db);
    refuseNewerSchema(applied, latest);
    const pending = migrations.filter((m) => m.version > applied).sort((a, b) => a.version - b.version);
    const record = db.prepare('INSERT INTO autolab_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of pending) {
      try {
        db.exec(migrationSql(migration, 'sqlite'));
      } catch (error) {
        throw new AutolabError(
          'StoreError',
          `Migration ${migration.version} (${migration.name}) failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      record.run(migration.version, migration.name, new Date().toISOString());
    }
    return pending.map((m) => m.version);
  });
  return migrate.immediate();
}
