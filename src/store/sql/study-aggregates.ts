/**
 * What the dashboard's overview needs of a study, by aggregate queries (`Store.aggregateTrials`):
 * counts and sums grouped by specialist, status and label, the score plot already thinned
 * in SQL (every kept trial; the discarded cloud as the lowest and highest score of each
 * stretch of ids; one failure per label per stretch), the unfinished trials, and the
 * failures grouped by failure signature. No trial record is read and nothing returned
 * grows with the study beyond the kept trials, however many trials it has.
 */
import type { StudyAggregates, StudyAggregateOptions } from '../../core/store.ts';
import type { FailureLabel, TrialStatus } from '../../core/trial.ts';
import { firstRow, type SqlSession } from './driver.ts';

const number = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const nullableNumber = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** Past this many, a kind of mark is thinned (SQL mirrors src/views/score-plot-downsample.ts). */
const DEFAULT_MAX = 2000;

/**
 * @example
 * const aggregates = await aggregateTrials(session, studyId, {});
 * aggregates.groups; // [{ specialist: 'tuner', status: 'kept', label: null, baseline: false, count: 12, ... }]
 */
export async function aggregateTrials(session: SqlSession, studyId: number, options: StudyAggregateOptions): Promise<StudyAggregates> {
  const usd = session.dialect.jsonNumber('cost_json', ['usd']);
  const ms = session.dialect.jsonNumber('timings_json', ['totalMs']);
  const groups = (
    await session.all(
      `SELECT specialist, status, label, CASE WHEN id = 0 THEN 1 ELSE 0 END AS baseline, COUNT(*) AS n, SUM(CASE WHEN score IS NULL THEN 0 ELSE 1 END) AS scored, SUM(${usd}) AS usd, SUM(${ms}) AS ms, MAX(id) AS max_id, MIN(id) AS min_id
       FROM trials WHERE study_id = ? GROUP BY specialist, status, label, CASE WHEN id = 0 THEN 1 ELSE 0 END`,
      [studyId],
    )
  ).map((row) => {
    const r = row as Record<string, unknown>;
    return { specialist: String(r.specialist), status: r.status as TrialStatus, label: (r.label ?? null) as FailureLabel | null, baseline: number(r.baseline) === 1, count: number(r.n), scored: number(r.scored), costUsd: number(r.usd), computeMs: number(r.ms), maxId: number(r.max_id), firstId: number(r.min_id) };
  });
  const maxId = groups.length === 0 ? null : Math.max(...groups.map((group) => group.maxId));
  const span = (maxId ?? 0) + 1;
  const count = (status: TrialStatus, of: 'count' | 'scored' = 'count') => groups.filter((group) => group.status === status).reduce((sum, group) => sum + group[of], 0);
  const maxPoints = options.maxPoints ?? DEFAULT_MAX;
  const maxFailures = options.maxFailures ?? DEFAULT_MAX;
  const kept = (await session.all(`SELECT id, score FROM trials WHERE study_id = ? AND status = 'kept' ORDER BY id`, [studyId])).map((row) => {
    const r = row as { id: unknown; score: unknown };
    return [number(r.id), nullableNumber(r.score)] as [number, number | null];
  });
  const incumbent = (await firstRow(session, `SELECT id FROM trials WHERE study_id = ? AND status = 'kept' ORDER BY COALESCE(finished_at, '') DESC, id DESC LIMIT 1`, [studyId])) as { id: unknown } | undefined;
  const unfinished = (await session.all(`SELECT id FROM trials WHERE study_id = ? AND status IN ('pending', 'running') ORDER BY id`, [studyId])).map((row) => number((row as { id: unknown }).id));
  return {
    groups: groups.map(({ maxId: _, ...group }) => group),
    maxId,
    incumbent: incumbent === undefined ? null : number(incumbent.id),
    kept,
    discarded: await discardedMarks(session, studyId, count('discarded', 'scored') > maxPoints ? Math.max(1, Math.floor(maxPoints / 2)) : null, span),
    failed: await failedMarks(session, studyId, count('failed') > maxFailures ? Math.max(1, Math.floor(maxFailures / 2)) : null, span),
    unfinished,
    causes: await failureCauses(session, studyId, options.causeTrials ?? 20),
  };
}

/** The stretch of ids a trial falls in: `floor(id * buckets / span)` in integers (the same in JS). */
function bucketSql(buckets: number, span: number): string {
  return `(id * ${Math.trunc(buckets)}) / ${Math.trunc(span)}`;
}

/** Every discarded [id, score] (`buckets` null), or the lowest and highest score of each stretch of ids (ties: the lowest id). */
async function discardedMarks(session: SqlSession, studyId: number, buckets: number | null, span: number): Promise<Array<[number, number]>> {
  const scored = `study_id = ? AND status = 'discarded' AND score IS NOT NULL`;
  const rows = buckets === null
    ? await session.all(`SELECT id, score FROM trials WHERE ${scored} ORDER BY id`, [studyId])
    : await session.all(
        `SELECT id, score FROM (
           SELECT id, score, ROW_NUMBER() OVER (PARTITION BY b ORDER BY score ASC, id ASC) AS lo, ROW_NUMBER() OVER (PARTITION BY b ORDER BY score DESC, id ASC) AS hi
           FROM (SELECT id, score, ${bucketSql(buckets, span)} AS b FROM trials WHERE ${scored}) AS marked
         ) AS ranked WHERE lo = 1 OR hi = 1 ORDER BY id`,
        [studyId],
      );
  return rows.map((row) => [number((row as { id: unknown }).id), number((row as { score: unknown }).score)]);
}

/** Every failed [id, label] (`buckets` null), or the lowest id of each label in each stretch of ids. */
async function failedMarks(session: SqlSession, studyId: number, buckets: number | null, span: number): Promise<Array<[number, FailureLabel]>> {
  const label = `COALESCE(label, 'crash')`;
  const rows = buckets === null
    ? await session.all(`SELECT id, ${label} AS label FROM trials WHERE study_id = ? AND status = 'failed' ORDER BY id`, [studyId])
    : await session.all(`SELECT MIN(id) AS id, ${label} AS label FROM trials WHERE study_id = ? AND status = 'failed' GROUP BY ${bucketSql(buckets, span)}, ${label} ORDER BY MIN(id)`, [studyId]);
  return rows.map((row) => [number((row as { id: unknown }).id), String((row as { label: unknown }).label) as FailureLabel]);
}

/**
 * Failed trials grouped by their stored failure signature (count, first and last trial,
 * trials per specialist, the newest `perCause` trials); the failed trials without a stored
 * signature (recorded before it was stored) are listed apart for the caller to derive.
 */
async function failureCauses(session: SqlSession, studyId: number, perCause: number): Promise<StudyAggregates['causes']> {
  const signature = session.dialect.jsonMember('failure_json', 'signature');
  const failed = `study_id = ? AND status = 'failed' AND failure_json IS NOT NULL`;
  const bySpecialist = await session.all(`SELECT ${signature} AS signature, specialist, COUNT(*) AS n, MIN(id) AS first_id, MAX(id) AS last_id FROM trials WHERE ${failed} GROUP BY ${signature}, specialist`, [studyId]);
  const causes = new Map<string, StudyAggregates['causes']['stored'][number]>();
  for (const row of bySpecialist) {
    const r = row as Record<string, unknown>;
    const key = String(r.signature);
    const cause = causes.get(key) ?? { signature: key, count: 0, firstTrial: number(r.first_id), lastTrial: number(r.last_id), specialists: {}, newest: [] };
    cause.count += number(r.n);
    cause.firstTrial = Math.min(cause.firstTrial, number(r.first_id));
    cause.lastTrial = Math.max(cause.lastTrial, number(r.last_id));
    cause.specialists[String(r.specialist)] = number(r.n);
    causes.set(key, cause);
  }
  const newest = await session.all(
    `SELECT signature, id FROM (SELECT ${signature} AS signature, id, ROW_NUMBER() OVER (PARTITION BY ${signature} ORDER BY id DESC) AS k FROM trials WHERE ${failed}) AS ranked WHERE k <= ? ORDER BY id`,
    [studyId, perCause],
  );
  for (const row of newest) causes.get(String((row as { signature: unknown }).signature))?.newest.push(number((row as { id: unknown }).id));
  const underived = (await session.all(`SELECT id FROM trials WHERE study_id = ? AND status = 'failed' AND failure_json IS NULL ORDER BY id`, [studyId])).map((row) => number((row as { id: unknown }).id));
  return { stored: [...causes.values()], underived };
}
