/**
 * Applies the numbered migrations to a PostgreSQL schema, safely when several processes
 * start at once (graphile-worker's `migrate.ts` habit): a cheap read first; then, only
 * when something is pending, one transaction that takes a transaction-scoped advisory
 * lock for this schema (others wait on it), creates the schema and the bookkeeping
 * table if absent, re-reads the applied version, and applies every pending migration
 * with its bookkeeping row. PostgreSQL's DDL is transactional: all of it, or none.
 */
import type pg from 'pg';
import { AutolabError } from '../core/errors.ts';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL, migrationSql, type Migration } from './migrations.ts';
import { quoteIdentifier } from './postgres-connection.ts';

/** The first key of autolab's advisory locks on migrations ('au' 'mi' as bytes). */
const MIGRATION_LOCK_CLASS = 0x6175_6d69;

/**
 * The highest applied version in the connection's schema, 0 when the bookkeeping table
 * is absent (`to_regclass` resolves through `search_path`, as the migrations do).
 */
export async function appliedPostgresVersion(client: pg.ClientBase): Promise<number> {
  const table = await client.query<{ present: string | null }>(`SELECT to_regclass('autolab_migrations')::text AS present`);
  if (table.rows[0]?.present == null) return 0;
  const row = await client.query<{ version: unknown }>('SELECT COALESCE(MAX(version), 0) AS version FROM autolab_migrations');
  const version = row.rows[0]?.version;
  if (typeof version !== 'number') throw new AutolabError('StoreError', `autolab_migrations holds a non-numeric version (${String(version)})`);
  return version;
}

function refuseNewerSchema(applied: number, latest: number): void {
  if (applied > latest) {
    throw new AutolabError('StoreError', `The database schema is at version ${applied}, newer than this autolab knows (${latest})`, {
      hint: 'upgrade autolab to the version that last wrote this study database',
    });
  }
}

/**
 * Brings the schema of `client`'s connection to the newest version. `schema` is the
 * schema the connection's `search_path` names (created when absent), or null for the
 * database default. Returns the versions this call applied (empty when current,
 * including when another process migrated first while this one waited for the lock).
 *
 * @example
 * const client = await pool.connect();
 * try { await applyPostgresMigrations(client, 'golf'); } finally { client.release(); }
 */
export async function applyPostgresMigrations(client: pg.ClientBase, schema: string | null, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const before = await appliedPostgresVersion(client);
  refuseNewerSchema(before, latest);
  if (before === latest) return [];

  await client.query('BEGIN');
  try {
    // hashtext gives a stable int4 per schema name; one lock per (database, schema).
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, schema ?? '']);
    if (schema !== null) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query(MIGRATIONS_TABLE_SQL);
    const applied = await appliedPostgresVersion(client);
    refuseNewerSchema(applied, latest);
    const pending = migrations.filter((m) => m.version > applied).sort((a, b) => a.version - b.version);
    for (const migration of pending) {
      try {
        await client.query(migrationSql(migration, 'postgres'));
      } catch (error) {
        throw new AutolabError('StoreError', `Migration ${migration.version} (${migration.name}) failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      await client.query('INSERT INTO autolab_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, new Date().toISOString()]);
    }
    await client.query('COMMIT');
    return pending.map((m) => m.version);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
