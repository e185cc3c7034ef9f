/** Progress of an unfinished trial (status, commit, timings, ...) and heartbeats. */
import type { TrialProgress, TrialProgressEvent } from '../../core/store.ts';
import type { SqlSession } from './driver.ts';
import { insertEvent } from './events.ts';
import { requireUnfinishedTrial } from './read-trials.ts';

/**
 * Records `progress` (timings merged into those recorded) and one event: `event`, or
 * `trial.updated` naming the fields. Refuses a finished trial.
 */
export async function updateTrial(
  tx: SqlSession,
  at: string,
  studyId: number,
  trialId: number,
  progress: TrialProgress,
  event: TrialProgressEvent | undefined,
): Promise<void> {
  const trial = await requireUnfinishedTrial(tx, studyId, trialId);
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (column: string, value: unknown) => {
    sets.push(`${column} = ?`);
    params.push(value);
  };
  if (progress.status !== undefined) set('status', progress.status);
  if (progress.commit !== undefined) set('commit_sha', progress.commit);
  if (progress.tree !== undefined) set('tree', progress.tree);
  if (progress.diff !== undefined) set('diff', progress.diff);
  if (progress.timings !== undefined) set('timings_json', JSON.stringify({ ...trial.timings, ...progress.timings }));
  if (progress.owner !== undefined) set('owner_json', progress.owner === null ? null : JSON.stringify(progress.owner));
  if (progress.startedAt !== undefined) set('started_at', progress.startedAt);
  else if (progress.status === 'running' && trial.startedAt === null) set('started_at', at);
  if (progress.logExcerpt !== undefined) set('log_excerpt', progress.logExcerpt);
  if (sets.length > 0) await tx.all(`UPDATE trials SET ${sets.join(', ')} WHERE study_id = ? AND id = ?`, [...params, studyId, trialId]);
  if (event !== undefined) await insertEvent(tx, studyId, trialId, event.type, event.data, at);
  else await insertEvent(tx, studyId, trialId, 'trial.updated', { ...(progress.status ? { status: progress.status } : {}), fields: Object.keys(progress) }, at);
}

/**
 * Stamps the heartbeat of every listed unfinished trial with the database's clock: one
 * statement, no event, no study lock (it decides nothing).
 */
export async function heartbeat(session: SqlSession, studyId: number, trialIds: number[]): Promise<void> {
  if (trialIds.length === 0) return;
  await session.all(
    `UPDATE trials SET heartbeat_at = ${session.dialect.now} WHERE study_id = ? AND id IN (${trialIds.map(() => '?').join(', ')}) AND status IN ('pending', 'running')`,
    [studyId, ...trialIds],
  );
}
