/**
 * The audit log: one row per state change, appended in the transaction that makes the
 * change. Event ids follow commit order per study (every writer holds the study lock).
 */
import { AutolabError } from '../../core/errors.ts';
import type { AuditEventMap, AuditEventType, StudyEvent } from '../../core/audit-events.ts';
import { eventFromRow } from '../rows.ts';
import type { SqlSession } from './driver.ts';
import { trialRow } from './read-trials.ts';

export const INSERT_EVENT = 'INSERT INTO events (study_id, trial_id, at, type, data_json) VALUES (?, ?, ?, ?, ?)';

/** Inserts an event of the vocabulary (no check that the trial exists). */
export async function insertEvent<K extends AuditEventType>(tx: SqlSession, studyId: number, trialId: number | null, type: K, data: AuditEventMap[K], at: string): Promise<void> {
  await tx.all(INSERT_EVENT, [studyId, trialId, at, type, JSON.stringify(data)]);
}

/** Appends an event of `type` (about trial `trialId`, which must exist, or the study). */
export async function appendEvent<K extends AuditEventType>(tx: SqlSession, at: string, studyId: number, trialId: number | null, type: K, data: AuditEventMap[K]): Promise<void> {
  if (trialId !== null && (await trialRow(tx, studyId, trialId)) === undefined) {
    throw new AutolabError('StoreError', `Cannot log event ${type}: trial ${trialId} does not exist in study ${studyId}`);
  }
  await insertEvent(tx, studyId, trialId, type, data, at);
}

/** The study's events with id above `afterId`, in id order, at most `limit`. */
export async function listEvents(session: SqlSession, studyId: number, options: { afterId?: number; limit?: number }): Promise<StudyEvent[]> {
  const params: unknown[] = [studyId, options.afterId ?? -1];
  let sql = 'SELECT * FROM events WHERE study_id = ? AND id > ? ORDER BY id';
  if (options.limit !== undefined) {
    sql += ' LIMIT ?';
    params.push(options.limit);
  }
  return (await session.all(sql, params)).map(eventFromRow);
}
