/**
 * A change and its audit event in as few round trips as the dialect allows: on
 * PostgreSQL one statement (`WITH changed AS (UPDATE/INSERT ... RETURNING ...)` and the
 * event inserted from it), on SQLite two (the change, then the event). Either way the
 * event is logged only when the change touched a row, and the changed rows come back.
 */
import type { AuditEventInput } from '../../core/audit-events.ts';
import { allThenCommit, type SqlSession } from './driver.ts';
import { INSERT_EVENT } from './events.ts';

/** The audit event logged beside a change, about the trial (`id` column) each changed row is. */
export type ChangeEvent = AuditEventInput & { at: string };

/**
 * Rows inserted beside the change, from each changed row (`study_id`, `id`): on
 * PostgreSQL one more `WITH` member of the same statement (`sql` reads the changed rows
 * as `changed`), elsewhere the caller's own statements (`run`, after the change).
 */
export interface InsertFromChanged {
  /** An `INSERT ... SELECT ... FROM changed ...` (PostgreSQL only). */
  sql: string;
  params: readonly unknown[];
}

/**
 * Runs `change` (an INSERT or UPDATE of `trials` ending in `RETURNING ...` that includes
 * `study_id` and `id`) and logs `event` (or each of several events, in order) for the row
 * it returns; returns the rows. On
 * PostgreSQL the `also` inserts ride in the same statement (SQLite callers run theirs).
 * `last`: the write's last statement; on PostgreSQL it then ends the transaction where the
 * session may (`SqlSession.final`: the COMMIT sent behind it, one round trip for both).
 *
 * @example
 * const [row] = await changeWithEvent(tx, 'UPDATE trials SET status = ? WHERE study_id = ? AND id = ? RETURNING study_id, id', ['running', 1, 7], { type: 'trial.started', data: {}, at });
 */
export async function changeWithEvent(tx: SqlSession, change: string, params: readonly unknown[], event: ChangeEvent | readonly ChangeEvent[], also: readonly InsertFromChanged[] = [], last = false): Promise<unknown[]> {
  const events = 'type' in event ? [event] : event;
  if (tx.dialect.writesInWith) {
    const sql = `WITH changed AS (${change}),
         logged AS (${loggedFromChanged(events.length)})${also.map((insert, index) => `,
         also_${index} AS (${insert.sql})`).join('')}
       SELECT * FROM changed`;
    const values = [...params, ...events.flatMap((logged) => [logged.at, logged.type, JSON.stringify(logged.data)]), ...also.flatMap((insert) => insert.params)];
    return last ? allThenCommit(tx, sql, values) : tx.all(sql, values);
  }
  if (also.length > 0) throw new Error('changeWithEvent: inserts beside the change need a dialect that writes in WITH');
  const rows = (await tx.all(change, params)) as Array<{ study_id: number; id: number }>;
  for (const row of rows) for (const logged of events) await tx.all(INSERT_EVENT, [row.study_id, row.id, logged.at, logged.type, JSON.stringify(logged.data)]);
  return rows;
}

/**
 * The INSERT of `count` events (`at`, `type`, `data` parameters each) for each changed row;
 * several are numbered in the order given (ORDER BY: their ids follow it).
 */
function loggedFromChanged(count: number): string {
  if (count === 1) return 'INSERT INTO events (study_id, trial_id, at, type, data_json) SELECT study_id, id, ?, ?, ? FROM changed';
  const rows = Array.from({ length: count }, (_, index) => `(${index}, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT))`).join(', ');
  return `INSERT INTO events (study_id, trial_id, at, type, data_json) SELECT c.study_id, c.id, e.at, e.type, e.data FROM changed c CROSS JOIN (VALUES ${rows}) AS e (n, at, type, data) ORDER BY c.id, e.n`;
}
