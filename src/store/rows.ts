/**
 * The boundary between stored rows and core records: every row read back from a store
 * is validated here with zod (JSON columns included) and mapped to camelCase records.
 * Shared by every SQL adapter; a row that fails validation is a `StoreError` naming the
 * table, the key and the offending field.
 */
import { z } from 'zod';
import { AutolabError } from '../core/errors.ts';
import type { AncestorLink, StudyEvent, TrialDiffRow, TrialResult } from '../core/store.ts';
import { auditEventFromStored } from './audit-event-data.ts';
import type { StudyRecord } from '../core/study.ts';
import { deriveTrialFailure } from '../core/trial-failure.ts';
import { FAILURE_LABELS, type Edit, type TrialFailure, type TrialCost, type TrialOwner, type TrialRecord, type TrialTimings } from '../core/trial.ts';

const finiteNumber = z.number().refine(Number.isFinite, 'must be a finite number');
const integer = z.number().int();
const isoText = z.string().min(1);

const studyRowSchema = z.object({
  id: integer,
  name: z.string(),
  task_hash: z.string(),
  task_json: z.string(),
  baseline_commit: z.string().nullable(),
  elapsed_ms: integer,
  created_at: isoText,
});

const trialRowSchema = z.object({
  study_id: integer,
  id: integer,
  specialist: z.string(),
  parent: integer.nullable(),
  hypothesis: z.string(),
  notes: z.string(),
  expected_delta: finiteNumber.nullable(),
  status: z.enum(['pending', 'running', 'kept', 'discarded', 'failed']),
  label: z.enum(FAILURE_LABELS).nullable(),
  label_detail: z.string().nullable(),
  commit_sha: z.string().nullable(),
  tree: z.string().nullable(),
  diff: z.string().nullable(),
  metrics_json: z.string(),
  score: finiteNumber.nullable(),
  seed: integer,
  timings_json: z.string(),
  cost_json: z.string().nullable(),
  log_excerpt: z.string(),
  edit_json: z.string().nullable(),
  owner_json: z.string().nullable(),
  created_at: isoText,
  started_at: isoText.nullable(),
  finished_at: isoText.nullable(),
  heartbeat_at: isoText.nullable(),
  kept_at: isoText.nullable(),
  repeats_json: z.string().optional(),
  curve_json: z.string().optional(),
  failure_json: z.string().nullable().optional(),
});

const eventRowSchema = z.object({
  id: integer,
  study_id: integer,
  trial_id: integer.nullable(),
  at: isoText,
  type: z.string(),
  data_json: z.string(),
});

export const metricsSchema = z.record(z.string(), finiteNumber);

export const repeatsSchema = z.array(
  z.object({ repeat: z.number().int(), seed: z.number().int(), metrics: metricsSchema, runMs: finiteNumber, verification: z.boolean() }),
);

export const curveSchema = z.array(z.object({ repeat: z.number().int(), step: finiteNumber, name: z.string(), value: finiteNumber }));

export const timingsSchema = z.object({
  proposeMs: finiteNumber.optional(),
  materialiseMs: finiteNumber.optional(),
  legalityMs: finiteNumber.optional(),
  preflightMs: finiteNumber.optional(),
  smokeMs: finiteNumber.optional(),
  runMs: finiteNumber.optional(),
  scoreMs: finiteNumber.optional(),
  recordMs: finiteNumber.optional(),
  totalMs: finiteNumber.optional(),
}) satisfies z.ZodType<TrialTimings>;

export const costSchema = z.object({
  usd: finiteNumber,
  inputTokens: finiteNumber,
  outputTokens: finiteNumber,
  cachedTokens: finiteNumber,
}) satisfies z.ZodType<TrialCost>;

const ownerSchema = z.object({ host: z.string(), pid: integer, token: z.string() }) satisfies z.ZodType<TrialOwner>;

const editSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('patch'), patch: z.string() }),
  z.object({ kind: z.literal('files'), files: z.record(z.string(), z.string().nullable()) }),
]) satisfies z.ZodType<Edit>;

export const failureSchema = z.object({
  signature: z.string().min(1),
  summary: z.string(),
  frame: z.object({ file: z.string(), line: z.number().int(), source: z.string().nullable() }).nullable(),
}) satisfies z.ZodType<TrialFailure>;

const eventDataSchema = z.record(z.string(), z.unknown());

/** Raw row types as the SQL returns them (snake_case). */
export type TrialRow = z.infer<typeof trialRowSchema>;

function invalidRow(where: string, error: unknown): AutolabError {
  const detail = error instanceof z.ZodError ? z.prettifyError(error).replace(/\n/g, '; ') : String(error);
  return new AutolabError('StoreError', `Stored ${where} is malformed: ${detail}`, {
    cause: error,
    hint: 'the database was edited by hand or by an incompatible autolab version; restore it from a backup',
  });
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidRow(where, result.error);
  return result.data;
}

function parseJsonColumn<T>(schema: z.ZodType<T>, text: string, where: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidRow(where, error);
  }
  return parseWith(schema, value, where);
}

/** Validates a `studies` row and maps it to a `StudyRecord`. */
export function studyFromRow(row: unknown): StudyRecord {
  const r = parseWith(studyRowSchema, row, 'study row');
  return {
    id: r.id,
    name: r.name,
    taskHash: r.task_hash,
    taskJson: r.task_json,
    baselineCommit: r.baseline_commit,
    elapsedMs: r.elapsed_ms,
    createdAt: r.created_at,
  };
}

/** Validates a `trials` row (its JSON columns included) and maps it to a `TrialRecord`. */
export function trialFromRow(row: unknown): TrialRecord {
  return mapTrialRow(parseWith(trialRowSchema, row, 'trial row'), parseJsonColumn);
}

/**
 * Maps the row a write of this store just returned (`RETURNING *` of the INSERT or
 * UPDATE it made from validated input, store-rules.ts) without validating it again: its
 * JSON columns are parsed, not checked. Every row read back later goes through
 * `trialFromRow`.
 */
export function trialFromWrittenRow(row: unknown): TrialRecord {
  return mapTrialRow(row as TrialRow, (_schema, text, where) => {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw invalidRow(where, error);
    }
  });
}

type JsonColumnReader = <T>(schema: z.ZodType<T>, text: string, where: string) => T;

function mapTrialRow(r: TrialRow, parseJsonColumn: JsonColumnReader): TrialRecord {
  const where = (column: string) => `trial ${r.id} of study ${r.study_id} (column ${column})`;
  return {
    studyId: r.study_id,
    id: r.id,
    specialist: r.specialist,
    parent: r.parent,
    hypothesis: r.hypothesis,
    notes: r.notes,
    expectedDelta: r.expected_delta,
    status: r.status,
    label: r.label,
    labelDetail: r.label_detail,
    commit: r.commit_sha,
    tree: r.tree,
    diff: r.diff,
    metrics: parseJsonColumn(metricsSchema, r.metrics_json, where('metrics_json')),
    score: r.score,
    seed: r.seed,
    timings: parseJsonColumn(timingsSchema, r.timings_json, where('timings_json')),
    cost: r.cost_json === null ? null : parseJsonColumn(costSchema, r.cost_json, where('cost_json')),
    logExcerpt: r.log_excerpt,
    failure: failureFromRow(r, where('failure_json'), parseJsonColumn),
    repeats: r.repeats_json === undefined ? [] : parseJsonColumn(repeatsSchema, r.repeats_json, where('repeats_json')),
    curve: r.curve_json === undefined ? [] : parseJsonColumn(curveSchema, r.curve_json, where('curve_json')),
    edit: r.edit_json === null ? null : parseJsonColumn(editSchema, r.edit_json, where('edit_json')),
    owner: r.owner_json === null ? null : parseJsonColumn(ownerSchema, r.owner_json, where('owner_json')),
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    heartbeatAt: r.heartbeat_at,
  };
}

const ancestorRowSchema = trialRowSchema.pick({ id: true, parent: true, status: true, label: true, label_detail: true, commit_sha: true });

/** Validates a projected row of `listAncestors` and maps it to an `AncestorLink`. */
export function ancestorFromRow(row: unknown): AncestorLink {
  const r = parseWith(ancestorRowSchema, row, 'trial row');
  return { id: r.id, parent: r.parent, status: r.status, label: r.label, labelDetail: r.label_detail, commit: r.commit_sha };
}

const diffRowSchema = trialRowSchema.pick({ id: true, diff: true });

/** Validates a projected row of `listTrialDiffs` (`id, diff`). */
export function trialDiffFromRow(row: unknown): TrialDiffRow {
  const r = parseWith(diffRowSchema, row, 'trial row');
  return { id: r.id, diff: r.diff };
}

const resultRowSchema = trialRowSchema.pick({ id: true, specialist: true, label: true, score: true }).extend({
  status: z.enum(['kept', 'discarded', 'failed']),
  finished_at: isoText,
});

/** Validates a projected row of `listTrialResults` (a finished trial) and maps it to a `TrialResult`. */
export function trialResultFromRow(row: unknown): TrialResult {
  const r = parseWith(resultRowSchema, row, 'trial row');
  return { id: r.id, specialist: r.specialist, status: r.status, label: r.label, score: r.score, finishedAt: r.finished_at };
}

/** What recording an outcome needs of the trial it finishes (see `finishedTrialValues`). */
export type UnfinishedTrialState = Pick<TrialRecord, 'status' | 'specialist' | 'timings' | 'commit' | 'tree' | 'diff' | 'cost'>;

/** The columns `unfinishedStateFromRow` reads. */
export const UNFINISHED_STATE_COLUMNS = 'study_id, id, status, specialist, timings_json, commit_sha, tree, diff, cost_json';

const unfinishedStateRowSchema = trialRowSchema.pick({ study_id: true, id: true, status: true, specialist: true, timings_json: true, commit_sha: true, tree: true, diff: true, cost_json: true });

/** Validates a row of `UNFINISHED_STATE_COLUMNS` and maps it. */
export function unfinishedStateFromRow(row: unknown): UnfinishedTrialState {
  const r = parseWith(unfinishedStateRowSchema, row, 'trial row');
  const where = (column: string) => `trial ${r.id} of study ${r.study_id} (column ${column})`;
  return {
    status: r.status,
    specialist: r.specialist,
    timings: parseJsonColumn(timingsSchema, r.timings_json, where('timings_json')),
    commit: r.commit_sha,
    tree: r.tree,
    diff: r.diff,
    cost: r.cost_json === null ? null : parseJsonColumn(costSchema, r.cost_json, where('cost_json')),
  };
}

/**
 * The stored failure signature of a failed trial; for one recorded before migration 3 (or
 * by a path that does not write it), the signature derived from its label, detail and excerpt.
 */
function failureFromRow(r: TrialRow, where: string, readJson: JsonColumnReader = parseJsonColumn): TrialFailure | null {
  if (r.status !== 'failed') return null;
  if (r.failure_json != null) return readJson(failureSchema, r.failure_json, where);
  return deriveTrialFailure({ label: r.label, labelDetail: r.label_detail, logExcerpt: r.log_excerpt });
}

/** Built once: zod compiles a schema on first use, so a schema made per call costs that each time. */
const keptAtRowSchema = trialRowSchema.pick({ kept_at: true });

/** The `kept_at` column of a trial row (not part of `TrialRecord`), validated. */
export function keptAtFromRow(row: unknown): string | null {
  return parseWith(keptAtRowSchema, row, 'trial row').kept_at;
}

/** Validates an `events` row and maps it to a `StudyEvent` of the vocabulary (src/store/audit-event-data.ts). */
export function eventFromRow(row: unknown): StudyEvent {
  const r = parseWith(eventRowSchema, row, 'event row');
  return auditEventFromStored({
    id: r.id,
    studyId: r.study_id,
    trialId: r.trial_id,
    at: r.at,
    type: r.type,
    data: parseJsonColumn(eventDataSchema, r.data_json, `event ${r.id} (column data_json)`),
  });
}
