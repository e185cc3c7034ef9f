/**
 * The SQLite adapter of the Store port (the default, one machine): one file in WAL
 * mode, shared safely by every process of a study. Everything a Store does is written
 * once in `sql/` (SqlStore); this file is the driver: one better-sqlite3 connection,
 * its prepared statements, `BEGIN IMMEDIATE` transactions and error messages.
 *
 * Concurrency: every write runs in a `BEGIN IMMEDIATE` transaction, so a process takes
 * the database's write lock before it reads what it decides on (trial numbers, the
 * incumbent) and waits up to the busy timeout for it; that lock is also every study's
 * lock. Within one process, operations on the connection run one at a time (a
 * statement never sees another operation's transaction half done).
 */
import type Database from 'better-sqlite3';
import { AutolabError } from '../core/errors.ts';
import { openSqliteDatabase, sqliteStoreError } from './sqlite-connection.ts';
import { applySqliteMigrations } from './sqlite-migrate.ts';
import type { Dialect } from './sql/dialect.ts';
import type { SqlDriver, SqlSession } from './sql/driver.ts';
import { SqlStore } from './sql/sql-store.ts';

/** SQLite's side of the shared statements (sql/dialect.ts). */
export const SQLITE_DIALECT: Dialect = {
  name: 'sqlite',
  now: `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  lockRowsSkipLocked: () => '',
  jsonMember: (column, key) => `json_extract(${column}, '$.${key}')`,
  jsonNumber: (column, path) => `(CASE WHEN json_type(${column}, '$.${path.join('.')}') IN ('integer', 'real') THEN json_extract(${column}, '$.${path.join('.')}') END)`,
  timestampBefore: (column) => `${column} < ?`,
  jsonMerge: (column) => `json_patch(${column}, ?)`,
  writesInWith: false,
};

/**
 * Runs async operations on one connection one at a time, in arrival order; `idle`
 * says whether one may run at once (nothing running or waiting).
 */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  get idle(): boolean {
    return this.waiting === 0;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(() => work());
    this.tail = result.then(
      () => this.waiting--,
      () => this.waiting--,
    );
    return result;
  }
}

/** The SQLite driver of SqlStore: one connection, a cache of prepared statements, `BEGIN IMMEDIATE`. */
class SqliteDriver implements SqlDriver {
  readonly dialect = SQLITE_DIALECT;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly serial = new Serial();
  /** Studies known to exist (studies are never deleted). */
  private readonly knownStudies = new Set<number>();
  private readonly session: SqlSession = { dialect: SQLITE_DIALECT, all: async (sql, params) => this.all(sql, params) };

  constructor(
    private readonly db: Database.Database,
    readonly display: string,
  ) {}

  async migrate(): Promise<void> {
    await this.serial.run(async () => this.guard('migrate the schema', () => applySqliteMigrations(this.db)));
  }

  query(action: string, sql: string, params: readonly unknown[] = []): Promise<unknown[]> {
    // A statement alone runs at once unless an operation of this process is under way.
    if (this.serial.idle) {
      try {
        return Promise.resolve(this.guard(action, () => this.all(sql, params)));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.serial.run(async () => this.guard(action, () => this.all(sql, params)));
  }

  transaction<T>(action: string, work: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.serial.run(async () => {
      this.guard(action, () => this.all('BEGIN IMMEDIATE'));
      try {
        const result = await work(this.session);
        this.guard(action, () => this.all('COMMIT'));
        return result;
      } catch (error) {
        try {
          if (this.db.open && this.db.inTransaction) this.all('ROLLBACK');
        } catch {
          // SQLite rolled back already (an I/O error, a full disk): the first error says why.
        }
        throw sqliteStoreError(`${action} in ${this.display}`, error);
      }
    });
  }

  /**
   * `BEGIN IMMEDIATE` already holds the database's write lock, every study's. Studies are
   * never deleted, so a study seen once still exists: the check costs a statement only
   * the first time. The clock is the host's, as SQLite's `now` is.
   */
  async lockStudy(_tx: SqlSession, studyId: number): Promise<string | null> {
    if (!this.knownStudies.has(studyId)) {
      if (this.all('SELECT 1 AS present FROM studies WHERE id = ?', [studyId]).length === 0) return null;
      this.knownStudies.add(studyId);
    }
    return new Date().toISOString();
  }

  async close(): Promise<void> {
    await this.serial.run(async () => {
      if (this.db.open) this.db.close();
    });
  }

  private all(sql: string, params: readonly unknown[] = []): unknown[] {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    if (statement.reader) return statement.all(...params);
    statement.run(...params);
    return [];
  }

  /** Runs `fn`, turning SQLite errors into actionable `StoreError`s. */
  private guard<T>(action: string, fn: () => T): T {
    if (!this.db.open) throw new AutolabError('StoreError', `Cannot ${action}: the store ${this.display} is closed`);
    try {
      return fn();
    } catch (error) {
      throw sqliteStoreError(`${action} in ${this.display}`, error);
    }
  }
}

/**
 * @example
 * const store = await SqliteStore.open('.autolab/study.db');
 * const { study } = await store.openStudy({ name: 'nanogpt', taskHash, taskJson });
 * const baseline = await store.createTrial(study.id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null });
 * await store.close();
 */
export class SqliteStore extends SqlStore {
  /** A SQLite file is shared by the processes of one host only: no remote workers. */
  readonly sharedAcrossHosts = false;

  private constructor(
    driver: SqliteDriver,
    /** The database file (or `:memory:`). */
    readonly file: string,
  ) {
    super(driver);
  }

  /**
   * Opens (creating it and its parent folder when absent) the database at `file`,
   * switches it to WAL, and migrates it to the newest schema.
   */
  static async open(file: string): Promise<SqliteStore> {
    const db = await openSqliteDatabase(file);
    const store = new SqliteStore(new SqliteDriver(db, file), file);
    try {
      await store.migrate();
    } catch (error) {
      db.close();
      throw error;
    }
    return store;
  }
}
