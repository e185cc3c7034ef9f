/** Progress of an unfinished trial (status, commit, timings, ...) and heartbeats. */
import type { AuditEventInput } from '../../core/audit-events.ts';
import type { TrialProgress, TrialProgressEvent } from '../../core/store.ts';
import { AutolabError } from '../../core/errors.ts';
import { changeWithEvent, type ChangeEvent } from './change-with-event.ts';
import type { SqlSession } from './driver.ts';
import { requireUnfinishedTrial } from './read-trials.ts';

/**
 * Records `progress` (timings merged into those recorded, in SQL) and one event:
 * `event`, or `trial.updated` naming the fields. Refuses a finished trial. One UPDATE
 * that only matches an unfinished trial, with its event (one round trip on PostgreSQL);
 * the trial is read only to explain a refusal.
 */
export async function updateTrial(
  tx: SqlSession,
  at: string,
  studyId: number,
  trialId: number,
  progress: TrialProgress,
  event: TrialProgressEvent | undefined,
): Promise<void> {
  // The UPDATE ends the transaction where the session may (SqlSession.final): a refused write changed nothing.
  if (!(await applyProgress(tx, at, studyId, trialId, progress, event, true))) {
    await requireUnfinishedTrial(tx, studyId, trialId); // throws: missing, or finished
    throw new AutolabError('StoreError', `Trial ${trialId} of study ${studyId} could not be updated`);
  }
}

/** A progress write: the trial, what changes, and the event it logs (`trial.updated` naming the fields when none). */
export interface ProgressWrite {
  trialId: number;
  progress: TrialProgress;
  event: TrialProgressEvent | undefined;
}

/** The event `event` or, when none, `trial.updated` naming the fields of `progress`. */
function progressEvent(progress: TrialProgress, event: TrialProgressEvent | undefined): AuditEventInput {
  return event ?? { type: 'trial.updated', data: { ...(progress.status ? { status: progress.status } : {}), fields: Object.keys(progress) } };
}

/**
 * Queued progress writes as they are committed: each run of adjacent writes about the same
 * trial (its start and what it materialised, carried by its outcome's transaction) folded
 * into one change, later fields over earlier ones (timings merged key by key, as the
 * database merges them into those stored), with every write's event, in order. The rows and
 * events equal those of the writes one by one (a progress write changes only an unfinished
 * trial, and never finishes one: TrialProgress.status), for one row version and one
 * statement instead of one per write.
 */
export function foldProgress(writes: readonly ProgressWrite[]): Array<{ trialId: number; progress: TrialProgress; events: AuditEventInput[] }> {
  const folded: Array<{ trialId: number; progress: TrialProgress; events: AuditEventInput[] }> = [];
  for (const write of writes) {
    const previous = folded.at(-1);
    const event = progressEvent(write.progress, write.event);
    if (previous === undefined || previous.trialId !== write.trialId) {
      folded.push({ trialId: write.trialId, progress: write.progress, events: [event] });
      continue;
    }
    const timings = previous.progress.timings === undefined || write.progress.timings === undefined ? undefined : { ...previous.progress.timings, ...write.progress.timings };
    previous.progress = { ...previous.progress, ...write.progress, ...(timings === undefined ? {} : { timings }) };
    previous.events.push(event);
  }
  return folded;
}

/**
 * `updateTrial`'s UPDATE and event, without the refusal: false when the trial is
 * finished or missing (nothing changed, nothing logged).
 */
export function applyProgress(
  tx: SqlSession,
  at: string,
  studyId: number,
  trialId: number,
  progress: TrialProgress,
  event: TrialProgressEvent | undefined,
  /** The write's last statement (changeWithEvent's `last`). */
  last = false,
): Promise<boolean> {
  return changeProgress(tx, at, studyId, trialId, progress, [progressEvent(progress, event)], last);
}

/**
 * Queued progress writes (progress-queue.ts), committed folded (foldProgress), in order.
 * Where a fold is one statement (its events written in it: PostgreSQL) each is sent
 * without waiting for the one before (a pipelining driver writes them out together);
 * elsewhere one fold after the other.
 */
export async function applyQueuedProgress(tx: SqlSession, at: string, studyId: number, writes: readonly ProgressWrite[]): Promise<void> {
  const folds = foldProgress(writes);
  if (tx.dialect.writesInWith) {
    await Promise.all(folds.map((fold) => changeProgress(tx, at, studyId, fold.trialId, fold.progress, fold.events)));
    return;
  }
  for (const fold of folds) await changeProgress(tx, at, studyId, fold.trialId, fold.progress, fold.events);
}

/** The UPDATE of an unfinished trial's progress, logging `events`: false when it changed nothing. */
async function changeProgress(tx: SqlSession, at: string, studyId: number, trialId: number, progress: TrialProgress, events: readonly AuditEventInput[], last = false): Promise<boolean> {
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (column: string, value: unknown, expression = '?') => {
    sets.push(`${column} = ${expression}`);
    params.push(value);
  };
  if (progress.status !== undefined) set('status', progress.status);
  if (progress.commit !== undefined) set('commit_sha', progress.commit);
  if (progress.tree !== undefined) set('tree', progress.tree);
  if (progress.diff !== undefined) set('diff', progress.diff);
  if (progress.timings !== undefined) set('timings_json', JSON.stringify(progress.timings), tx.dialect.jsonMerge('timings_json'));
  if (progress.owner !== undefined) set('owner_json', progress.owner === null ? null : JSON.stringify(progress.owner));
  if (progress.startedAt !== undefined) set('started_at', progress.startedAt);
  else if (progress.status === 'running') set('started_at', at, 'COALESCE(started_at, ?)');
  if (progress.logExcerpt !== undefined) set('log_excerpt', progress.logExcerpt);
  if (sets.length === 0) sets.push('status = status');
  const logged: ChangeEvent[] = events.map((input) => ({ ...input, at }));
  const changed = await changeWithEvent(
    tx,
    `UPDATE trials SET ${sets.join(', ')} WHERE study_id = ? AND id = ? AND status IN ('pending', 'running') RETURNING study_id, id`,
    [...params, studyId, trialId],
    logged,
    [],
    last,
  );
  return changed.length > 0;
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
