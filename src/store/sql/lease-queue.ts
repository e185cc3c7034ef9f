/**
 * The work queue of workers (`autolab worker`), in SQL shared by every store.
 *
 * - Queued: a trial created `pending` with no owner.
 * - Claim: the oldest queued trial becomes `running`, owned by the worker, with a fresh
 *   heartbeat, and a `trial.claimed` event; the claim runs in a study transaction, so
 *   two workers never claim the same trial.
 * - Lease: it lasts `leaseMs` past the trial's last heartbeat; `renewLease` (one
 *   statement, no lock) stamps the heartbeats of the trials the worker still holds.
 * - Expiry: before claiming, running trials claimed through the queue whose heartbeat
 *   is older than `leaseMs` go back to the queue once (`trial.requeued`), and are
 *   recorded `interrupted` when their lease expires a second time.
 */
import type { AuditEventMap } from '../../core/audit-events.ts';
import { deriveTrialFailure } from '../../core/trial-failure.ts';
import { AutolabError } from '../../core/errors.ts';
import type { TrialOwner, TrialRecord } from '../../core/trial.ts';
import { trialFromRow } from '../rows.ts';
import type { SqlSession } from './driver.ts';
import { INSERT_EVENT, insertEvent } from './events.ts';

/** How often, at most, a store looks for expired leases while claiming. */
const LEASE_CHECK_MS = 2_000;

/** The claim: the oldest queued trial, locked (PostgreSQL skips rows another transaction holds). */
function claimSql(tx: SqlSession): string {
  return `UPDATE trials SET status = 'running', owner_json = ?, heartbeat_at = ?
    WHERE study_id = ? AND id = (
      SELECT id FROM trials WHERE study_id = ? AND status = 'pending' AND owner_json IS NULL
      ORDER BY id LIMIT 1${tx.dialect.lockRowsSkipLocked('trials')})
    RETURNING *`;
}

/** Refuses a lease that is not a positive number of milliseconds. */
export function requireLease(leaseMs: number): void {
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) throw new AutolabError('StoreError', `A lease must be a positive number of milliseconds, got ${leaseMs}`);
}

/**
 * The queue of one store. It remembers when it last looked for expired leases (per
 * study), so claims look at most every 2 s (and at least twice per lease length).
 *
 * @example
 * const queue = new LeaseQueue();
 * const trial = await driver.transaction('claim', async (tx) => queue.claim(tx, at, studyId, worker, 60_000));
 */
export class LeaseQueue {
  /** When this store last looked for expired leases, per study (performance.now()). */
  private readonly leaseChecks = new Map<number, number>();

  /** In a study transaction: recovers expired leases (now and then), then claims the oldest queued trial, or returns null. */
  async claim(tx: SqlSession, at: string, studyId: number, worker: TrialOwner, leaseMs: number): Promise<TrialRecord | null> {
    const last = this.leaseChecks.get(studyId) ?? -Infinity;
    if (performance.now() - last >= Math.min(leaseMs / 2, LEASE_CHECK_MS)) {
      await recoverExpiredLeases(tx, at, studyId, leaseMs);
      this.leaseChecks.set(studyId, performance.now());
    }
    const claimParams = [JSON.stringify(worker), at, studyId, studyId];
    const eventData = JSON.stringify({ worker: `${worker.host}:${worker.pid}`, token: worker.token, leaseMs } satisfies AuditEventMap['trial.claimed']);
    if (tx.dialect.writesInWith) {
      // The claim and its audit event in one statement (one round trip under the lock).
      const rows = await tx.all(
        `WITH claimed AS (${claimSql(tx)}),
           logged AS (INSERT INTO events (study_id, trial_id, at, type, data_json) SELECT study_id, id, ?, 'trial.claimed', ? FROM claimed)
         SELECT * FROM claimed`,
        [...claimParams, at, eventData],
      );
      return rows[0] === undefined ? null : trialFromRow(rows[0]);
    }
    const row = (await tx.all(claimSql(tx), claimParams))[0];
    if (row === undefined) return null;
    const trial = trialFromRow(row);
    await tx.all(INSERT_EVENT, [studyId, trial.id, at, 'trial.claimed', eventData]);
    return trial;
  }
}

/**
 * Renews `worker`'s leases on the listed trials (stamps their heartbeats). Returns the
 * ids it still holds, ascending: a trial missing from the answer was recovered by
 * someone else (its lease expired) or finished, and the worker must stop working on it.
 */
export async function renewLease(session: SqlSession, studyId: number, trialIds: number[], worker: TrialOwner): Promise<number[]> {
  if (trialIds.length === 0) return [];
  const rows = await session.all(
    `UPDATE trials SET heartbeat_at = ${session.dialect.now}
     WHERE study_id = ? AND id IN (${trialIds.map(() => '?').join(', ')}) AND status = 'running' AND ${session.dialect.jsonMember('owner_json', 'token')} = ?
     RETURNING id`,
    [studyId, ...trialIds, worker.token],
  );
  return rows.map((row) => (row as { id: number }).id).sort((a, b) => a - b);
}

/**
 * Under the study lock: running trials owned by a worker (claimed through the queue)
 * whose heartbeat is older than `leaseMs` go back to the queue once (`trial.requeued`),
 * and are recorded `interrupted` when their lease expires a second time.
 */
async function recoverExpiredLeases(tx: SqlSession, at: string, studyId: number, leaseMs: number): Promise<void> {
  const expiredBefore = new Date(Date.parse(at) - leaseMs).toISOString();
  const expired = await tx.all(
    `SELECT t.*, (SELECT COUNT(*) FROM events e WHERE e.study_id = t.study_id AND e.trial_id = t.id AND e.type = 'trial.requeued') AS requeues
     FROM trials t
     WHERE t.study_id = ? AND t.status = 'running' AND t.heartbeat_at IS NOT NULL
       AND EXISTS (SELECT 1 FROM events c WHERE c.study_id = t.study_id AND c.trial_id = t.id AND c.type = 'trial.claimed')
       AND ${tx.dialect.timestampBefore('t.heartbeat_at')}
     ORDER BY t.id${tx.dialect.lockRowsSkipLocked('t')}`,
    [studyId, expiredBefore],
  );
  for (const row of expired as Array<Record<string, unknown>>) {
    const trial = trialFromRow(row);
    const who = trial.owner ? `${trial.owner.host}:${trial.owner.pid}` : 'unknown';
    if ((row.requeues as number) === 0) {
      await tx.all(`UPDATE trials SET status = 'pending', owner_json = NULL, heartbeat_at = NULL WHERE study_id = ? AND id = ?`, [studyId, trial.id]);
      await insertEvent(tx, studyId, trial.id, 'trial.requeued', { reason: `the lease of worker ${who} expired (no heartbeat for ${leaseMs} ms)` }, at);
      continue;
    }
    const detail = `the lease of worker ${who} expired a second time (no heartbeat for ${leaseMs} ms); not re-queued again`;
    const failure = deriveTrialFailure({ label: 'interrupted', labelDetail: detail, logExcerpt: trial.logExcerpt });
    await tx.all(`UPDATE trials SET status = 'failed', label = 'interrupted', label_detail = ?, metrics_json = '{}', score = NULL, finished_at = ?, failure_json = ? WHERE study_id = ? AND id = ?`, [
      detail,
      at,
      JSON.stringify(failure),
      studyId,
      trial.id,
    ]);
    await insertEvent(tx, studyId, trial.id, 'trial.finished', { status: 'failed', label: 'interrupted', score: null }, at);
  }
}
