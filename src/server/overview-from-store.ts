/**
 * The study overview from the store's aggregate queries (`Store.aggregateTrials`): the
 * same `StudyOverview` that `buildOverview` computes from every trial (without the
 * timeline), built from counts and sums, the score plot thinned in SQL, and the few
 * trial records it shows (the chain, the recent trials, each cause's latest). Nothing is
 * held per trial, so the first overview of a study of 100,000 trials reads no trial row
 * it does not show.
 */
import type { Store, StudyAggregates } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import type { Objective } from '../core/task.ts';
import { failureOf } from '../core/trial-failure.ts';
import type { FailureLabel, TrialRecord } from '../core/trial.ts';
import type { ScorePlotData } from '../../web/plots/index.js';
import type { FailureCause } from '../views/failures-by-cause.ts';
import { incumbentCard, outcomeBars, type StudyOverview } from '../views/overview.ts';
import { SCORE_PLOT_FAILURES, SCORE_PLOT_POINTS } from '../views/score-plot-downsample.ts';
import { specialistTableOf } from '../views/specialist-table.ts';
import { summarizeTrial } from '../views/trial-summary.ts';

const RECENT = 10;
const CAUSES = 12;
const CAUSE_TRIALS = 20;

export interface OverviewFromStoreInput {
  store: Store & Required<Pick<Store, 'aggregateTrials'>>;
  study: StudyRecord;
  objective: Objective;
  revision: number;
  /** The score plot's budget of discarded points (default 2,000) and of failures (default 1,000), as `buildOverview`'s. */
  maxScorePoints?: number;
  maxScoreFailures?: number;
}

/**
 * @example
 * const overview = await overviewFromStore({ store, study, objective, revision });
 * // equals buildOverview({ study, objective, trials, slots, revision, now }, { timeline: false })
 */
export async function overviewFromStore(input: OverviewFromStoreInput): Promise<StudyOverview> {
  const { store, study, objective } = input;
  const max = input.maxScorePoints ?? SCORE_PLOT_POINTS;
  const maxFailures = input.maxScoreFailures ?? SCORE_PLOT_FAILURES;
  const aggregates = await store.aggregateTrials(study.id, { maxPoints: max, maxFailures, causeTrials: CAUSE_TRIALS });
  const chainIds = aggregates.incumbent === null ? [] : (await store.listAncestors(study.id, aggregates.incumbent)).map((link) => link.id).reverse();
  const recentIds = aggregates.maxId === null ? [] : (await store.listTrials(study.id, { descending: true, limit: RECENT, light: true })).map((trial) => trial.id);
  const underived = aggregates.causes.underived;
  const records = await readRecords(store, study.id, [0, ...chainIds, ...recentIds, ...underived]);
  const causes = groupCauses(aggregates, records);
  // The recent trials' parents (their deltas) and each cause's latest trial, read in a second round.
  const parents = recentIds.map((id) => records.get(id)?.parent).filter((id): id is number => id !== null && id !== undefined);
  for (const [id, record] of await readRecords(store, study.id, [...parents, ...causes.map((cause) => cause.lastTrial)].filter((id) => !records.has(id)))) records.set(id, record);

  const own = aggregates.groups.filter((group) => !group.baseline);
  const counts = { total: own.reduce((sum, group) => sum + group.count, 0), kept: 0, discarded: 0, failed: 0, running: 0, pending: 0 };
  for (const group of own) counts[group.status] += group.count;
  const chain = chainIds.map((id) => records.get(id)).filter((trial): trial is TrialRecord => trial !== undefined);
  const incumbent = aggregates.incumbent === null ? null : (records.get(aggregates.incumbent) ?? null);
  const baselineScore = records.get(0)?.score ?? null;
  const labels = labelCounts(aggregates);
  const summary = (trial: TrialRecord) => summarizeTrial(trial, records, objective);
  return {
    study: { id: study.id, name: study.name, createdAt: study.createdAt, elapsedMs: study.elapsedMs, objective },
    revision: input.revision,
    counts,
    baseline: { score: baselineScore },
    incumbent: incumbentCard(incumbent, baselineScore),
    costUsd: aggregates.groups.reduce((sum, group) => sum + group.costUsd, 0),
    computeMs: aggregates.groups.reduce((sum, group) => sum + group.computeMs, 0),
    scorePlot: scorePlot(aggregates, objective, baselineScore, labels, max, maxFailures),
    timeline: null,
    outcomes: outcomeBars(counts, labels),
    specialists: specialistTableOf(own, chain, objective),
    chain: chain.map(summary),
    recent: recentIds.flatMap((id) => (records.has(id) ? [summary(records.get(id)!)] : [])),
    failures: describeCauses(causes, records),
  };
}

async function readRecords(store: Store, studyId: number, ids: number[]): Promise<Map<number, TrialRecord>> {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  if (unique.length === 0) return new Map();
  return new Map((await store.listTrials(studyId, { ids: unique, light: true })).map((trial) => [trial.id, trial]));
}

/** Failed trials per label (the baseline's too), in the order their first failure came (as counted trial by trial). */
function labelCounts(aggregates: StudyAggregates): Map<FailureLabel, number> {
  const byLabel = new Map<FailureLabel, { count: number; first: number }>();
  for (const group of aggregates.groups) {
    if (group.status !== 'failed') continue;
    const label = group.label ?? 'crash';
    const entry = byLabel.get(label) ?? { count: 0, first: group.firstId };
    entry.count += group.count;
    entry.first = Math.min(entry.first, group.firstId);
    byLabel.set(label, entry);
  }
  return new Map([...byLabel].sort((a, b) => a[1].first - b[1].first).map(([label, entry]) => [label, entry.count]));
}

/** The score plot as `downsampleScorePlot` thins it, from the marks the store already thinned. */
function scorePlot(aggregates: StudyAggregates, objective: Objective, baseline: number | null, labels: ReadonlyMap<FailureLabel, number>, max: number, maxFailures: number): ScorePlotData {
  const kept = aggregates.kept.filter((entry): entry is [number, number] => entry[1] !== null);
  const points: ScorePlotData['points'] = [...kept.map(([id, score]) => [id, score, 'kept'] as [number, number, 'kept']), ...aggregates.discarded.map(([id, score]) => [id, score, 'discarded'] as [number, number, 'discarded'])].sort((a, b) => a[0] - b[0]);
  const scoredDiscarded = aggregates.groups.filter((group) => group.status === 'discarded').reduce((sum, group) => sum + group.scored, 0);
  const failedTotal = [...labels.values()].reduce((sum, count) => sum + count, 0);
  const plot: ScorePlotData = { metric: objective.metric, direction: objective.direction, baseline, maxId: aggregates.maxId ?? 0, points, failed: aggregates.failed, running: aggregates.unfinished, incumbent: kept };
  if (scoredDiscarded > max) plot.thinned = scoredDiscarded - aggregates.discarded.length;
  if (failedTotal > maxFailures) {
    plot.failedCounts = [...labels];
    plot.thinnedFailures = failedTotal - aggregates.failed.length;
  }
  return plot;
}

type CauseGroup = StudyAggregates['causes']['stored'][number];

/** The first 12 causes, most frequent first (`failuresByCause`'s order), from the store's groups and the failed trials without a stored signature (in `records`). */
function groupCauses(aggregates: StudyAggregates, records: ReadonlyMap<number, TrialRecord>): CauseGroup[] {
  const causes = new Map(aggregates.causes.stored.map((cause) => [cause.signature, { ...cause, specialists: { ...cause.specialists }, newest: [...cause.newest] }]));
  for (const id of aggregates.causes.underived) {
    const trial = records.get(id);
    const failure = trial ? failureOf(trial) : null;
    if (!trial || !failure) continue;
    const cause = causes.get(failure.signature) ?? { signature: failure.signature, count: 0, firstTrial: id, lastTrial: id, specialists: {}, newest: [] };
    cause.count++;
    cause.firstTrial = Math.min(cause.firstTrial, id);
    cause.lastTrial = Math.max(cause.lastTrial, id);
    cause.specialists[trial.specialist] = (cause.specialists[trial.specialist] ?? 0) + 1;
    cause.newest = [...cause.newest, id].sort((a, b) => a - b).slice(-CAUSE_TRIALS);
    causes.set(failure.signature, cause);
  }
  return [...causes.values()].sort((a, b) => b.count - a.count || b.lastTrial - a.lastTrial).slice(0, CAUSES);
}

/** Each cause as `failuresByCause` gives it (label, summary and frame of its latest trial, its last 20 trials). */
function describeCauses(causes: readonly CauseGroup[], records: ReadonlyMap<number, TrialRecord>): FailureCause[] {
  return causes.flatMap((cause) => {
    const latest = records.get(cause.lastTrial);
    const failure = latest ? failureOf(latest) : null;
    if (!latest || !failure) return [];
    return [{ signature: cause.signature, label: latest.label ?? 'crash', summary: failure.summary, frame: failure.frame, count: cause.count, firstTrial: cause.firstTrial, lastTrial: cause.lastTrial, trials: cause.newest, specialists: cause.specialists }];
  });
}
