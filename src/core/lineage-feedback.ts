import { improvement } from './acceptance.ts';
import type { LineageEntry, LineageFeedback } from './lineage.ts';
import type { Objective } from './task.ts';
import { lineageFailures, repeatedFailure } from './lineage-failures.ts';
import { failureOf } from './trial-failure.ts';
import type { TrialRecord } from './trial.ts';
import { countTrials } from './trial-counts.ts';

export interface LineageOptions {
  study: string;
  objective: Objective;
  /** The specialist that will read it (its own streak is shown), if any. */
  viewer?: string;
  /** Control arm: only the incumbent's score. */
  controlArm?: boolean;
  recentCount?: number;
  leaderboardCount?: number;
  ownCount?: number;
  /** A move smaller than this is noise (default: 0.2% of the baseline's magnitude). */
  noise?: number;
  /** Trials in a row within noise (or failing with one cause) that make a specialist saturated (default 4). */
  saturationRun?: number;
}

const EXCERPT_LINES = 6;
const EXCERPT_CHARS = 600;

/** The last few lines of a failing trial's detail or log, for the digest. */
export function excerptOf(trial: TrialRecord): string {
  const source = trial.status === 'failed' ? (trial.labelDetail ?? trial.logExcerpt) : '';
  const lines = source.trim().split('\n').slice(-EXCERPT_LINES).join('\n');
  return lines.length > EXCERPT_CHARS ? '…' + lines.slice(-EXCERPT_CHARS) : lines;
}

/**
 * Builds the lineage feedback (the digest of the lineage a specialist sees) from the
 * study's trials. Pure: same trials in, same digest out.
 */
export function buildLineageFeedback(trials: readonly TrialRecord[], options: LineageOptions): LineageFeedback {
  const byId = new Map(trials.map((trial) => [trial.id, trial]));
  const baseline = byId.get(0) ?? null;
  const baselineScore = baseline?.score ?? null;
  const kept = trials.filter((trial) => trial.status === 'kept');
  const incumbent = [...kept].sort(keptOrder)[0] ?? baseline;

  const deltaOf = (trial: TrialRecord): number | null => {
    if (trial.score === null) return null;
    let parent = trial.parent === null ? undefined : byId.get(trial.parent);
    const reference = parent?.score ?? baselineScore;
    if (reference === null || trial.id === 0) return trial.id === 0 ? 0 : null;
    return trial.score - reference;
  };
  const entry = (trial: TrialRecord): LineageEntry => ({
    id: trial.id,
    parent: trial.parent,
    specialist: trial.specialist,
    hypothesis: trial.hypothesis,
    status: trial.status,
    label: trial.label,
    score: trial.score,
    delta: deltaOf(trial),
    excerpt: excerptOf(trial),
    cause: failureOf(trial)?.summary ?? null,
    signature: failureOf(trial)?.signature ?? null,
  });

  // The baseline is not counted (as budget.trials does not count it): one rule everywhere.
  const counts: LineageFeedback['counts'] = countTrials(trials);

  const incumbentSummary = {
    id: incumbent?.id ?? 0,
    score: incumbent?.score ?? null,
    deltaVsBaseline: incumbent?.score != null && baselineScore !== null ? incumbent.score - baselineScore : null,
  };
  const base = {
    study: options.study,
    objective: { metric: options.objective.metric, direction: options.objective.direction },
    baseline: {
      id: 0 as const,
      score: baselineScore,
      ...(baseline?.metrics[`${options.objective.metric}_std`] !== undefined ? { noise: baseline.metrics[`${options.objective.metric}_std`]!, repeats: baseline.repeats.length } : {}),
    },
    incumbent: incumbentSummary,
    counts,
  };
  if (options.controlArm) {
    return { ...base, leaderboard: [], chain: [], recent: [], failures: [], own: null, controlArm: true };
  }

  const leaderboard = kept
    .filter((trial) => trial.score !== null)
    .sort((a, b) => improvement(options.objective, a.score!, b.score!) > 0 ? -1 : improvement(options.objective, b.score!, a.score!) > 0 ? 1 : a.id - b.id)
    .slice(0, options.leaderboardCount ?? 10)
    .map(entry);

  const chain: LineageEntry[] = [];
  for (let cursor: TrialRecord | undefined = incumbent ?? undefined, guard = 0; cursor && guard < 10_000; guard++) {
    chain.unshift(entry(cursor));
    cursor = cursor.parent === null ? undefined : byId.get(cursor.parent);
  }

  const newestFirst = [...trials].sort((a, b) => b.id - a.id);
  const recent = newestFirst.filter((trial) => trial.id !== 0).slice(0, options.recentCount ?? 12).map(entry);

  const own = options.viewer === undefined ? null : ownFeedback(options.viewer, newestFirst, options, baseline, deltaOf, entry);
  const failures = lineageFailures(trials);
  return { ...base, leaderboard, chain, recent, failures, own, controlArm: false };
}

/** What a specialist is told about its own trials: its recent ones, and whether it is saturated (flat, or failing with one cause). */
function ownFeedback(
  viewer: string,
  newestFirst: readonly TrialRecord[],
  options: LineageOptions,
  baseline: TrialRecord | null,
  deltaOf: (trial: TrialRecord) => number | null,
  entry: (trial: TrialRecord) => LineageEntry,
): NonNullable<LineageFeedback['own']> {
  const mine = newestFirst.filter((trial) => trial.specialist === viewer);
  const finished = mine.filter((trial) => trial.status !== 'pending' && trial.status !== 'running');
  const run = options.saturationRun ?? 4;
  const calibrated = baseline?.metrics[`${options.objective.metric}_std`];
  const noise = options.noise ?? (calibrated !== undefined && calibrated > 0 ? calibrated : baseline?.score != null ? Math.max(Math.abs(baseline.score) * 0.002, 1e-12) : 0);
  const lastRun = finished.slice(0, run);
  const flat =
    lastRun.length >= run &&
    lastRun.every((trial) => {
      const delta = deltaOf(trial);
      return delta === null || Math.abs(delta) < noise;
    });
  const repeated = repeatedFailure(finished, run);
  const notes: string[] = [];
  if (repeated !== null) {
    notes.push(`Your last ${repeated.count} trials all failed with the same cause: ${repeated.summary}. Repeating the change that causes it will fail again: see that cause under "Failures by cause" (the values that hit it against those that did not) and change what causes it, or work elsewhere.`);
  } else if (flat) {
    notes.push(`Your last ${run} trials did not improve on their parents by more than the noise (${noise.toPrecision(2)}). Try a different kind of change.`);
  }
  return {
    specialist: viewer,
    recent: mine.slice(0, options.ownCount ?? 6).map(entry),
    saturated: flat || repeated !== null,
    repeatedFailure: repeated,
    saturationNote: notes.length > 0 ? notes.join(' ') : null,
  };
}

/** Kept trials, most recently kept first: the first is the incumbent. */
function keptOrder(a: TrialRecord, b: TrialRecord): number {
  const at = (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '');
  return at !== 0 ? -at : b.id - a.id;
}
