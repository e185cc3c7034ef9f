/** Recording a new trial: its number (allocated under the study lock), its row, its first charge, its event. */
import { AutolabError } from '../../core/errors.ts';
import type { TrialDraft } from '../../core/store.ts';
import type { TrialRecord } from '../../core/trial.ts';
import { trialFromRow } from '../rows.ts';
import { insertCost } from './costs.ts';
import { firstRow, type SqlSession } from './driver.ts';
import { changeWithEvent } from './change-with-event.ts';
import { trialRow } from './read-trials.ts';

const INSERT_TRIAL = `INSERT INTO trials (study_id, id, specialist, parent, hypothesis, notes, expected_delta, status, seed, cost_json, edit_json, owner_json, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) RETURNING *`;

/** The next number and whether the parent exists, in one statement. */
const NEXT_ID_AND_PARENT = `SELECT (SELECT COALESCE(MAX(id), 0) + 1 FROM trials WHERE study_id = ?) AS next,
  (SELECT COUNT(*) FROM trials WHERE study_id = ? AND id = ?) AS parents`;

/**
 * Inserts `draft` (already validated) as a `pending` trial numbered `MAX(id) + 1`, or
 * `draft.id` when forced. Runs in a study transaction, so numbers never collide. One
 * read (the number, the parent), then the row with its event (one round trip on
 * PostgreSQL), then the first charge if any.
 */
export async function createTrial(tx: SqlSession, at: string, studyId: number, draft: TrialDraft): Promise<TrialRecord> {
  const read = (await firstRow(tx, NEXT_ID_AND_PARENT, [studyId, studyId, draft.parent ?? draft.id ?? -1])) as { next: number | string; parents: number | string };
  let id: number;
  if (draft.id !== undefined) {
    if ((await trialRow(tx, studyId, draft.id)) !== undefined) throw new AutolabError('StoreError', `Trial ${draft.id} already exists in study ${studyId}`);
    id = draft.id;
  } else {
    id = Number(read.next);
  }
  if (draft.parent !== null && Number(read.parents) === 0) {
    throw new AutolabError('StoreError', `Trial ${id} names parent ${draft.parent}, which does not exist in study ${studyId}`);
  }
  const [inserted] = await changeWithEvent(
    tx,
    INSERT_TRIAL,
    [
      studyId,
      id,
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
    ],
    { type: 'trial.created', data: { specialist: draft.specialist, parent: draft.parent }, at },
  );
  if (draft.cost) await insertCost(tx, studyId, id, draft.specialist, draft.cost, at);
  return trialFromRow(inserted);
}
