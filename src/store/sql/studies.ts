/** The study rows: opening (creating once), reading, and the few fields that change. */
import { AutolabError } from '../../core/errors.ts';
import type { StudyRecord } from '../../core/study.ts';
import { studyFromRow } from '../rows.ts';
import { firstRow, type SqlSession } from './driver.ts';
import { insertEvent } from './events.ts';

const BY_NAME = 'SELECT * FROM studies WHERE name = ?';

/**
 * The study named `init.name`, created when absent. Two processes creating the same
 * study at once: one inserts, the other (on PostgreSQL) waits for its commit on the
 * unique name, inserts nothing, and then finds the row.
 */
export async function openStudy(tx: SqlSession, init: { name: string; taskHash: string; taskJson: string }): Promise<{ study: StudyRecord; created: boolean }> {
  const existing = await firstRow(tx, BY_NAME, [init.name]);
  if (existing !== undefined) return { study: studyFromRow(existing), created: false };
  const inserted = await firstRow(
    tx,
    `INSERT INTO studies (name, task_hash, task_json, baseline_commit, elapsed_ms, created_at)
     VALUES (?, ?, ?, NULL, 0, ${tx.dialect.now}) ON CONFLICT (name) DO NOTHING RETURNING *`,
    [init.name, init.taskHash, init.taskJson],
  );
  if (inserted === undefined) return { study: studyFromRow(await firstRow(tx, BY_NAME, [init.name])), created: false };
  const study = studyFromRow(inserted);
  await insertEvent(tx, study.id, null, 'study.created', { name: init.name, taskHash: init.taskHash }, study.createdAt);
  return { study, created: true };
}

export async function getStudy(session: SqlSession, name: string): Promise<StudyRecord | null> {
  const row = await firstRow(session, BY_NAME, [name]);
  return row === undefined ? null : studyFromRow(row);
}

export async function listStudies(session: SqlSession): Promise<StudyRecord[]> {
  return (await session.all('SELECT * FROM studies ORDER BY id')).map(studyFromRow);
}

export async function setBaselineCommit(tx: SqlSession, at: string, studyId: number, commit: string): Promise<void> {
  await tx.all('UPDATE studies SET baseline_commit = ? WHERE id = ?', [commit, studyId]);
  await insertEvent(tx, studyId, null, 'study.baseline_commit', { commit }, at);
}

export async function setTask(tx: SqlSession, at: string, before: StudyRecord, taskHash: string, taskJson: string): Promise<void> {
  await tx.all('UPDATE studies SET task_hash = ?, task_json = ? WHERE id = ?', [taskHash, taskJson, before.id]);
  await insertEvent(tx, before.id, null, 'study.task_changed', { previousTaskHash: before.taskHash, taskHash }, at);
}

/** Adds `ms` (a non-negative integer) to the study's elapsed time. */
export async function addElapsed(tx: SqlSession, at: string, before: StudyRecord, ms: number): Promise<void> {
  await tx.all('UPDATE studies SET elapsed_ms = elapsed_ms + ? WHERE id = ?', [ms, before.id]);
  await insertEvent(tx, before.id, null, 'study.elapsed', { addedMs: ms, elapsedMs: before.elapsedMs + ms }, at);
}

export async function renameStudy(tx: SqlSession, at: string, before: StudyRecord, newName: string): Promise<void> {
  if (before.name === newName) return;
  if ((await firstRow(tx, 'SELECT 1 AS taken FROM studies WHERE name = ?', [newName])) !== undefined) {
    throw new AutolabError('StoreError', `Cannot rename study ${before.name} to ${newName}: a study with that name exists`, {
      hint: 'choose another name, or archive the existing study first',
    });
  }
  await tx.all('UPDATE studies SET name = ? WHERE id = ?', [newName, before.id]);
  await insertEvent(tx, before.id, null, 'study.renamed', { previousName: before.name, name: newName }, at);
}
