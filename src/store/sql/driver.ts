/**
 * The thin part of a SQL store that differs per database: a connection (or pool),
 * transactions, the study lock and error messages. Everything a Store does is written
 * once in `src/store/sql/` over this interface (SqlStore), as Kysely's dialects do:
 * `sqlite-store.ts` and `postgres-store.ts` each implement it and nothing more.
 */
import type { Dialect } from './dialect.ts';

/** Where the statements of one operation run: inside a transaction, or one at a time. */
export interface SqlSession {
  readonly dialect: Dialect;
  /** Runs `sql` (`?` placeholders) and returns its rows (none for a statement without RETURNING). */
  all(sql: string, params?: readonly unknown[]): Promise<unknown[]>;
  /**
   * Runs `sql` as the transaction's last statement and commits the transaction with it:
   * on PostgreSQL the COMMIT is sent right behind the statement (pipelined: one round
   * trip for both). It returns once both are answered: the rows when the transaction
   * committed; the statement's error when it failed (the transaction is then rolled back
   * whole). Statements run after it run on their own, outside the transaction. Present
   * only where a write may end its transaction early (a write alone in its transaction,
   * `SqlStore`); a write uses it only when nothing it does after the statement can undo
   * it (the checks that follow only explain, they change nothing).
   */
  final?(sql: string, params?: readonly unknown[]): Promise<unknown[]>;
}

/** Runs `sql` with `final` where the session offers it, else with `all` (the transaction commits later). */
export function allThenCommit(session: SqlSession, sql: string, params?: readonly unknown[]): Promise<unknown[]> {
  return session.final ? session.final(sql, params) : session.all(sql, params);
}

/**
 * `tx` as a write's work gets it: with `final` only where the work is one write alone
 * (`mayEndEarly`; several writes of a group commit together, or not at all); `ended` is
 * called once `final` committed.
 */
export function workSession(tx: SqlSession, mayEndEarly: boolean, ended: () => void): SqlSession {
  const final = tx.final;
  return {
    dialect: tx.dialect,
    all: (sql, params) => tx.all(sql, params),
    ...(mayEndEarly && final !== undefined
      ? {
          final: async (sql: string, params?: readonly unknown[]) => {
            const rows = await final(sql, params);
            ended();
            return rows;
          },
        }
      : {}),
  };
}

/** How a write transaction commits. */
export interface TransactionOptions {
  /**
   * false for a new trial, its progress (started, materialised) and events about it: its
   * commit does not wait for the disk; the next durable commit (the trial's outcome at the
   * latest) makes it durable with everything before it. It is committed all the same: every
   * connection sees it, and a killed autolab process cannot lose it. A database or OS crash
   * in between may lose it (an unfinished trial never recorded, or its progress: recovered
   * as any trial a driver lost), never a recorded outcome, and never leaves the database
   * inconsistent. PostgreSQL:
   * `synchronous_commit = off` for that transaction; SQLite in WAL mode with
   * `synchronous = NORMAL` never waits for the disk at a commit, so nothing changes.
   * Default true.
   */
  durable?: boolean;
  /**
   * true for a recording transaction (a trial created, its progress, its outcome, an event
   * about it): its statements find their rows by the trial's key (or the study's newest kept
   * trial, by an index whatever the values), so each is planned once per connection and
   * the plan reused, instead of planned again for every run's values. PostgreSQL:
   * `plan_cache_mode = force_generic_plan` for that transaction (planning was a fifth of
   * the server's time per trial); SQLite plans once per prepared statement anyway.
   */
  reusePlans?: boolean;
}

/** A statement and its parameters. */
export interface SqlStatement {
  sql: string;
  params: readonly unknown[];
}

export interface SqlDriver {
  readonly dialect: Dialect;
  /**
   * true when a transaction's statements are written to the database as soon as they are
   * called, in call order, without waiting for the answers before (PostgreSQL's pipeline
   * mode): statements that do not need each other's answers then share one round trip.
   */
  readonly pipelines?: boolean;
  /**
   * A stand-in for the database clock that `lockStudy` reads, for a pipelining driver: a
   * statement parameter equal to it is replaced by that clock on the server (PostgreSQL:
   * the lock keeps it as a setting of the transaction). So a write whose clock is only a
   * value it stores sends its statements right behind the lock, without waiting for the
   * lock's answer: the database runs them once the lock is held, in order, each in a
   * snapshot taken then, exactly as if sent after the answer. Never a value a statement
   * could otherwise be given (it holds a NUL, which PostgreSQL text refuses).
   */
  readonly deferredClock?: string;
  /** Where the store is, for messages (a file, or a URL with its password hidden). */
  readonly display: string;
  /** Creates or upgrades the schema; safe when two processes start at once. */
  migrate(): Promise<void>;
  /**
   * One statement on its own (reads, heartbeats, lease renewals); it never sees another
   * operation's uncommitted writes. Driver errors become `StoreError`s naming `action`.
   */
  query(action: string, sql: string, params?: readonly unknown[]): Promise<unknown[]>;
  /**
   * Runs `work` as one write transaction: all of its writes land, or none. The driver
   * may run `work` again, whole, when the database aborted it as a deadlock. Driver
   * errors become `StoreError`s naming `action`; other errors pass through unchanged.
   */
  transaction<T>(action: string, work: (tx: SqlSession) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * First statement(s) of a study transaction: takes study `studyId`'s write lock until
   * the transaction ends, and returns the database clock as of then (ISO-8601), or null
   * when the study does not exist. PostgreSQL: a per-study advisory lock and the server
   * clock, in one statement. SQLite: `BEGIN IMMEDIATE` already holds the database's lock.
   */
  lockStudy(tx: SqlSession, studyId: number): Promise<string | null>;
  close(): Promise<void>;
}

/** The first row `sql` returns, or undefined. */
export async function firstRow(session: SqlSession, sql: string, params?: readonly unknown[]): Promise<unknown> {
  return (await session.all(sql, params))[0];
}
