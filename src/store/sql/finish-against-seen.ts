/**
 * Recording an outcome in one statement, decided against the incumbent this store saw last
 * (SeenIncumbent), without reading it again: the UPDATE changes the trial only while it is
 * unfinished and, for a scored outcome, only while that trial is still the incumbent, which
 * the statement itself checks under the study lock. On PostgreSQL it goes out behind the
 * lock with its COMMIT, so recording an outcome is one round trip instead of two.
 *
 * What it cannot know without reading the trial is left to the usual way (finish-trial.ts):
 * a charge (summed with the trial's), a decision against every kept trial (a front), and
 * more metrics than one INSERT carries. When the statement changes nothing (the trial is
 * finished or missing, or another trial was crowned since) the usual way runs next; it
 * reads both and decides again, or says what is wrong.
 */
import type { AcceptanceDecision, TrialOutcome } from '../../core/store.ts';
import type { TrialRecord } from '../../core/trial.ts';
import { trialFromWrittenRow } from '../rows.ts';
import { decideOutcome, laterThan, recordedFailure } from '../store-rules.ts';
import { changeWithEvent } from './change-with-event.ts';
import type { SqlSession } from './driver.ts';
import { incumbentAfter, metricsFromChanged, METRICS_PER_INSERT, type SeenIncumbent } from './finish-trial.ts';

/** Whether `outcome` can be recorded against the incumbent last seen (see above). */
export function canFinishAgainstSeen(outcome: TrialOutcome, decide: AcceptanceDecision): boolean {
  const metrics = Object.keys(outcome.metrics).length;
  return outcome.cost == null && metrics <= METRICS_PER_INSERT && !(outcome.status === 'scored' && decide.wantsKeptTrials === true);
}

/** The incumbent's id as the statement reads it (-1: none), in the snapshot it runs in. */
const INCUMBENT_ID = `COALESCE((SELECT k.id FROM trials k WHERE k.study_id = ? AND k.status = 'kept' AND k.kept_at IS NOT NULL ORDER BY k.kept_at DESC, k.id DESC LIMIT 1), -1)`;

/**
 * Records `given` (validated, `canFinishAgainstSeen`) decided against `seen`, in one
 * statement (its COMMIT behind it where the session may: SqlSession.final). Returns the
 * recorded trial and, for a scored outcome, the incumbent after it; undefined when the
 * statement changed nothing.
 */
export async function finishAgainstSeen(
  tx: SqlSession,
  at: string,
  studyId: number,
  trialId: number,
  given: TrialOutcome,
  decide: AcceptanceDecision,
  seen: SeenIncumbent,
): Promise<{ trial: TrialRecord; incumbent: SeenIncumbent | undefined } | undefined> {
  // The verdict only: `kept_at` needs the clock, which the statement reads (`at` may stand in for it).
  const { status, outcome } = decideOutcome(given, decide, seen?.record ?? null, seen?.keptAt ?? null, at);
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (column: string, value: unknown, expression = '?') => {
    sets.push(`${column} = ${expression}`);
    params.push(value);
  };
  set('status', status);
  set('label', outcome.label);
  set('label_detail', outcome.labelDetail);
  set('metrics_json', JSON.stringify(outcome.metrics));
  set('score', outcome.status === 'scored' ? outcome.score : null);
  set('timings_json', JSON.stringify(outcome.timings), tx.dialect.jsonMerge('timings_json'));
  set('log_excerpt', outcome.logExcerpt);
  if (outcome.commit !== undefined) set('commit_sha', outcome.commit);
  if (outcome.tree !== undefined) set('tree', outcome.tree);
  if (outcome.diff !== undefined) set('diff', outcome.diff);
  set('finished_at', at);
  if (status === 'kept' && seen !== null) {
    // laterThan(at, seen.keptAt), with the clock read in the statement.
    sets.push(`kept_at = CASE WHEN ${tx.dialect.timestampBefore('CAST(? AS TEXT)')} THEN CAST(? AS TEXT) ELSE CAST(? AS TEXT) END`);
    params.push(seen.keptAt, at, at, laterThan(seen.keptAt, seen.keptAt)); // the last: one millisecond after seen.keptAt
  } else set('kept_at', status === 'kept' ? at : null);
  set('repeats_json', JSON.stringify(outcome.repeats ?? []));
  set('curve_json', JSON.stringify(outcome.curve ?? []));
  const failure = recordedFailure(outcome, status);
  set('failure_json', failure === null ? null : JSON.stringify(failure));
  // A failed outcome consults no incumbent: only the trial's state guards it.
  const guard = outcome.status === 'scored' ? ` AND ${INCUMBENT_ID} = ?` : '';
  const guardParams = outcome.status === 'scored' ? [studyId, seen?.record.id ?? -1] : [];
  const entries = Object.entries(outcome.metrics);
  const [updated] = await changeWithEvent(
    tx,
    `UPDATE trials SET ${sets.join(', ')} WHERE study_id = ? AND id = ? AND status IN ('pending', 'running')${guard} RETURNING *`,
    [...params, studyId, trialId, ...guardParams],
    { type: 'trial.finished', data: { status, label: outcome.label, score: outcome.status === 'scored' ? outcome.score : null }, at },
    entries.length > 0 ? [metricsFromChanged(entries)] : [],
    true,
  );
  if (updated === undefined) return undefined;
  // A failed outcome read no incumbent: it tells nothing about it.
  const trial = trialFromWrittenRow(updated);
  return { trial, incumbent: outcome.status === 'scored' ? incumbentAfter(trial, updated, seen) : undefined };
}
