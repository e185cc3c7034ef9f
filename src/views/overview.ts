/**
 * The study overview: headline figures and the data of every overview plot, computed
 * from the trials (pure; the server caches it per study revision, the report calls it
 * once).
 */
import type { OutcomeBarsData, ScorePlotData, TimelineData } from '../../web/plots/index.js';
import type { StudyRecord } from '../core/study.ts';
import type { Objective } from '../core/task.ts';
import type { FailureLabel, TrialRecord } from '../core/trial.ts';
import type { TrialSlot } from './study-snapshot.ts';
import { failuresByCause, type FailureCause } from './failures-by-cause.ts';
import { chainTo, incumbentOf } from './lineage-view.ts';
import { downsampleScorePlot } from './score-plot-downsample.ts';
import { specialistTable, type SpecialistRow } from './specialist-table.ts';
import { timelineData } from './timeline-view.ts';
import { summarizeTrial, type TrialSummary } from './trial-summary.ts';

export interface StudyOverview {
  study: { id: number; name: string; createdAt: string; elapsedMs: number; objective: Objective };
  /** The id of the last audit-log event reflected here. */
  revision: number;
  counts: { total: number; kept: number; discarded: number; failed: number; running: number; pending: number };
  baseline: { score: number | null };
  incumbent: { id: number; score: number | null; deltaVsBaseline: number | null; specialist: string; hypothesis: string } | null;
  costUsd: number;
  computeMs: number;
  scorePlot: ScorePlotData;
  /** Null when left out (the dashboard fetches it apart: /timeline). */
  timeline: TimelineData | null;
  outcomes: OutcomeBarsData;
  specialists: SpecialistRow[];
  /** Baseline → incumbent, each step with its specialist, hypothesis and delta. */
  chain: TrialSummary[];
  /** The most recent trials, newest first. */
  recent: TrialSummary[];
  /** Failures by cause (failure signature), most frequent first, at most 12; each lists at most its last 20 trials. */
  failures: FailureCause[];
}

export interface OverviewInput {
  study: StudyRecord;
  objective: Objective;
  /** All trials of the study, in id order. */
  trials: readonly TrialRecord[];
  slots: ReadonlyMap<number, TrialSlot>;
  revision: number;
  now: number;
}

const RECENT = 10;
const CAUSES = 12;
const CAUSE_TRIALS = 20;

/**
 * Builds the overview of a study (`timeline: false` leaves the slot timeline out); the
 * score plot's discarded points are thinned past `maxScorePoints` (default 2,000) and its
 * failures past `maxScoreFailures` (default 1,000): every kept step stays, every failure
 * keeps a cross of its label within a pixel (score-plot-downsample.ts).
 */
export function buildOverview(input: OverviewInput, options: { timeline?: boolean; maxScorePoints?: number; maxScoreFailures?: number } = {}): StudyOverview {
  const { trials, objective } = input;
  const byId = new Map(trials.map((trial) => [trial.id, trial]));
  const counts = { total: trials.filter((trial) => trial.id !== 0).length, kept: 0, discarded: 0, failed: 0, running: 0, pending: 0 };
  const labelCounts = new Map<FailureLabel, number>();
  let costUsd = 0;
  let computeMs = 0;
  const scorePlot: ScorePlotData = { metric: objective.metric, direction: objective.direction, baseline: byId.get(0)?.score ?? null, maxId: 0, points: [], failed: [], running: [], incumbent: [] };
  for (const trial of trials) {
    if (trial.id !== 0) counts[trial.status]++; // the baseline is not a trial of the counts (core/trial-counts.ts)
    costUsd += trial.cost?.usd ?? 0;
    computeMs += trial.timings.totalMs ?? 0;
    scorePlot.maxId = Math.max(scorePlot.maxId, trial.id);
    if (trial.status === 'failed') {
      const label = trial.label ?? 'crash';
      labelCounts.set(label, (labelCounts.get(label) ?? 0) + 1);
      scorePlot.failed.push([trial.id, label]);
    } else if (trial.status === 'kept' || trial.status === 'discarded') {
      if (trial.score !== null) scorePlot.points.push([trial.id, trial.score, trial.status]);
      if (trial.status === 'kept' && trial.score !== null) scorePlot.incumbent.push([trial.id, trial.score]);
    } else scorePlot.running.push(trial.id);
  }
  const incumbent = incumbentOf(trials);
  const chain = chainTo(incumbent, byId);
  const plotted = downsampleScorePlot(scorePlot, options.maxScorePoints, options.maxScoreFailures);
  const baselineScore = byId.get(0)?.score ?? null;
  const outcomes = outcomeBars(counts, labelCounts);
  const summary = (trial: TrialRecord) => summarizeTrial(trial, byId, objective);
  return {
    study: { id: input.study.id, name: input.study.name, createdAt: input.study.createdAt, elapsedMs: input.study.elapsedMs, objective },
    revision: input.revision,
    counts,
    baseline: { score: baselineScore },
    incumbent: incumbentCard(incumbent, baselineScore),
    costUsd,
    computeMs,
    scorePlot: plotted,
    timeline: options.timeline === false ? null : timelineData(trials, input.slots, input.now),
    outcomes,
    specialists: specialistTable(trials, chain, objective),
    chain: chain.map(summary),
    recent: trials.slice(-RECENT).reverse().map(summary),
    failures: failuresByCause(trials).slice(0, CAUSES).map((cause) => ({ ...cause, trials: cause.trials.slice(-CAUSE_TRIALS) })),
  };
}

/** The overview's incumbent card: its score and its delta against the baseline's. */
export function incumbentCard(incumbent: TrialRecord | null, baselineScore: number | null): StudyOverview['incumbent'] {
  return (
    incumbent && {
      id: incumbent.id,
      score: incumbent.score,
      deltaVsBaseline: incumbent.score !== null && baselineScore !== null ? incumbent.score - baselineScore : null,
      specialist: incumbent.specialist,
      hypothesis: incumbent.hypothesis,
    }
  );
}

/** The outcome bars: kept, discarded, in flight, then each failure label, most frequent first. */
export function outcomeBars(counts: StudyOverview['counts'], labelCounts: ReadonlyMap<FailureLabel, number>): OutcomeBarsData {
  return {
    total: counts.total,
    rows: [
      { key: 'kept', kind: 'status', count: counts.kept },
      { key: 'discarded', kind: 'status', count: counts.discarded },
      { key: 'running', kind: 'status', count: counts.running + counts.pending },
      ...[...labelCounts].sort((a, b) => b[1] - a[1]).map(([key, count]) => ({ key, kind: 'label' as const, count })),
    ],
  };
}
