/** Reading trials: one trial, the filtered list, the count, and the incumbent. */
import { AutolabError } from '../../core/errors.ts';
import type { TrialFilter } from '../../core/store.ts';
import { FINISHED_STATUSES, type TrialRecord } from '../../core/trial.ts';
import { trialFromRow } from '../rows.ts';
import { firstRow, type SqlSession } from './driver.ts';

/** The most recently kept trial: the latest `kept_at` (uses the `trials_kept` index). */
export const INCUMBENT_SQL = `SELECT * FROM trials WHERE study_id = ? AND status = 'kept' ORDER BY kept_at DESC, id DESC LIMIT 1`;

/** The raw row of a trial (validated by the caller), or undefined. */
export function trialRow(session: SqlSession, studyId: number, trialId: number): Promise<unknown> {
  return firstRow(session, 'SELECT * FROM trials WHERE study_id = ? AND id = ?', [studyId, trialId]);
}

export async function getTrial(session: SqlSession, studyId: number, trialId: number): Promise<TrialRecord | null> {
  const row = await trialRow(session, studyId, trialId);
  return row === undefined ? null : trialFromRow(row);
}

/** The trial, which must exist and not be finished (a finished trial is immutable). */
export async function requireUnfinishedTrial(tx: SqlSession, studyId: number, trialId: number): Promise<TrialRecord> {
  const row = await trialRow(tx, studyId, trialId);
  if (row === undefined) throw new AutolabError('StoreError', `Trial ${trialId} does not exist in study ${studyId}`);
  const trial = trialFromRow(row);
  if (FINISHED_STATUSES.has(trial.status)) {
    throw new AutolabError('StoreError', `Trial ${trialId} of study ${studyId} is already ${trial.status}; a finished trial is immutable`, {
      hint: 'record a new trial instead of changing a finished one',
    });
  }
  return trial;
}

/** The WHERE clause (and its parameters) of a trial filter. */
function trialWhere(studyId: number, filter: Pick<TrialFilter, 'status' | 'specialist' | 'afterId'>): { where: string; params: unknown[] } {
  const clauses = ['study_id = ?'];
  const params: unknown[] = [studyId];
  if (filter.status !== undefined) {
    clauses.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
    params.push(...filter.status);
  }
  if (filter.specialist !== undefined) {
    clauses.push('specialist = ?');
    params.push(filter.specialist);
  }
  if (filter.afterId !== undefined) {
    clauses.push('id > ?');
    params.push(filter.afterId);
  }
  return { where: clauses.join(' AND '), params };
}

/** Trials in id order (newest first with `descending`). An empty `status` list matches nothing. */
export async function listTrials(session: SqlSession, studyId: number, filter: TrialFilter): Promise<TrialRecord[]> {
  if (filter.status?.length === 0) return [];
  if (filter.limit !== undefined && (!Number.isSafeInteger(filter.limit) || filter.limit < 0)) {
    throw new AutolabError('StoreError', `listTrials needs a non-negative integer limit, got ${filter.limit}`);
  }
  const { where, params } = trialWhere(studyId, filter);
  let sql = `SELECT * FROM trials WHERE ${where} ORDER BY id ${filter.descending ? 'DESC' : 'ASC'}`;
  if (filter.limit !== undefined) {
    sql += ' LIMIT ?';
    params.push(filter.limit);
  }
  return (await session.all(sql, params)).map(trialFromRow);
}

/** An empty `status` list counts nothing. */
export async function countTrials(session: SqlSession, studyId: number, filter: Pick<TrialFilter, 'status'>): Promise<number> {
  if (filter.status?.length === 0) return 0;
  const { where, params } = trialWhere(studyId, filter);
  return ((await firstRow(session, `SELECT COUNT(*) AS n FROM trials WHERE ${where}`, params)) as { n: number }).n;
}

/** The raw row of the incumbent (its `kept_at` is not part of TrialRecord), or undefined. */
export function incumbentRow(session: SqlSession, studyId: number): Promise<unknown> {
  return firstRow(session, INCUMBENT_SQL, [studyId]);
}

export async function getIncumbent(session: SqlSession, studyId: number): Promise<TrialRecord | null> {
  const row = await incumbentRow(session, studyId);
  return row === undefined ? null : trialFromRow(row);
}
