/**
 * What a driver starting on a study reads of its history without reading its trials:
 * counts and sums by aggregate queries (`summarizeTrials`), and finished trials projected
 * to their results (`listTrialResults`). Memory and rows returned do not grow with the
 * study (but for the kept trials' results, which the bandit's improvement credit reads).
 */
import { AutolabError } from '../../core/errors.ts';
import type { SpecialistTrialTotals, TrialResult, TrialResultFilter, TrialSummary } from '../../core/store.ts';
import { trialResultFromRow } from '../rows.ts';
import { firstRow, type SqlSession } from './driver.ts';

/** Not the baseline, finished, with a finish time: the trials a chooser records. */
const FINISHED = `id <> 0 AND status IN ('kept', 'discarded', 'failed') AND finished_at IS NOT NULL`;
const NOT_A_MACHINE_FAULT = `(label IS NULL OR label <> 'infra_error')`;

/** Events whose cost no trial carries: sessions that proposed nothing, dropped proposals. */
const SPEND_EVENTS = ['proposal.none', 'proposal.dropped'] as const;

const number = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

/**
 * @example
 * const summary = await summarizeTrials(session, studyId);
 * summary.countedTrials; // what budget.trials counts so far
 */
export async function summarizeTrials(session: SqlSession, studyId: number): Promise<TrialSummary> {
  const usd = (column: string) => session.dialect.jsonNumber(column, ['usd']);
  const totals = (await firstRow(
    session,
    `SELECT COUNT(*) AS trials, MAX(id) AS last_id,
       SUM(CASE WHEN id <> 0 AND ${NOT_A_MACHINE_FAULT} THEN 1 ELSE 0 END) AS counted,
       SUM(${usd('cost_json')}) AS usd
     FROM trials WHERE study_id = ?`,
    [studyId],
  )) as { trials: unknown; last_id: unknown; counted: unknown; usd: unknown };
  const unfinished = await session.all(`SELECT id FROM trials WHERE study_id = ? AND status IN ('pending', 'running') ORDER BY id`, [studyId]);
  const since = (await firstRow(
    session,
    `WITH last_kept AS (SELECT finished_at, id FROM trials WHERE study_id = ? AND status = 'kept' AND ${FINISHED} ORDER BY finished_at DESC, id DESC LIMIT 1)
     SELECT COUNT(*) AS n FROM trials t WHERE t.study_id = ? AND t.id <> 0 AND t.status IN ('kept', 'discarded', 'failed') AND t.finished_at IS NOT NULL
       AND (t.label IS NULL OR t.label <> 'infra_error')
       AND NOT EXISTS (SELECT 1 FROM last_kept k WHERE k.finished_at > t.finished_at OR (k.finished_at = t.finished_at AND k.id >= t.id))`,
    [studyId, studyId],
  )) as { n: unknown };
  const events = (await firstRow(
    session,
    `SELECT SUM(${session.dialect.jsonNumber('data_json', ['cost', 'usd'])}) AS usd FROM events WHERE study_id = ? AND type IN (${SPEND_EVENTS.map(() => '?').join(', ')})`,
    [studyId, ...SPEND_EVENTS],
  )) as { usd: unknown };
  return {
    trials: number(totals.trials),
    lastId: totals.last_id === null || totals.last_id === undefined ? null : Number(totals.last_id),
    unfinishedIds: unfinished.map((row) => Number((row as { id: unknown }).id)),
    countedTrials: number(totals.counted),
    sinceLastKept: number(since.n),
    spentUsd: number(totals.usd) + number(events.usd),
    specialists: await specialistTotals(session, studyId),
  };
}

async function specialistTotals(session: SqlSession, studyId: number): Promise<SpecialistTrialTotals[]> {
  const rows = await session.all(
    `SELECT specialist, MIN(id) AS first_id, COUNT(*) AS finished,
       SUM(CASE WHEN label = 'infra_error' THEN 1 ELSE 0 END) AS machine_faults,
       SUM(CASE WHEN status = 'kept' THEN 1 ELSE 0 END) AS kept,
       SUM(CASE WHEN status = 'failed' AND ${NOT_A_MACHINE_FAULT} THEN 1 ELSE 0 END) AS failed,
       SUM(${session.dialect.jsonNumber('cost_json', ['usd'])}) AS cost_usd,
       SUM(CASE WHEN ${NOT_A_MACHINE_FAULT} THEN ${session.dialect.jsonNumber('timings_json', ['totalMs'])} END) AS total_ms
     FROM trials WHERE study_id = ? AND ${FINISHED} GROUP BY specialist ORDER BY MIN(id)`,
    [studyId],
  );
  return rows.map((row) => {
    const r = row as Record<string, unknown>;
    return {
      specialist: String(r.specialist),
      firstId: number(r.first_id),
      finished: number(r.finished),
      machineFaults: number(r.machine_faults),
      kept: number(r.kept),
      failed: number(r.failed),
      costUsd: number(r.cost_usd),
      totalMs: number(r.total_ms),
    };
  });
}

/**
 * Finished trials other than the baseline, projected, in finishing order (finish time,
 * then number); `newest`: the last ones of that order only.
 *
 * @example
 * const window = await listTrialResults(session, studyId, { excludeLabels: ['infra_error'], newest: 50 });
 */
export async function listTrialResults(session: SqlSession, studyId: number, filter: TrialResultFilter): Promise<TrialResult[]> {
  if (filter.status?.length === 0) return [];
  if (filter.newest !== undefined && (!Number.isSafeInteger(filter.newest) || filter.newest < 0)) {
    throw new AutolabError('StoreError', `listTrialResults needs a non-negative integer newest, got ${filter.newest}`);
  }
  const clauses = ['study_id = ?', FINISHED];
  const params: unknown[] = [studyId];
  if (filter.status !== undefined) {
    clauses.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
    params.push(...filter.status);
  }
  if (filter.excludeLabels !== undefined && filter.excludeLabels.length > 0) {
    clauses.push(`(label IS NULL OR label NOT IN (${filter.excludeLabels.map(() => '?').join(', ')}))`);
    params.push(...filter.excludeLabels);
  }
  const columns = 'id, specialist, status, label, score, finished_at';
  const where = clauses.join(' AND ');
  if (filter.newest === undefined) return (await session.all(`SELECT ${columns} FROM trials WHERE ${where} ORDER BY finished_at, id`, params)).map(trialResultFromRow);
  const newest = await session.all(`SELECT ${columns} FROM trials WHERE ${where} ORDER BY finished_at DESC, id DESC LIMIT ?`, [...params, filter.newest]);
  return newest.map(trialResultFromRow).reverse();
}
