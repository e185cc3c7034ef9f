/**
 * Recording a finished trial in one transaction: the acceptance decision against the
 * incumbent of that instant (under the study lock), the outcome, the metrics rows, the
 * cost row and the audit event.
 */
import type { AcceptanceDecision, TrialOutcome } from '../../core/store.ts';
import type { Metrics, TrialRecord } from '../../core/trial.ts';
import { keptAtFromRow, trialFromRow, trialFromWrittenRow } from '../rows.ts';
import { addCosts, decideOutcome, FINISHED_TRIAL_COLUMNS, finishedTrialValues } from '../store-rules.ts';
import { costFromChanged, insertCost } from './costs.ts';
import { changeWithEvent, type InsertFromChanged } from './change-with-event.ts';
import type { SqlSession } from './driver.ts';
import { listTrials, requireUnfinishedTrialState, requireUnfinishedTrialStateAndIncumbent } from './read-trials.ts';

const FINISH_TRIAL = `UPDATE trials SET ${FINISHED_TRIAL_COLUMNS.map((column) => `${column} = ?`).join(', ')} WHERE study_id = ? AND id = ? RETURNING *`;

/** Metrics rows per INSERT (4 parameters each; far below either dialect's limit). */
export const METRICS_PER_INSERT = 200;

/**
 * The study's incumbent as a write saw it under the study lock (null: none), with its
 * `kept_at`: what the next outcome of this store may be decided against without reading
 * it again (finish-against-seen.ts). A kept trial never changes, so its id names it.
 */
export type SeenIncumbent = { record: TrialRecord; keptAt: string } | null;

/** The incumbent after a finished trial (`trial`, its row `updated`): itself when kept, else the one it was decided against. */
export function incumbentAfter(trial: TrialRecord, updated: unknown, before: SeenIncumbent): SeenIncumbent {
  const keptAt = (updated as { kept_at?: unknown }).kept_at;
  return typeof keptAt === 'string' ? { record: trial, keptAt } : before;
}

/**
 * `outcome` has been validated (validateOutcome); `decide` runs inside this transaction.
 * `read`: the rows of `STATE_AND_INCUMBENT_SQL` when the transaction already read them
 * under the lock (sent with it: `stateAndIncumbentRead`). `seen` is told the incumbent
 * after this write, when the write read the one before it.
 */
export async function finishTrial(tx: SqlSession, at: string, studyId: number, trialId: number, given: TrialOutcome, decide: AcceptanceDecision, read?: unknown[], seen?: (incumbent: SeenIncumbent) => void): Promise<TrialRecord> {
  // Under the study lock: no other transaction can crown a trial until this commits.
  const both = given.status === 'scored' || read !== undefined ? await requireUnfinishedTrialStateAndIncumbent(tx, studyId, trialId, read) : undefined;
  const trial = both?.state ?? (await requireUnfinishedTrialState(tx, studyId, trialId));
  const incumbent = given.status === 'scored' ? both?.incumbent : undefined;
  // A multi-objective study judges against its front: every kept trial, read under the same lock.
  const kept = given.status === 'scored' && decide.wantsKeptTrials === true ? await listTrials(tx, studyId, { status: ['kept'] }) : undefined;
  const decided = decideOutcome(given, decide, incumbent === undefined ? null : trialFromRow(incumbent), incumbent === undefined ? null : keptAtFromRow(incumbent), at, kept);
  const { status, outcome } = decided;
  const cost = addCosts(trial.cost, outcome.cost ?? null);
  // PostgreSQL: the metrics rows ride in the outcome's statement (one round trip for the change, its event and its metrics).
  // and the outcome's charge likewise; the COMMIT is sent behind that statement where the session may (SqlSession.final).
  const entries = Object.entries(outcome.metrics);
  const inline = tx.dialect.writesInWith && entries.length > 0 && entries.length <= METRICS_PER_INSERT;
  const inlineCost = tx.dialect.writesInWith && outcome.cost != null;
  const last = (inline || entries.length === 0) && (inlineCost || outcome.cost == null);
  const [updated] = await changeWithEvent(
    tx,
    FINISH_TRIAL,
    [...finishedTrialValues(trial, outcome, status, cost, at, decided.keptAt), studyId, trialId],
    { type: 'trial.finished', data: { status, label: outcome.label, score: outcome.status === 'scored' ? outcome.score : null }, at },
    [...(inline ? [metricsFromChanged(entries)] : []), ...(inlineCost ? [costFromChanged(trial.specialist, outcome.cost!, at)] : [])],
    last,
  );
  if (!inline) await insertMetrics(tx, studyId, trialId, outcome.metrics);
  if (outcome.cost && !inlineCost) await insertCost(tx, studyId, trialId, trial.specialist, outcome.cost, at);
  const recorded = trialFromWrittenRow(updated);
  if (both !== undefined && seen !== undefined) seen(incumbentAfter(recorded, updated, both.incumbent === undefined ? null : { record: trialFromRow(both.incumbent), keptAt: keptAtFromRow(both.incumbent)! }));
  return recorded;
}

/** The metrics rows of the finished trial, inserted from the changed row in the same statement (PostgreSQL). */
export function metricsFromChanged(entries: Array<[string, number]>): InsertFromChanged {
  return {
    sql: `INSERT INTO metrics (study_id, trial_id, name, value, step) SELECT c.study_id, c.id, m.name, m.value, NULL FROM changed c CROSS JOIN (VALUES ${entries
      .map(() => '(CAST(? AS TEXT), CAST(? AS DOUBLE PRECISION))')
      .join(', ')}) AS m (name, value)`,
    params: entries.flat(),
  };
}

/** One `metrics` row per metric, in multi-row INSERTs (one round trip for a usual outcome). */
async function insertMetrics(tx: SqlSession, studyId: number, trialId: number, metrics: Metrics): Promise<void> {
  const entries = Object.entries(metrics);
  for (let start = 0; start < entries.length; start += METRICS_PER_INSERT) {
    const chunk = entries.slice(start, start + METRICS_PER_INSERT);
    await tx.all(
      `INSERT INTO metrics (study_id, trial_id, name, value, step) VALUES ${chunk.map(() => '(?, ?, ?, ?, NULL)').join(', ')}`,
      chunk.flatMap(([name, value]) => [studyId, trialId, name, value]),
    );
  }
}
