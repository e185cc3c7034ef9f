/**
 * Per-level measurements of trials on a fidelity ladder (`trial_levels`): one row per
 * trial and level, written while the trial is unfinished (a finished trial is
 * immutable), with its audit event in the same transaction. Rows are validated here.
 */
import { z } from 'zod';
import { AutolabError } from '../../core/errors.ts';
import type { TrialLevelRecord } from '../../core/fidelity.ts';
import { FAILURE_LABELS } from '../../core/trial.ts';
import type { SqlSession } from './driver.ts';
import { insertEvent } from './events.ts';
import { requireUnfinishedTrial } from './read-trials.ts';

/** What the evaluator records of one level (the store adds the trial id and the time). */
export type TrialLevelDraft = Omit<TrialLevelRecord, 'trialId' | 'measuredAt'>;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const rowSchema = z.object({
  study_id: z.number().int(),
  trial_id: z.number().int(),
  level: z.number().int().min(0),
  level_name: z.string(),
  status: z.enum(['scored', 'failed']),
  label: z.enum(FAILURE_LABELS).nullable(),
  score: finite.nullable(),
  metrics_json: z.string(),
  samples_json: z.string(),
  run_ms: z.number().int().min(0),
  measured_at: z.string().min(1),
});
const metricsSchema = z.record(z.string(), finite);
const samplesSchema = z.array(finite);

function levelFromRow(row: unknown): TrialLevelRecord {
  const parsed = rowSchema.safeParse(row);
  const where = (column: string) => `trial level (column ${column})`;
  if (!parsed.success) throw new AutolabError('StoreError', `Stored trial level is malformed: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  const r = parsed.data;
  const json = <T>(schema: z.ZodType<T>, text: string, column: string): T => {
    try {
      return schema.parse(JSON.parse(text));
    } catch (error) {
      throw new AutolabError('StoreError', `Stored ${where(column)} of trial ${r.trial_id}, level ${r.level} is malformed: ${(error as Error).message}`, { cause: error });
    }
  };
  return {
    trialId: r.trial_id,
    level: r.level,
    levelName: r.level_name,
    status: r.status,
    label: r.label,
    score: r.score,
    metrics: json(metricsSchema, r.metrics_json, 'metrics_json'),
    samples: json(samplesSchema, r.samples_json, 'samples_json'),
    runMs: r.run_ms,
    measuredAt: r.measured_at,
  };
}

/** Checks a level draft before it is written (a StoreError names what is wrong). */
export function validateLevelDraft(trialId: number, draft: TrialLevelDraft): void {
  const problem =
    !Number.isInteger(draft.level) || draft.level < 0
      ? `level must be a whole number >= 0, got ${draft.level}`
      : draft.status === 'scored' && (draft.score === null || !Number.isFinite(draft.score))
        ? 'a scored level needs a finite score'
        : draft.status === 'failed' && draft.label === null
          ? 'a failed level needs a failure label'
          : [...Object.values(draft.metrics), ...draft.samples].some((value) => !Number.isFinite(value))
            ? 'metrics and samples must be finite numbers'
            : !(draft.runMs >= 0)
              ? `runMs must be >= 0, got ${draft.runMs}`
              : null;
  if (problem !== null) throw new AutolabError('StoreError', `Cannot record a level of trial ${trialId}: ${problem}`);
}

/**
 * Records (or, on a re-run after an interruption, replaces) the trial's measurement at
 * `draft.level`; the trial must exist and be unfinished. Appends `trial.level_measured`.
 */
export async function recordTrialLevel(tx: SqlSession, at: string, studyId: number, trialId: number, draft: TrialLevelDraft): Promise<TrialLevelRecord> {
  await requireUnfinishedTrial(tx, studyId, trialId);
  await tx.all('DELETE FROM trial_levels WHERE study_id = ? AND trial_id = ? AND level = ?', [studyId, trialId, draft.level]);
  const runMs = Math.round(draft.runMs);
  await tx.all('INSERT INTO trial_levels (study_id, trial_id, level, level_name, status, label, score, metrics_json, samples_json, run_ms, measured_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
    studyId,
    trialId,
    draft.level,
    draft.levelName,
    draft.status,
    draft.label,
    draft.score,
    JSON.stringify(draft.metrics),
    JSON.stringify(draft.samples),
    runMs,
    at,
  ]);
  await insertEvent(tx, studyId, trialId, 'trial.level_measured', { level: draft.level, levelName: draft.levelName, status: draft.status, label: draft.label, score: draft.score, runMs }, at);
  return { ...draft, trialId, runMs, measuredAt: at };
}

/** The study's level records (of the listed trials only, when given), by trial then level. */
export async function listTrialLevels(session: SqlSession, studyId: number, trialIds?: readonly number[]): Promise<TrialLevelRecord[]> {
  if (trialIds !== undefined && trialIds.length === 0) return [];
  const params: unknown[] = [studyId];
  let sql = 'SELECT * FROM trial_levels WHERE study_id = ?';
  if (trialIds !== undefined) {
    sql += ` AND trial_id IN (${trialIds.map(() => '?').join(', ')})`;
    params.push(...trialIds);
  }
  return (await session.all(`${sql} ORDER BY trial_id, level`, params)).map(levelFromRow);
}
