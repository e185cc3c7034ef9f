/**
 * The audit log: one row per state change, appended in the transaction that makes the
 * change. Event ids follow commit order per study (every writer holds the study lock).
 */
import { AutolabError } from '../../core/errors.ts';
import { LEGACY_AUDIT_EVENT_NAMES, type AuditEventMap, type AuditEventType, type StudyEvent } from '../../core/audit-events.ts';
import type { EventFilter } from '../../core/store.ts';
import { eventFromRow } from '../rows.ts';
import { allThenCommit, type SqlSession } from './driver.ts';

export const INSERT_EVENT = 'INSERT INTO events (study_id, trial_id, at, type, data_json) VALUES (?, ?, ?, ?, ?)';

/** Inserts an event of the vocabulary (no check that the trial exists). */
export async function insertEvent<K extends AuditEventType>(tx: SqlSession, studyId: number, trialId: number | null, type: K, data: AuditEventMap[K], at: string): Promise<void> {
  await tx.all(INSERT_EVENT, [studyId, trialId, at, type, JSON.stringify(data)]);
}

/** The event, inserted only when its trial exists: the check and the row in one statement. */
const INSERT_TRIAL_EVENT = 'INSERT INTO events (study_id, trial_id, at, type, data_json) SELECT study_id, id, ?, ?, ? FROM trials WHERE study_id = ? AND id = ? RETURNING id';

/**
 * Appends an event of `type` (about trial `trialId`, which must exist, or the study). An
 * event about a trial is one statement (the trial's existence checked in it), the
 * transaction's last: on PostgreSQL it goes with the COMMIT where the session may
 * (`SqlSession.final`).
 */
export async function appendEvent<K extends AuditEventType>(tx: SqlSession, at: string, studyId: number, trialId: number | null, type: K, data: AuditEventMap[K]): Promise<void> {
  if (trialId === null) return insertEvent(tx, studyId, trialId, type, data, at);
  const inserted = await allThenCommit(tx, INSERT_TRIAL_EVENT, [at, type, JSON.stringify(data), studyId, trialId]);
  if (inserted.length === 0) throw new AutolabError('StoreError', `Cannot log event ${type}: trial ${trialId} does not exist in study ${studyId}`);
}

/** The stored names of `types` (each current name and the legacy names read back as it). */
function storedNames(types: readonly AuditEventType[]): string[] {
  const names = new Set<string>(types);
  for (const [legacy, current] of Object.entries(LEGACY_AUDIT_EVENT_NAMES)) if (names.has(current)) names.add(legacy);
  return [...names].sort();
}

/**
 * The study's events with id above `afterId`, in id order (newest first with
 * `descending`), at most `limit`; only trial `trialId`'s (index `events_by_trial`), only
 * of `types`, when given.
 */
export async function listEvents(session: SqlSession, studyId: number, options: EventFilter): Promise<StudyEvent[]> {
  if (options.types?.length === 0) return [];
  const params: unknown[] = [studyId];
  const clauses = ['study_id = ?'];
  if (options.trialId !== undefined) {
    clauses.push('trial_id = ?');
    params.push(options.trialId);
  }
  clauses.push('id > ?');
  params.push(options.afterId ?? -1);
  if (options.types !== undefined) {
    const names = storedNames(options.types);
    clauses.push(`type IN (${names.map(() => '?').join(', ')})`);
    params.push(...names);
  }
  let sql = `SELECT * FROM events WHERE ${clauses.join(' AND ')} ORDER BY id${options.descending ? ' DESC' : ''}`;
  if (options.limit !== undefined) {
    sql += ' LIMIT ?';
    params.push(options.limit);
  }
  return (await session.all(sql, params)).map(eventFromRow);
}
