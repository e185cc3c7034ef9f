/**
 * The PostgreSQL adapter of the Store port (beyond one machine): drivers, workers and
 * dashboards on several hosts share one study. Everything a Store does is written once
 * in `sql/` (SqlStore, which also states the concurrency rule); this file is the
 * driver: a `pg` pool, transactions retried on deadlock, the per-study lock and error
 * messages.
 *
 * The study lock is a transaction-scoped advisory lock keyed by schema and study id.
 * Timestamps come from the database server's clock (`clock_timestamp()`, read after
 * the lock), so hosts with skewed clocks still agree on heartbeats and leases.
 */
import type pg from 'pg';
import { AutolabError } from '../core/errors.ts';
import { createPostgresPool, parsePostgresUrl, postgresStoreError, type PostgresLocation } from './postgres-connection.ts';
import { applyPostgresMigrations } from './postgres-migrate.ts';
import type { Dialect } from './sql/dialect.ts';
import type { SqlDriver, SqlSession, TransactionOptions } from './sql/driver.ts';
import { SqlStore } from './sql/sql-store.ts';

/** PostgreSQL's side of the shared statements (sql/dialect.ts). */
export const POSTGRES_DIALECT: Dialect = {
  name: 'postgres',
  now: `to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  lockRowsSkipLocked: (table) => ` FOR UPDATE OF ${table} SKIP LOCKED`,
  jsonMember: (column, key) => `(${column}::jsonb ->> '${key}')`,
  jsonNumber: (column, path) => `(CASE WHEN jsonb_typeof(${column}::jsonb #> '{${path.join(',')}}') = 'number' THEN (${column}::jsonb #>> '{${path.join(',')}}')::double precision END)`,
  timestampBefore: (column) => `${column}::timestamptz < ?::timestamptz`,
  jsonMerge: (column) => `(${column}::jsonb || ?::jsonb)::text`,
  writesInWith: true,
};

/** The transaction's setting that keeps the clock read under the study lock (`SqlDriver.deferredClock`). */
const CLOCK_SETTING = 'autolab.clock';

/** `SqlDriver.deferredClock`: a parameter equal to it is sent as the clock kept under the lock (CLOCK_SETTING). */
const DEFERRED_CLOCK = '\u0000autolab:clock under the study lock';

/** Where the clock kept under the lock is read, in place of a parameter that is DEFERRED_CLOCK. */
const CLOCK_READ = `current_setting('${CLOCK_SETTING}')`;

/**
 * The study's advisory lock, taken in FROM: before the select list (and its clock) is
 * evaluated; the clock is kept as a setting of the transaction (CLOCK_SETTING) for the
 * statements sent behind the lock before its answer; the study's id comes along (none
 * when the study does not exist); and the transaction's own settings (`settings`:
 * TransactionSettings), set as SET LOCAL would, for the statements after it.
 */
function lockStudySql(settings: readonly TransactionSetting[]): string {
  const set = settings.map(([name, value]) => `, set_config('${name}', '${value}', true)`).join('');
  return `SELECT set_config('${CLOCK_SETTING}', ${POSTGRES_DIALECT.now}, true) AS at, s.id${set} FROM (SELECT pg_advisory_xact_lock(?, ?::int)) AS held LEFT JOIN studies s ON s.id = ?`;
}

/** The first key of autolab's per-study advisory locks ('au' 'st' as bytes), xor the schema's hash. */
const STUDY_LOCK_CLASS = 0x6175_7374;

/** Retries of a transaction that PostgreSQL aborted as a deadlock or serialisation failure. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;

/**
 * Statement texts prepared by name on each connection (parsed and planned once, then
 * only bound and run: a third of an unnamed statement's time on a loaded machine).
 * Texts past this many run unnamed, so a connection never holds an unbounded number.
 */
const MAX_NAMED_STATEMENTS = 256;

/**
 * A prepared `SELECT *` whose table gained a column (another process migrated the
 * schema) fails with this; the statement is run again on a fresh connection.
 */
function isStalePlan(error: unknown): boolean {
  return (error as { code?: unknown }).code === '0A000' && /cached plan/i.test((error as Error).message);
}

/** A shared statement as pg takes it: `$n` placeholders, and the name it is prepared under (if any). */
interface PreparedText {
  text: string;
  name: string | undefined;
}

/**
 * `sql` with its `?` placeholders numbered `$1, $2, ...` (a `?` inside a quoted literal
 * or identifier is left alone; the shared statements use no `?` operator); the `?`s at
 * the (0-based) positions of `clockAt` read the clock kept under the study lock instead
 * (`SqlDriver.deferredClock`).
 */
export function numberPlaceholders(sql: string, clockAt: ReadonlySet<number> = new Set()): string {
  let n = 0;
  let k = 0;
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (match) => (match !== '?' ? match : clockAt.has(k++) ? CLOCK_READ : `$${++n}`));
}

/**
 * A transaction's connection, whether its BEGIN has been sent, its settings, and whether
 * it already ended (its COMMIT sent behind its last statement).
 */
interface OpenTransaction {
  client: pg.PoolClient;
  begun: boolean;
  settings: readonly TransactionSetting[];
  ended: boolean;
  /** Its COMMIT, sent behind its last statement, succeeded: nothing of it can be rolled back or run again. */
  committed: boolean;
}

/** A server setting of one transaction (as SET LOCAL): its name and value. */
type TransactionSetting = readonly [name: string, value: string];

/**
 * A transaction's settings (TransactionOptions): a progress write does not wait for the
 * disk at its commit; a recording transaction reuses its statements' plans.
 */
function transactionSettings(options: TransactionOptions | undefined): TransactionSetting[] {
  return [...(options?.durable === false ? [['synchronous_commit', 'off'] as const] : []), ...(options?.reusePlans === true ? [['plan_cache_mode', 'force_generic_plan'] as const] : [])];
}

/** The PostgreSQL driver of SqlStore: a pool; a transaction per write, retried whole on deadlock. */
class PostgresDriver implements SqlDriver {
  readonly dialect = POSTGRES_DIALECT;
  /** The pool's connections run in pg's pipeline mode (createPostgresPool). */
  readonly pipelines = true;
  readonly deferredClock = DEFERRED_CLOCK;
  private closed = false;
  /** Statement texts as PostgreSQL takes them (`$n` placeholders, a name to prepare under), by shared text. */
  private readonly numbered = new Map<string, PreparedText>();
  /** The transactions in progress, by their session. */
  private readonly open = new Map<SqlSession, OpenTransaction>();
  /** Connections whose writes are held until the end of this tick (corkForThisTick). */
  private readonly corked = new Set<object>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly location: PostgresLocation,
    /** First key of this schema's study locks. */
    private readonly lockClass: number,
  ) {}

  get display(): string {
    return this.location.display;
  }

  async migrate(): Promise<void> {
    const client = await this.connect('migrate the schema');
    try {
      await applyPostgresMigrations(client, this.location.schema);
    } catch (error) {
      throw postgresStoreError('migrate the schema', this.display, error);
    } finally {
      client.release();
    }
  }

  async query(action: string, sql: string, params: readonly unknown[] = []): Promise<unknown[]> {
    const client = await this.connect(action);
    let broken: Error | undefined;
    try {
      return (await client.query(this.statement(sql, params))).rows;
    } catch (error) {
      if (!isStalePlan(error)) throw postgresStoreError(action, this.display, error);
      broken = error as Error; // this connection's prepared statements are stale: it is closed, and the statement run unnamed
      try {
        return (await this.pool.query(this.text(sql).text, params as unknown[])).rows;
      } catch (again) {
        throw postgresStoreError(action, this.display, again);
      }
    } finally {
      client.release(broken);
    }
  }

  async transaction<T>(action: string, work: (tx: SqlSession) => Promise<T>, options?: TransactionOptions): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect(action);
      // BEGIN is sent with the transaction's first statement (with the study lock, in the
      // same round trip: lockStudy), not on its own.
      const open: OpenTransaction = { client, begun: false, settings: transactionSettings(options), ended: false, committed: false };
      let broken: Error | undefined;
      const session: SqlSession = {
        dialect: POSTGRES_DIALECT,
        all: async (sql, params = []) => {
          if (!open.begun && !open.ended) await this.begin(open);
          this.corkForThisTick(client);
          return (await client.query(this.statement(sql, params))).rows;
        },
        final: async (sql, params = []) => {
          if (open.ended) return session.all(sql, params);
          if (!open.begun) await this.begin(open);
          open.ended = true;
          this.corkForThisTick(client);
          // Both written at once (pipeline mode, createPostgresPool): a failed statement
          // aborts the transaction and PostgreSQL answers the COMMIT behind it with a rollback.
          const [statement, commit] = await Promise.allSettled([client.query(this.statement(sql, params)), client.query('COMMIT')]);
          if (statement.status === 'rejected') throw statement.reason;
          if (commit.status === 'rejected') {
            broken = commit.reason instanceof Error ? commit.reason : new Error(String(commit.reason));
            throw commit.reason;
          }
          open.committed = true;
          return statement.value.rows;
        },
      };
      this.open.set(session, open);
      try {
        const result = await work(session);
        if (open.begun && !open.ended) await client.query('COMMIT');
        return result;
      } catch (error) {
        if (open.begun && !open.ended) {
          await client.query('ROLLBACK').catch((rollbackError: unknown) => {
            broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
          });
        }
        // A stale prepared statement: this connection is closed and the whole transaction run again on another.
        if (isStalePlan(error)) broken ??= error as Error;
        const code = (error as { code?: unknown }).code;
        if (!open.committed && attempt < MAX_ATTEMPTS && typeof code === 'string' && (RETRYABLE.has(code) || isStalePlan(error))) continue;
        throw postgresStoreError(action, this.display, error);
      } finally {
        this.open.delete(session);
        // A connection whose rollback failed is destroyed, not returned to the pool.
        client.release(broken);
      }
    }
  }

  /**
   * The study's lock (lockStudySql). As a transaction's first statement it goes right
   * behind its BEGIN, in the same round trip, carrying the transaction's settings (a
   * prepared statement: planned once per connection in a recording transaction, where a
   * simple query would be parsed and planned at every trial). Both are sent before this
   * returns its promise, so statements called after it go behind it (pipeline mode).
   */
  async lockStudy(tx: SqlSession, studyId: number): Promise<string | null> {
    const open = this.open.get(tx);
    let row: { at: string; id: number | null } | undefined;
    if (open !== undefined && !open.begun) {
      open.begun = true;
      this.corkForThisTick(open.client);
      const begun = open.client.query('BEGIN');
      const locked = open.client.query(this.statement(lockStudySql(open.settings), [this.lockClass, studyId, studyId]));
      [, { rows: [row] }] = (await Promise.all([begun, locked])) as [unknown, pg.QueryResult];
    } else {
      [row] = (await tx.all(lockStudySql([]), [this.lockClass, studyId, studyId])) as Array<{ at: string; id: number | null }>;
    }
    return row!.id === null ? null : row!.at;
  }

  /**
   * Holds the connection's writes until the statements called in this turn of the event
   * loop are all written, then writes them at once (one system call for a round trip's
   * statements instead of one each).
   */
  private corkForThisTick(client: pg.PoolClient): void {
    const stream = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
    if (stream?.cork === undefined || stream.uncork === undefined || this.corked.has(stream)) return;
    this.corked.add(stream);
    stream.cork();
    process.nextTick(() => {
      this.corked.delete(stream);
      stream.uncork!();
    });
  }

  private async begin(open: OpenTransaction): Promise<void> {
    open.begun = true;
    await open.client.query(['BEGIN', ...open.settings.map(([name, value]) => `SET LOCAL ${name} = ${value}`)].join('; '));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** `sql` as PostgreSQL takes it, its `?`s at `clockAt` reading the clock kept under the lock (numberPlaceholders). */
  private text(sql: string, clockAt: readonly number[] = []): PreparedText {
    const key = clockAt.length === 0 ? sql : `${sql}\u0000${clockAt.join(',')}`;
    let numbered = this.numbered.get(key);
    if (numbered === undefined) {
      numbered = { text: numberPlaceholders(sql, new Set(clockAt)), name: this.numbered.size < MAX_NAMED_STATEMENTS ? `autolab_${this.numbered.size + 1}` : undefined };
      this.numbered.set(key, numbered);
    }
    return numbered;
  }

  /**
   * `sql` with `params` as pg runs it: prepared under its name on the connection the first
   * time, then only bound and run; a parameter that is the deferred clock is read on the
   * server instead (`SqlDriver.deferredClock`).
   */
  private statement(sql: string, params: readonly unknown[]): pg.QueryConfig {
    const clockAt: number[] = [];
    for (let index = 0; index < params.length; index++) if (params[index] === DEFERRED_CLOCK) clockAt.push(index);
    const values = clockAt.length === 0 ? (params as unknown[]) : params.filter((value) => value !== DEFERRED_CLOCK);
    const { text, name } = this.text(sql, clockAt);
    return name === undefined ? { text, values } : { name, text, values };
  }

  private async connect(action: string): Promise<pg.PoolClient> {
    if (this.closed) throw new AutolabError('StoreError', `Cannot ${action}: the store ${this.display} is closed`);
    try {
      return await this.pool.connect();
    } catch (error) {
      throw postgresStoreError(action, this.display, error);
    }
  }
}

export interface PostgresStoreOptions {
  /** Connections in the pool (default 8). */
  maxConnections?: number;
}

/**
 * @example
 * const store = await PostgresStore.open('postgres://autolab:secret@db:5432/research?schema=golf');
 * const { study } = await store.openStudy({ name: 'golf', taskHash, taskJson });
 * await store.close();
 */
export class PostgresStore extends SqlStore {
  /** Drivers, workers and dashboards on several hosts share one PostgreSQL store. */
  readonly sharedAcrossHosts = true;

  private constructor(
    driver: PostgresDriver,
    /** Where the store is, password hidden. */
    readonly display: string,
  ) {
    super(driver);
  }

  /** Connects to `url`, creating the `?schema=` when absent, and migrates it to the newest schema. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const location = parsePostgresUrl(url);
    const pool = createPostgresPool(location, { max: options.maxConnections ?? 8, pipeline: true });
    try {
      const { rows } = await pool.query<{ key: number }>('SELECT hashtext($1) AS key', [location.schema ?? '']);
      const store = new PostgresStore(new PostgresDriver(pool, location, (STUDY_LOCK_CLASS ^ rows[0]!.key) | 0), location.display);
      await store.migrate();
      return store;
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw postgresStoreError('open the study database', location.display, error);
    }
  }
}
