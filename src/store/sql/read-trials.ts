/** Reading trials: one trial, the filtered list, the count, and the incumbent. */
import { AutolabError } from '../../core/errors.ts';
import type { AncestorLink, TrialDiffRow, TrialFilter, TrialListFilter } from '../../core/store.ts';
import { FINISHED_STATUSES, type TrialRecord } from '../../core/trial.ts';
import { ancestorFromRow, trialDiffFromRow, trialFromRow, UNFINISHED_STATE_COLUMNS, unfinishedStateFromRow, type UnfinishedTrialState } from '../rows.ts';
import { firstRow, type SqlSession } from './driver.ts';

/** The most recently kept trial: the latest `kept_at` (uses the `trials_kept` index). */
/**
 * The incumbent: the most recently kept trial. Every kept trial has a `kept_at`; saying so
 * (`kept_at IS NOT NULL`) lets both databases walk the partial index `trials_kept`
 * backwards to the first row instead of sorting every kept trial (read before every
 * scored trial is recorded, so it is paid at every size).
 */
export const INCUMBENT_SQL = `SELECT * FROM trials WHERE study_id = ? AND status = 'kept' AND kept_at IS NOT NULL ORDER BY kept_at DESC, id DESC LIMIT 1`;

/** The raw row of a trial (validated by the caller), or undefined. */
export function trialRow(session: SqlSession, studyId: number, trialId: number): Promise<unknown> {
  return firstRow(session, 'SELECT * FROM trials WHERE study_id = ? AND id = ?', [studyId, trialId]);
}

export async function getTrial(session: SqlSession, studyId: number, trialId: number): Promise<TrialRecord | null> {
  const row = await trialRow(session, studyId, trialId);
  return row === undefined ? null : trialFromRow(row);
}

/** The trial, which must exist and not be finished (a finished trial is immutable). */
export async function requireUnfinishedTrial(tx: SqlSession, studyId: number, trialId: number): Promise<TrialRecord> {
  const row = await trialRow(tx, studyId, trialId);
  if (row === undefined) throw new AutolabError('StoreError', `Trial ${trialId} does not exist in study ${studyId}`);
  const trial = trialFromRow(row);
  if (FINISHED_STATUSES.has(trial.status)) {
    throw new AutolabError('StoreError', `Trial ${trialId} of study ${studyId} is already ${trial.status}; a finished trial is immutable`, {
      hint: 'record a new trial instead of changing a finished one',
    });
  }
  return trial;
}

/**
 * What recording an outcome reads of the trial, projected (no edit, log, repeats or
 * curve read or parsed): it must exist and not be finished.
 */
export async function requireUnfinishedTrialState(tx: SqlSession, studyId: number, trialId: number): Promise<UnfinishedTrialState> {
  const row = await firstRow(tx, `SELECT ${UNFINISHED_STATE_COLUMNS} FROM trials WHERE study_id = ? AND id = ?`, [studyId, trialId]);
  if (row === undefined) throw new AutolabError('StoreError', `Trial ${trialId} does not exist in study ${studyId}`);
  const state = unfinishedStateFromRow(row);
  if (FINISHED_STATUSES.has(state.status)) return requireUnfinishedTrial(tx, studyId, trialId); // throws, as for any other write
  return state;
}

/**
 * The unfinished trial's state and the incumbent, in one statement (one round trip):
 * `role` 0 is the trial, 1 the incumbent (`INCUMBENT_SQL`, same index walk).
 */
export const STATE_AND_INCUMBENT_SQL = `SELECT 0 AS role, t.* FROM trials t WHERE t.study_id = ? AND t.id = ?
  UNION ALL SELECT * FROM (SELECT 1 AS role, k.* FROM trials k WHERE k.study_id = ? AND k.status = 'kept' AND k.kept_at IS NOT NULL ORDER BY k.kept_at DESC, k.id DESC LIMIT 1) AS incumbent`;

/** `STATE_AND_INCUMBENT_SQL` with its parameters (a statement a transaction may send with its lock). */
export function stateAndIncumbentRead(studyId: number, trialId: number): { sql: string; params: unknown[] } {
  return { sql: STATE_AND_INCUMBENT_SQL, params: [studyId, trialId, studyId] };
}

/**
 * `requireUnfinishedTrialState` and `incumbentRow` in one round trip (recording a scored
 * outcome reads both under the study lock); `read`: its rows, already read under the lock.
 */
export async function requireUnfinishedTrialStateAndIncumbent(tx: SqlSession, studyId: number, trialId: number, read?: unknown[]): Promise<{ state: UnfinishedTrialState; incumbent: unknown }> {
  const rows = (read ?? (await tx.all(STATE_AND_INCUMBENT_SQL, [studyId, trialId, studyId]))) as Array<{ role: number | string }>;
  const row = rows.find((candidate) => Number(candidate.role) === 0);
  if (row === undefined) throw new AutolabError('StoreError', `Trial ${trialId} does not exist in study ${studyId}`);
  const state = unfinishedStateFromRow(row);
  if (FINISHED_STATUSES.has(state.status)) await requireUnfinishedTrial(tx, studyId, trialId); // throws, as for any other write
  return { state, incumbent: rows.find((candidate) => Number(candidate.role) === 1) };
}

/** The WHERE clause (and its parameters) of a trial filter. */
function trialWhere(studyId: number, filter: Pick<TrialFilter, 'status' | 'specialist' | 'afterId' | 'ids' | 'tree'>): { where: string; params: unknown[] } {
  const clauses = ['study_id = ?'];
  const params: unknown[] = [studyId];
  if (filter.status !== undefined) {
    clauses.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
    params.push(...filter.status);
  }
  if (filter.specialist !== undefined) {
    clauses.push('specialist = ?');
    params.push(filter.specialist);
  }
  if (filter.afterId !== undefined) {
    clauses.push('id > ?');
    params.push(filter.afterId);
  }
  if (filter.ids !== undefined) {
    clauses.push(`id IN (${idPlaceholders(filter.ids.length)})`);
    params.push(...filter.ids, ...idPadding(filter.ids));
  }
  if (filter.tree !== undefined) {
    clauses.push('tree = ?');
    params.push(filter.tree);
  }
  return { where: clauses.join(' AND '), params };
}

/**
 * `IN (...)` lists of ids are padded up to a power of two (repeating the last id), so
 * the drivers' statement caches see a handful of texts, not one per list length.
 */
function idListLength(count: number): number {
  return count <= 1 ? 1 : 2 ** Math.ceil(Math.log2(count));
}

function idPlaceholders(count: number): string {
  return Array.from({ length: idListLength(count) }, () => '?').join(', ');
}

function idPadding(ids: readonly number[]): number[] {
  return Array.from({ length: idListLength(ids.length) - ids.length }, () => ids.at(-1)!);
}

/** Ids per statement when a filter lists ids (far below either dialect's parameter limit). */
const IDS_PER_QUERY = 512;

/**
 * A trial row without its bulky columns (`TrialFilter.light`): the diff, the edit, the
 * curve and the repeats left out, the log excerpt kept only where the failure signature
 * must be derived from it (a failed trial recorded without one).
 */
export const LIGHT_TRIAL_COLUMNS = [
  'study_id', 'id', 'specialist', 'parent', 'hypothesis', 'notes', 'expected_delta', 'status', 'label', 'label_detail', 'commit_sha', 'tree',
  'NULL AS diff', 'metrics_json', 'score', 'seed', 'timings_json', 'cost_json',
  "CASE WHEN status = 'failed' AND failure_json IS NULL THEN log_excerpt ELSE '' END AS log_excerpt",
  'NULL AS edit_json', 'owner_json', 'created_at', 'started_at', 'finished_at', 'heartbeat_at', 'kept_at', 'failure_json',
].join(', ');

/**
 * Fewer columns still (`TrialFilter.light: 'lineage'`): what a lineage index keeps of a
 * trial outside its window: ids, specialist, parent, status, label, score, notes, times
 * and the failure signature (else the detail and log it is derived from); the hypothesis
 * '', the metrics, timings and seed empty, the rest null.
 */
export const LINEAGE_TRIAL_COLUMNS = [
  'study_id', 'id', 'specialist', 'parent', "'' AS hypothesis", 'notes', 'NULL AS expected_delta', 'status', 'label',
  'CASE WHEN failure_json IS NULL THEN label_detail ELSE NULL END AS label_detail', 'NULL AS commit_sha', 'NULL AS tree',
  "NULL AS diff", "'{}' AS metrics_json", 'score', '0 AS seed', "'{}' AS timings_json", 'NULL AS cost_json',
  "CASE WHEN status = 'failed' AND failure_json IS NULL THEN log_excerpt ELSE '' END AS log_excerpt",
  'NULL AS edit_json', 'NULL AS owner_json', 'created_at', 'started_at', 'finished_at', 'NULL AS heartbeat_at', 'kept_at', 'failure_json',
].join(', ');

/** Trials in id order (newest first with `descending`). An empty `status` or `ids` list matches nothing. */
export async function listTrials(session: SqlSession, studyId: number, filter: TrialListFilter): Promise<TrialRecord[]> {
  if (filter.status?.length === 0 || filter.ids?.length === 0) return [];
  if (filter.ids !== undefined && filter.ids.length > IDS_PER_QUERY) {
    const { ids, limit, ...rest } = filter;
    const chunks: TrialRecord[] = [];
    for (let start = 0; start < ids.length; start += IDS_PER_QUERY) chunks.push(...(await listTrials(session, studyId, { ...rest, ids: ids.slice(start, start + IDS_PER_QUERY) })));
    chunks.sort((a, b) => (filter.descending ? b.id - a.id : a.id - b.id));
    return limit === undefined ? chunks : chunks.slice(0, limit);
  }
  if (filter.limit !== undefined && (!Number.isSafeInteger(filter.limit) || filter.limit < 0)) {
    throw new AutolabError('StoreError', `listTrials needs a non-negative integer limit, got ${filter.limit}`);
  }
  const { where, params } = trialWhere(studyId, filter);
  let sql = `SELECT ${filter.light === 'lineage' ? LINEAGE_TRIAL_COLUMNS : filter.light ? LIGHT_TRIAL_COLUMNS : '*'} FROM trials WHERE ${where} ORDER BY id ${filter.descending ? 'DESC' : 'ASC'}`;
  if (filter.limit !== undefined) {
    sql += ' LIMIT ?';
    params.push(filter.limit);
  }
  return (await session.all(sql, params)).map(trialFromRow);
}

/**
 * The stored diff of each of `ids` (existing ones, id order), projected to `id, diff`: what
 * the dashboard's diff between two trials shows, without reading or validating the rest of
 * each record. Lists longer than `IDS_PER_QUERY` are read in chunks.
 */
export async function listTrialDiffs(session: SqlSession, studyId: number, ids: readonly number[]): Promise<TrialDiffRow[]> {
  const rows: TrialDiffRow[] = [];
  for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
    const { where, params } = trialWhere(studyId, { ids: ids.slice(start, start + IDS_PER_QUERY) });
    for (const row of await session.all(`SELECT id, diff FROM trials WHERE ${where} ORDER BY id`, params)) rows.push(trialDiffFromRow(row));
  }
  return rows.sort((a, b) => a.id - b.id);
}

/** An empty `status` list counts nothing. */
export async function countTrials(session: SqlSession, studyId: number, filter: Pick<TrialFilter, 'status'>): Promise<number> {
  if (filter.status?.length === 0) return 0;
  const { where, params } = trialWhere(studyId, filter);
  return ((await firstRow(session, `SELECT COUNT(*) AS n FROM trials WHERE ${where}`, params)) as { n: number }).n;
}

const ANCESTORS_SQL = `WITH RECURSIVE chain (id, parent, status, label, label_detail, commit_sha) AS (
  SELECT id, parent, status, label, label_detail, commit_sha FROM trials WHERE study_id = ? AND id = ?
  UNION
  SELECT t.id, t.parent, t.status, t.label, t.label_detail, t.commit_sha FROM trials t JOIN chain c ON t.study_id = ? AND t.id = c.parent
) SELECT id, parent, status, label, label_detail, commit_sha FROM chain`;

/**
 * The chain from `trialId` up to the root, `trialId` first, in one recursive query over
 * the primary key (`UNION` ends a cycle); rows validated as trial rows are.
 */
export async function listAncestors(session: SqlSession, studyId: number, trialId: number): Promise<AncestorLink[]> {
  const byId = new Map((await session.all(ANCESTORS_SQL, [studyId, trialId, studyId])).map((row) => {
    const link = ancestorFromRow(row);
    return [link.id, link] as const;
  }));
  const chain: AncestorLink[] = [];
  for (let link = byId.get(trialId); link !== undefined && chain.length < byId.size; link = link.parent === null ? undefined : byId.get(link.parent)) chain.push(link);
  return chain;
}

/** The raw row of the incumbent (its `kept_at` is not part of TrialRecord), or undefined. */
export function incumbentRow(session: SqlSession, studyId: number): Promise<unknown> {
  return firstRow(session, INCUMBENT_SQL, [studyId]);
}

export async function getIncumbent(session: SqlSession, studyId: number): Promise<TrialRecord | null> {
  const row = await incumbentRow(session, studyId);
  return row === undefined ? null : trialFromRow(row);
}
