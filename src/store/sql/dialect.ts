/**
 * What differs between the SQL of SQLite and PostgreSQL, as the few fragments the
 * shared statements of `src/store/sql/` splice in. Everything else is written once:
 * placeholders are `?` (the PostgreSQL driver numbers them `$1, $2, ...`), and both
 * dialects run `RETURNING`, `ON CONFLICT ... DO NOTHING`, row values and multi-row
 * `VALUES`. Each adapter defines its dialect beside its driver.
 */
import type { SqlDialect } from '../migrations.ts';

export interface Dialect {
  readonly name: SqlDialect;
  /**
   * The database's clock as the ISO-8601 text every store writes
   * (`2026-01-02T03:04:05.678Z`): the server's clock on PostgreSQL, so hosts with skewed
   * clocks agree on heartbeats and leases.
   */
  readonly now: string;
  /**
   * Appended to a SELECT that picks rows to change: PostgreSQL locks the rows of
   * `table` and skips rows another transaction holds (`FOR UPDATE OF t SKIP LOCKED`);
   * SQLite needs nothing (its write transaction already excludes every other writer).
   */
  lockRowsSkipLocked(table: string): string;
  /** The text of member `key` of the JSON object stored as text in `column`. */
  jsonMember(column: string, key: string): string;
  /**
   * The number at `path` in the JSON object stored as text in `column` (a double), or
   * NULL when the column is NULL or the member is absent or not a number.
   */
  jsonNumber(column: string, path: readonly string[]): string;
  /** True when `column` (ISO-8601 text) is earlier than the one `?` parameter (ISO-8601 text). */
  timestampBefore(column: string): string;
  /**
   * `column` (a JSON object stored as text) with the members of the JSON object text of
   * the one `?` parameter merged over it (a shallow merge: the parameter's members win).
   */
  jsonMerge(column: string): string;
  /**
   * Whether `WITH ... AS (UPDATE/INSERT ... RETURNING)` may write (PostgreSQL), so a
   * change and its audit event go to the server as one statement (one round trip).
   */
  readonly writesInWith: boolean;
}
