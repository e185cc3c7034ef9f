/**
 * Whether the study's store can be reached: a SQLite file that can be created or
 * written, or a PostgreSQL URL that connects.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AutolabError } from '../core/errors.ts';
import { parseStoreLocation } from '../store/open-store.ts';
import { createPostgresPool, parsePostgresUrl, postgresStoreError } from '../store/postgres-connection.ts';
import { check, type DoctorCheck } from './doctor-check.ts';

async function nearestExisting(path: string): Promise<string> {
  let current = path;
  for (;;) {
    if (await stat(current).then(() => true, () => false)) return current;
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

/** Checks a store location (a SQLite file path or a postgres:// URL). */
export async function checkStore(location: string): Promise<DoctorCheck> {
  let parsed;
  try {
    parsed = parseStoreLocation(location);
  } catch (error) {
    return check('store', 'store', 'fail', (error as Error).message, AutolabError.is(error) ? error.hint : undefined);
  }
  if (parsed.kind === 'sqlite') return checkSqlite(parsed.file);
  return checkPostgres(parsed.url);
}

async function checkSqlite(file: string): Promise<DoctorCheck> {
  if (file === ':memory:') return check('store', 'SQLite', 'info', 'an in-memory store (nothing is kept)');
  try {
    const { default: Database } = await import('better-sqlite3');
    new Database(':memory:').close();
  } catch (error) {
    return check('store', 'SQLite', 'fail', `the SQLite driver (better-sqlite3) does not load: ${(error as Error).message.split('\n')[0]}`, 'run `npm ci` again (it builds better-sqlite3 for this Node.js; needs python3, make and g++ when no prebuilt binary fits: apt-get install python3 make g++)');
  }
  const exists = await stat(file).then(() => true, () => false);
  const target = exists ? file : await nearestExisting(dirname(file));
  const writable = await access(target, constants.W_OK).then(() => true, () => false);
  if (!writable) return check('store', 'SQLite', 'fail', `${target} is not writable, so ${file} cannot be ${exists ? 'written' : 'created'}`, 'make the folder writable, or name another store with --store');
  return check('store', 'SQLite', 'ok', exists ? `${file} (writable)` : `${file} (will be created)`);
}

async function checkPostgres(url: string): Promise<DoctorCheck> {
  let display = url;
  try {
    const location = parsePostgresUrl(url);
    display = location.display;
    const pool = createPostgresPool(location, { max: 1 });
    try {
      const result = await pool.query<{ version: string }>('SELECT version() AS version');
      const version = /PostgreSQL [\d.]+/.exec(result.rows[0]?.version ?? '')?.[0] ?? 'PostgreSQL';
      return check('store', 'PostgreSQL', 'ok', `${display} connects (${version})`);
    } finally {
      await pool.end();
    }
  } catch (error) {
    const explained = postgresStoreError('connect', display, error);
    const message = explained instanceof Error ? explained.message : String(explained);
    const hint = AutolabError.is(explained) ? explained.hint : undefined;
    return check('store', 'PostgreSQL', 'fail', `${display}: ${message}`, hint ?? 'check the URL, that PostgreSQL runs and accepts this user (apt-get install postgresql on the server)');
  }
}
