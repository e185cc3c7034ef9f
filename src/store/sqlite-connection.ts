/**
 * Opening a SQLite study database the way every process of a study must: parent folder
 * created, WAL journal (readers never block the writer), `synchronous = NORMAL` (durable
 * at each checkpoint, safe in WAL), foreign keys enforced, a bounded page cache, and a
 * busy timeout so a process waits for another's write lock instead of failing at once.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { AutolabError } from '../core/errors.ts';

/**
 * The page cache of a connection, KiB: SQLite's own default. better-sqlite3 builds with
 * 16,000 KiB, a cache that fills as the study file grows past it (a driver's RSS then grew
 * 14 MB from 1,000 to 100,000 trials); the operating system caches the file anyway, and
 * every hot query reads a few index pages.
 */
export const SQLITE_CACHE_KIB = 2000;

/** How long a process waits for another's write lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

const BUSY_HINT = `another process held the study database longer than ${SQLITE_BUSY_TIMEOUT_MS / 1000} s; retry, or look for a stuck autolab process`;

function isBusy(error: unknown): boolean {
  return error instanceof Database.SqliteError && /^SQLITE_(BUSY|LOCKED)/.test(error.code);
}

/** Switching to WAL needs a moment alone with the file; retry while another process has it. */
async function enableWal(db: Database.Database): Promise<void> {
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
      await sleep(10 + Math.random() * 40);
    }
  }
}

/**
 * Opens `file` (or `:memory:`) with the study database settings. The caller closes it.
 *
 * @example
 * const db = await openSqliteDatabase('.autolab/study.db');
 */
export async function openSqliteDatabase(file: string): Promise<Database.Database> {
  let db: Database.Database;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new AutolabError('StoreError', `Cannot open the study database ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: 'check that the folder is writable and the file is a SQLite database',
    });
  }
  try {
    db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    await enableWal(db);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
    return db;
  } catch (error) {
    db.close();
    throw sqliteStoreError(`prepare the study database ${file}`, error);
  }
}

/**
 * The `StoreError` for a failed SQLite call (with the busy hint when another process
 * held the lock too long); anything that is not a SQLite error is returned unchanged.
 */
export function sqliteStoreError(action: string, error: unknown): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  return new AutolabError('StoreError', `Cannot ${action}: ${error.message} (${error.code})`, {
    cause: error,
    ...(isBusy(error) ? { hint: BUSY_HINT } : {}),
  });
}
