/**
 * Connecting to a PostgreSQL study database the way every process of a study must: one
 * `pg.Pool` whose connections all use the study's schema (`?schema=` in the URL, else
 * the database's default search path), BIGINT read back as JavaScript numbers (a
 * per-pool type parser, so other `pg` users in the process are not affected), and
 * driver errors turned into actionable `StoreError`s with the password never shown.
 *
 * Dependency note: `pg` (node-postgres) is the PostgreSQL client the Node ecosystem
 * runs on; we use only `Pool`, `PoolClient.query` and `TypeOverrides`.
 */
import { accessSync, constants } from 'node:fs';
import pg from 'pg';
import { AutolabError } from '../core/errors.ts';

/** What a `postgres://` store URL says, split into what `pg` reads and what autolab reads. */
export interface PostgresLocation {
  /** The URL for `pg`, without autolab's own parameters. */
  connectionString: string;
  /** The schema the study tables live in; null for the database's default (`public`). */
  schema: string | null;
  /** The URL with its password hidden, for messages. */
  display: string;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Reads a `postgres://` or `postgresql://` URL. autolab's own parameter `schema` (a
 * plain identifier) names the schema to use; every other parameter goes to `pg`.
 *
 * @example
 * parsePostgresUrl('postgres://autolab:secret@db:5432/research?schema=golf');
 * // { connectionString: 'postgres://autolab:secret@db:5432/research', schema: 'golf', display: 'postgres://autolab:***@db:5432/research?schema=golf' }
 */
export function parsePostgresUrl(url: string): PostgresLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new AutolabError('StoreError', `The store location ${hidePassword(url)} is not a valid URL`, {
      cause: error,
      hint: 'write postgres://USER:PASSWORD@HOST:5432/DATABASE (percent-encode special characters in the password)',
    });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new AutolabError('StoreError', `The store location ${hidePassword(url)} is not a postgres:// URL`);
  }
  const schema = parsed.searchParams.get('schema');
  if (schema !== null && !SCHEMA_NAME.test(schema)) {
    throw new AutolabError('StoreError', `The schema '${schema}' in ${hidePassword(url)} is not a plain identifier`, {
      hint: 'use letters, digits and underscores, starting with a letter (at most 63 characters)',
    });
  }
  const display = hidePassword(parsed.href);
  checkTls(parsed.searchParams, display);
  parsed.searchParams.delete('schema');
  // libpq's meaning of sslmode (require: encrypted, not verified; verify-ca: the CA, not
  // the host name; verify-full: both), not pg's older one (every mode meant verify-full,
  // with a warning printed on every connection).
  if (parsed.searchParams.has('sslmode') && !parsed.searchParams.has('uselibpqcompat')) parsed.searchParams.set('uselibpqcompat', 'true');
  return { connectionString: parsed.href, schema, display };
}

/** The TLS modes of a store URL's `sslmode`, as libpq reads them (and pg's `no-verify`). */
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const;

/** Refuses an unknown `sslmode`, `verify-ca` without a CA file, and certificate or key files that cannot be read. */
function checkTls(params: URLSearchParams, display: string): void {
  const mode = params.get('sslmode');
  if (mode !== null && !(SSL_MODES as readonly string[]).includes(mode)) {
    throw new AutolabError('StoreError', `sslmode=${mode} in ${display} is not a TLS mode`, { hint: `use one of ${SSL_MODES.join(', ')} (docs/cluster.md, "The store URL")` });
  }
  if (mode === 'verify-ca' && params.get('sslrootcert') === null) {
    throw new AutolabError('StoreError', `sslmode=verify-ca in ${display} needs the CA that signed the server's certificate`, { hint: 'add sslrootcert=/path/to/root.crt (or use sslmode=verify-full with a CA the system trusts)' });
  }
  for (const key of ['sslrootcert', 'sslcert', 'sslkey']) {
    const file = params.get(key);
    if (file === null) continue;
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new AutolabError('StoreError', `${key}=${file} in ${display} cannot be read`, { hint: `give the path of a readable PEM file on this host (${key === 'sslrootcert' ? "the CA that signed the server's certificate" : key === 'sslcert' ? 'your client certificate' : "your client certificate's key"})` });
    }
  }
}

function hidePassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/** BIGINT (oid 20) as a JavaScript number; values beyond 2^53 would lose digits, so they are refused. */
function parseBigint(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new AutolabError('StoreError', `A stored BIGINT (${text}) is larger than autolab can read exactly`);
  return value;
}

/** The type parsers of a study pool: pg's defaults, with BIGINT (COUNT(*), ids, seeds) as numbers. */
function studyTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, parseBigint);
  return types;
}

/** Quotes an identifier already checked against `SCHEMA_NAME`. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Opens a pool on `location` (connections are made lazily, on first use). The caller
 * ends it. With a schema, every connection starts with `search_path` set to it.
 *
 * @example
 * const pool = createPostgresPool(parsePostgresUrl(url), { max: 4, pipeline: true });
 * try { await pool.query('SELECT 1'); } finally { await pool.end(); }
 */
export function createPostgresPool(location: PostgresLocation, options: { max?: number; pipeline?: boolean } = {}): pg.Pool {
  const url = new URL(location.connectionString);
  // The libpq `options` parameter: server settings for every connection, before any query.
  // Statements are prepared by name (postgres-store.ts) to skip parsing them again; each
  // run is still planned for its own values (PostgreSQL 12+), as an unnamed one is, so a
  // generic plan never replaces the index walks the queries were proven on.
  const settings = ['-c plan_cache_mode=force_custom_plan', ...(location.schema === null ? [] : [`-c search_path=${location.schema}`])];
  const existing = url.searchParams.get('options');
  url.searchParams.set('options', `${existing === null ? '' : `${existing} `}${settings.join(' ')}`);
  const pool = new pg.Pool({
    connectionString: url.href,
    max: options.max ?? 8,
    types: studyTypes(),
    application_name: 'autolab',
    connectionTimeoutMillis: 15_000,
    idleTimeoutMillis: 10_000,
    // pg's pipeline mode: a query is written to the connection at once, behind any still
    // unanswered (each with its own Sync, so an error fails its own query only), instead
    // of after the previous answer; the store sends a transaction's COMMIT behind its last
    // statement this way (one round trip).
    ...(options.pipeline === true ? { pipeline: true } : {}),
  });
  // An idle connection the server drops (restart, network) must not crash the process;
  // the pool replaces it and the next query reports any lasting problem.
  pool.on('error', () => undefined);
  return pool;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);

/** The hint for a PostgreSQL or network error code, if there is a useful one. */
function hintFor(code: string | undefined, display: string): string | undefined {
  if (code === undefined) return undefined;
  if (NETWORK_CODES.has(code)) return `is PostgreSQL running and reachable at ${display}? (check host, port and firewall)`;
  if (code === '28P01' || code === '28000') return 'check the user name and password in the store URL';
  if (code === '3D000') return 'create the database first (createdb), or fix its name in the store URL';
  if (code === '42501') return 'the database user lacks a privilege: let it create tables in the database (or in the ?schema=)';
  if (code === '53300') return 'PostgreSQL has no free connections: raise max_connections or run fewer autolab processes';
  if (code === '40P01') return 'two transactions deadlocked; retry (please report it: autolab orders its locks to avoid this)';
  return undefined;
}

function isDriverError(error: unknown): error is Error & { code?: string } {
  if (!(error instanceof Error) || AutolabError.is(error)) return false;
  return error instanceof pg.DatabaseError || typeof (error as { code?: unknown }).code === 'string' || /connect|terminat|timeout/i.test(error.message);
}

/**
 * The `StoreError` for a failed driver call; anything that is not a driver error (an
 * `AutolabError`, an exception from a callback) is returned unchanged.
 */
export function postgresStoreError(action: string, display: string, error: unknown): unknown {
  // pg's own words when the server wants a password the URL does not give.
  if (error instanceof Error && !AutolabError.is(error) && /client password must be a string|SASL: SCRAM/i.test(error.message)) {
    return new AutolabError('StoreError', `Cannot ${action} in ${display}: the server asks for a password and the store URL gives none`, {
      cause: error,
      hint: 'write the password in the URL (postgres://USER:PASSWORD@HOST:5432/DB, percent-encoded), or set PGPASSWORD, or add it to ~/.pgpass',
    });
  }
  if (!isDriverError(error)) return error;
  const code = error.code;
  const hint = /does not support SSL/i.test(error.message) ? 'this server has TLS turned off: drop sslmode from the store URL (or write sslmode=disable), or turn ssl on in its postgresql.conf' : hintFor(code, display);
  return new AutolabError('StoreError', `Cannot ${action} in ${display}: ${error.message}${code ? ` (${code})` : ''}`, {
    cause: error,
    ...(hint === undefined ? {} : { hint }),
  });
}
