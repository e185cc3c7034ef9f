/** Recording a new trial: its number (allocated under the study lock), its row, its first charge, its event. */
import { AutolabError } from '../../core/errors.ts';
import type { TrialDraft } from '../../core/store.ts';
import type { TrialRecord } from '../../core/trial.ts';
import { trialFromWrittenRow } from '../rows.ts';
import { costFromChanged, insertCost } from './costs.ts';
import { firstRow, type SqlSession } from './driver.ts';
import { changeWithEvent, type ChangeEvent } from './change-with-event.ts';
import { trialRow } from './read-trials.ts';

const INSERT_TRIAL = `INSERT INTO trials (study_id, id, specialist, parent, hypothesis, notes, expected_delta, status, seed, cost_json, edit_json, owner_json, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) RETURNING *`;

/**
 * The row numbered `MAX(id) + 1`, inserted only when its parent exists (or it has none):
 * the number, the parent check and the row in one statement.
 */
const INSERT_NEXT_TRIAL = `INSERT INTO trials (study_id, id, specialist, parent, hypothesis, notes, expected_delta, status, seed, cost_json, edit_json, owner_json, created_at)
  SELECT ?, (SELECT COALESCE(MAX(id), 0) + 1 FROM trials WHERE study_id = ?), ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?
  WHERE CAST(? AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM trials WHERE study_id = ? AND id = ?) RETURNING *`;

/** The next number and whether the parent exists, in one statement. */
const NEXT_ID_AND_PARENT = `SELECT (SELECT COALESCE(MAX(id), 0) + 1 FROM trials WHERE study_id = ?) AS next,
  (SELECT COUNT(*) FROM trials WHERE study_id = ? AND id = ?) AS parents`;

/**
 * Inserts `draft` (already validated) as a `pending` trial numbered `MAX(id) + 1`, or
 * `draft.id` when forced. Runs in a study transaction, so numbers never collide. A
 * numbered trial is one statement (number, parent check, row) with its event (one round
 * trip on PostgreSQL, with its first charge and the COMMIT), then, on SQLite, the first
 * charge if any.
 */
export async function createTrial(tx: SqlSession, at: string, studyId: number, draft: TrialDraft): Promise<TrialRecord> {
  if (draft.id !== undefined) return createNumberedTrial(tx, at, studyId, draft, draft.id);
  const columns = draftColumns(draft, at);
  // PostgreSQL: the first charge rides in the same statement.
  const inlineCost = draft.cost != null && tx.dialect.writesInWith;
  const also = inlineCost ? [costFromChanged(draft.specialist, draft.cost!, at)] : [];
  // With nothing after it, the statement ends the transaction where it may (SqlSession.final): a trial
  // whose parent is missing inserts nothing, and the read below only explains the refusal.
  const last = draft.cost == null || inlineCost;
  const [inserted] = await changeWithEvent(tx, INSERT_NEXT_TRIAL, [studyId, studyId, ...columns, draft.parent, studyId, draft.parent], createdEvent(draft, at), also, last);
  if (inserted === undefined) {
    const read = (await firstRow(tx, NEXT_ID_AND_PARENT, [studyId, studyId, draft.parent])) as { next: number | string };
    throw new AutolabError('StoreError', `Trial ${Number(read.next)} names parent ${draft.parent}, which does not exist in study ${studyId}`);
  }
  const created = trialFromWrittenRow(inserted);
  if (draft.cost && !inlineCost) await insertCost(tx, studyId, created.id, draft.specialist, draft.cost, at);
  return created;
}

/** The baseline's path: the number `id` is forced, and must be free. */
async function createNumberedTrial(tx: SqlSession, at: string, studyId: number, draft: TrialDraft, id: number): Promise<TrialRecord> {
  const read = (await firstRow(tx, NEXT_ID_AND_PARENT, [studyId, studyId, draft.parent ?? id])) as { next: number | string; parents: number | string };
  if ((await trialRow(tx, studyId, id)) !== undefined) throw new AutolabError('StoreError', `Trial ${id} already exists in study ${studyId}`);
  if (draft.parent !== null && Number(read.parents) === 0) {
    throw new AutolabError('StoreError', `Trial ${id} names parent ${draft.parent}, which does not exist in study ${studyId}`);
  }
  const [inserted] = await changeWithEvent(tx, INSERT_TRIAL, [studyId, id, ...draftColumns(draft, at)], createdEvent(draft, at));
  if (draft.cost) await insertCost(tx, studyId, id, draft.specialist, draft.cost, at);
  return trialFromWrittenRow(inserted);
}

/** The draft's columns after `study_id` and `id`, in the order of both INSERTs. */
function draftColumns(draft: TrialDraft, at: string): unknown[] {
  return [
    draft.specialist,
    draft.parent,
    draft.hypothesis,
    draft.notes ?? '',
    draft.expectedDelta ?? null,
    draft.seed,
    draft.cost ? JSON.stringify(draft.cost) : null,
    draft.edit ? JSON.stringify(draft.edit) : null,
    draft.owner ? JSON.stringify(draft.owner) : null,
    at,
  ];
}

function createdEvent(draft: TrialDraft, at: string): ChangeEvent {
  return { type: 'trial.created', data: { specialist: draft.specialist, parent: draft.parent }, at };
}
