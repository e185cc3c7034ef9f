import { describe, expect, it } from 'vitest';
import { AutolabError } from '../core/errors.ts';
import { postgresTestUrl, withSchema } from '../testing/postgres.ts';
import { createPostgresPool, parsePostgresUrl } from './postgres-connection.ts';
import { PostgresStore } from './postgres-store.ts';

function refusal(url: string): AutolabError {
  try {
    parsePostgresUrl(url);
  } catch (error) {
    if (AutolabError.is(error)) return error;
    throw error;
  }
  throw new Error(`${url} was accepted`);
}

describe('the TLS settings of a store URL', () => {
  it('read sslmode as libpq does (no warning, require is not verify-full)', () => {
    const location = parsePostgresUrl('postgres://u:secret@db:5432/research?sslmode=require&schema=golf');
    expect(new URL(location.connectionString).searchParams.get('uselibpqcompat')).toBe('true');
    expect(location.display).toBe('postgres://u:***@db:5432/research?sslmode=require&schema=golf');
    expect(new URL(parsePostgresUrl('postgres://u:p@db/r').connectionString).searchParams.has('uselibpqcompat')).toBe(false);
  });

  it('refuse an unknown mode, verify-ca without its CA, and certificate files that cannot be read, with what to do', () => {
    expect(refusal('postgres://u:p@db/r?sslmode=required').message).toContain('sslmode=required');
    expect(refusal('postgres://u:p@db/r?sslmode=required').hint).toContain('verify-full');
    expect(refusal('postgres://u:p@db/r?sslmode=verify-ca').hint).toContain('sslrootcert=');
    const missing = refusal('postgres://u:secret@db/r?sslmode=verify-full&sslrootcert=/nonexistent/root.crt');
    expect(missing.message).toContain('sslrootcert=/nonexistent/root.crt');
    expect(missing.message).not.toContain('secret');
  });
});

const server = postgresTestUrl();
describe.skipIf(server.url === null)('a store URL without the password the server asks for', () => {
  it('says so, and where the password goes', async () => {
    const url = new URL(server.url!);
    url.password = '';
    const error = await PostgresStore.open(url.href).then(
      async (store) => {
        await store.close();
        return null;
      },
      (caught: unknown) => caught,
    );
    expect(error, 'the test server (.ci/services/postgres.sh) asks for a password').not.toBeNull();
    expect(AutolabError.is(error)).toBe(true);
    expect((error as AutolabError).message).toContain('the server asks for a password and the store URL gives none');
    expect((error as AutolabError).hint).toContain('PGPASSWORD');
  });
});

const planServer = postgresTestUrl();
describe.skipIf(planServer.url === null)('a store connection', () => {
  it('plans every run of a prepared statement for its own values, in the schema of the URL', async () => {
    const pool = createPostgresPool(parsePostgresUrl(withSchema(planServer.url!, 'autolab_plans')), { max: 1 });
    try {
      expect((await pool.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode')).rows[0]?.plan_cache_mode).toBe('force_custom_plan');
      expect((await pool.query<{ search_path: string }>('SHOW search_path')).rows[0]?.search_path).toBe('autolab_plans');
    } finally {
      await pool.end();
    }
  });
});
