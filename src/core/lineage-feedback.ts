import { improvement } from './acceptance.ts';
import type { LineageEntry, LineageFeedback } from './lineage.ts';
import type { Objective } from './task.ts';
import { lineageFailures, repeatedFailure, type LineageFailureCause } from './lineage-failures.ts';
import { failureOf } from './trial-failure.ts';
import type { TrialRecord } from './trial.ts';
import { countTrials, type TrialCounts } from './trial-counts.ts';

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
  /** With a fidelity ladder: a note per trial id (its levels, prediction, shrinking gain; `ladderNote`). */
  fidelityNotes?: ReadonlyMap<number, string>;
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
 * What the lineage feedback reads of a study's trials. `buildLineageFeedback` reads an
 * array through `lineageSourceOf`; `LineageIndex` (lineage-index.ts) keeps one up to date
 * trial by trial, so a driver pays for what changed, not for the whole study.
 */
export interface LineageSource {
  byId(id: number): TrialRecord | undefined;
  /** The most recently kept trial (see `keptOrder`), if any. */
  incumbent(): TrialRecord | undefined;
  /** The best `count` kept trials with a score, best first (see `leaderboardOrder`). */
  leaderboard(objective: Objective, count: number): TrialRecord[];
  counts(): TrialCounts;
  /** The newest trials other than the baseline, newest first, at most `count`. */
  recent(count: number): TrialRecord[];
  /** `specialist`'s newest trials (only finished ones with `finishedOnly`), newest first, at most `count`. */
  newestOf(specialist: string, count: number, finishedOnly: boolean): TrialRecord[];
  /** The failure blocks (`lineageFailures` of every trial). */
  failures(): LineageFailureCause[];
}

const isFinished = (trial: TrialRecord) => trial.status !== 'pending' && trial.status !== 'running';

/** A `LineageSource` over an array of trials (indexes built once, on first use). */
export function lineageSourceOf(trials: readonly TrialRecord[]): LineageSource {
  let byId: Map<number, TrialRecord> | undefined;
  let newestFirst: TrialRecord[] | undefined;
  const newest = () => (newestFirst ??= [...trials].sort((a, b) => b.id - a.id));
  return {
    byId: (id) => (byId ??= new Map(trials.map((trial) => [trial.id, trial]))).get(id),
    incumbent: () => trials.filter((trial) => trial.status === 'kept').sort(keptOrder)[0],
    leaderboard: (objective, count) => trials.filter((trial) => trial.status === 'kept' && trial.score !== null).sort(leaderboardOrder(objective)).slice(0, count),
    counts: () => countTrials(trials),
    recent: (count) => newest().filter((trial) => trial.id !== 0).slice(0, count),
    newestOf: (specialist, count, finishedOnly) => newest().filter((trial) => trial.specialist === specialist && (!finishedOnly || isFinished(trial))).slice(0, count),
    failures: () => lineageFailures(trials),
  };
}

/**
 * Builds the lineage feedback (the digest of the lineage a specialist sees) from the
 * study's trials. Pure: same trials in, same digest out.
 *
 * @example
 * const lineage = buildLineageFeedback(await store.listTrials(studyId), { study: 'golf', objective: task.objective, viewer: 'tuner' });
 */
export function buildLineageFeedback(trials: readonly TrialRecord[], options: LineageOptions): LineageFeedback {
  return lineageFeedbackFrom(lineageSourceOf(trials), options);
}

/** The lineage feedback read from `source` (see `buildLineageFeedback`); reads only what it shows. */
export function lineageFeedbackFrom(source: LineageSource, options: LineageOptions): LineageFeedback {
  const baseline = source.byId(0) ?? null;
  const baselineScore = baseline?.score ?? null;
  const incumbent = source.incumbent() ?? baseline;

  const deltaOf = (trial: TrialRecord): number | null => {
    if (trial.score === null) return null;
    const parent = trial.parent === null ? undefined : source.byId(trial.parent);
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
    ...(options.fidelityNotes?.has(trial.id) ? { fidelity: options.fidelityNotes.get(trial.id)! } : {}),
  });

  // The baseline is not counted (as budget.trials does not count it): one rule everywhere.
  const counts: LineageFeedback['counts'] = source.counts();

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

  const leaderboard = source.leaderboard(options.objective, options.leaderboardCount ?? 10).map(entry);

  // Walked from the incumbent up, then turned root first (not unshifted: a chain can be thousands long).
  const chain: LineageEntry[] = [];
  for (let cursor: TrialRecord | undefined = incumbent ?? undefined, guard = 0; cursor && guard < 10_000; guard++) {
    chain.push(entry(cursor));
    cursor = cursor.parent === null ? undefined : source.byId(cursor.parent);
  }
  chain.reverse();

  const recent = source.recent(options.recentCount ?? 12).map(entry);

  const own = options.viewer === undefined ? null : ownFeedback(options.viewer, source, options, baseline, deltaOf, entry);
  return { ...base, leaderboard, chain, recent, failures: source.failures(), own, controlArm: false };
}

/** `viewer`'s finished trials, newest first, as many as a run of one failure cause needs (read in growing pages). */
function ownFailureRun(viewer: string, source: LineageSource, run: number): ReturnType<typeof repeatedFailure> {
  for (let count = Math.max(run, 8); ; count *= 4) {
    const finished = source.newestOf(viewer, count, true);
    const repeated = repeatedFailure(finished, run);
    // The run is counted in full once it ends inside the page (or the page holds all of them).
    if (repeated === null || repeated.count < finished.length || finished.length < count) return repeated;
  }
}

/** What a specialist is told about its own trials: its recent ones, and whether it is saturated (flat, or failing with one cause). */
function ownFeedback(
  viewer: string,
  source: LineageSource,
  options: LineageOptions,
  baseline: TrialRecord | null,
  deltaOf: (trial: TrialRecord) => number | null,
  entry: (trial: TrialRecord) => LineageEntry,
): NonNullable<LineageFeedback['own']> {
  const run = options.saturationRun ?? 4;
  const calibrated = baseline?.metrics[`${options.objective.metric}_std`];
  const noise = options.noise ?? (calibrated !== undefined && calibrated > 0 ? calibrated : baseline?.score != null ? Math.max(Math.abs(baseline.score) * 0.002, 1e-12) : 0);
  const lastRun = source.newestOf(viewer, run, true);
  const flat =
    lastRun.length >= run &&
    lastRun.every((trial) => {
      const delta = deltaOf(trial);
      return delta === null || Math.abs(delta) < noise;
    });
  const repeated = ownFailureRun(viewer, source, run);
  const notes: string[] = [];
  if (repeated !== null) {
    notes.push(`Your last ${repeated.count} trials all failed with the same cause: ${repeated.summary}. Repeating the change that causes it will fail again: see that cause under "Failures by cause" (the values that hit it against those that did not) and change what causes it, or work elsewhere.`);
  } else if (flat) {
    notes.push(`Your last ${run} trials did not improve on their parents by more than the noise (${noise.toPrecision(2)}). Try a different kind of change.`);
  }
  return {
    specialist: viewer,
    recent: source.newestOf(viewer, options.ownCount ?? 6, false).map(entry),
    saturated: flat || repeated !== null,
    repeatedFailure: repeated,
    saturationNote: notes.length > 0 ? notes.join(' ') : null,
  };
}

/**
 * The leaderboard's order of kept trials with a score: best score first under the
 * objective, ties by id.
 */
export function leaderboardOrder(objective: Objective): (a: Pick<TrialRecord, 'id' | 'score'>, b: Pick<TrialRecord, 'id' | 'score'>) => number {
  return (a, b) => (improvement(objective, a.score!, b.score!) > 0 ? -1 : improvement(objective, b.score!, a.score!) > 0 ? 1 : a.id - b.id);
}

/** Kept trials, most recently kept first: the first is the incumbent. */
export function keptOrder(a: Pick<TrialRecord, 'id' | 'finishedAt'>, b: Pick<TrialRecord, 'id' | 'finishedAt'>): number {
  const at = (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '');
  return at !== 0 ? -at : b.id - a.id;
}
