/** A baseline the machine failed, made ready to be measured again (`Store.reopenFailedBaseline`). */
import type { TrialOwner } from '../../core/trial.ts';
import type { SqlSession } from './driver.ts';
import { insertEvent } from './events.ts';

/**
 * Sets trial 0 back to `pending` (no outcome or start; owned by `owner`, or by nobody: queued for workers) when it failed with
 * `infra_error` or `interrupted`, the machine's fault: one UPDATE guarded by that label,
 * its metrics rows removed, and a `trial.reopened` event keeping what it was. False when
 * the baseline is anything else (a recorded result of the recipe stays as it is).
 */
export async function reopenFailedBaseline(tx: SqlSession, at: string, studyId: number, owner: TrialOwner | null): Promise<boolean> {
  const rows = (await tx.all(
    `UPDATE trials SET status = 'pending', label = NULL, label_detail = NULL, metrics_json = '{}', score = NULL, finished_at = NULL, kept_at = NULL, started_at = NULL, owner_json = ?, heartbeat_at = NULL, repeats_json = '[]', curve_json = '[]', failure_json = NULL
     WHERE study_id = ? AND id = 0 AND status = 'failed' AND label IN ('infra_error', 'interrupted') RETURNING label, label_detail`,
    [owner === null ? null : JSON.stringify(owner), studyId],
  )) as Array<{ label: string | null; label_detail: string | null }>;
  if (rows.length === 0) return false;
  await tx.all('DELETE FROM metrics WHERE study_id = ? AND trial_id = 0', [studyId]);
  await insertEvent(tx, studyId, 0, 'trial.reopened', { label: rows[0]!.label, detail: rows[0]!.label_detail }, at);
  return true;
}
