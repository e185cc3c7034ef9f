/**
 * PostgreSQL for tests and benchmarks: the server named by `AUTOLAB_TEST_PG_URL`
 * (`.ci/services/postgres.sh` starts one and exports it), and a fresh schema per test
 * so that tests running at once never see each other's rows.
 *
 * In CI (`CI=true`) a missing `AUTOLAB_TEST_PG_URL` is an error, never a skip.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test server's URL, or null (with the reason) outside CI when none is configured. */
export function postgresTestUrl(): { url: string; reason: null } | { url: null; reason: string } {
  const url = process.env.AUTOLAB_TEST_PG_URL;
  if (url !== undefined && url.trim() !== '') return { url: url.trim(), reason: null };
  if (process.env.CI === 'true') {
    throw new Error('AUTOLAB_TEST_PG_URL is not set but CI=true: PostgreSQL tests must run in CI (source .ci/services/postgres.sh before the tests)');
  }
  return { url: null, reason: 'PostgreSQL tests skipped: set AUTOLAB_TEST_PG_URL (e.g. source .ci/services/postgres.sh as root)' };
}

/** `base` with `?schema=name` set. */
export function withSchema(base: string, schema: string): string {
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return url.href;
}

/**
 * A new, unused schema name on the test server, its store URL, and how to drop it (with
 * everything in it). The schema itself is created by the store's migration.
 *
 * @example
 * const db = freshPostgresSchema(url);
 * const store = await PostgresStore.open(db.url);
 * ...; await store.close(); await db.drop();
 */
export function freshPostgresSchema(base: string, prefix = 'autolab_test'): { url: string; schema: string; drop: () => Promise<void> } {
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    url: withSchema(base, schema),
    schema,
    drop: async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
