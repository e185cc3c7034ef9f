import type { FailureLabel, TrialRecord } from './trial.ts';

/**
 * How many trials a study has, counted one way everywhere (`status`, the run summary,
 * `trials`, `lineage`, the dashboard): the baseline (trial 0) is NOT a trial of the
 * count, exactly as `budget.trials` does not count it. `kept` is the number of trials
 * that became the incumbent after the baseline.
 */
export interface TrialCounts {
  /** Trials other than the baseline. */
  total: number;
  kept: number;
  discarded: number;
  failed: number;
  /** Pending or running. */
  running: number;
  /** Finished trials by failure label (a discarded `not_significant` trial included). */
  byLabel: Partial<Record<FailureLabel, number>>;
}

/**
 * Counts trials, leaving the baseline out (see {@link TrialCounts}).
 *
 * @example
 * countTrials(await store.listTrials(studyId)) // { total: 24, kept: 3, discarded: 18, failed: 3, running: 0, byLabel: { crash: 3 } }
 */
export function countTrials(trials: readonly TrialRecord[]): TrialCounts {
  const counts: TrialCounts = { total: 0, kept: 0, discarded: 0, failed: 0, running: 0, byLabel: {} };
  for (const trial of trials) {
    if (trial.id === 0) continue;
    counts.total++;
    if (trial.status === 'kept') counts.kept++;
    else if (trial.status === 'discarded') counts.discarded++;
    else if (trial.status === 'failed') counts.failed++;
    else counts.running++;
    if (trial.label) counts.byLabel[trial.label] = (counts.byLabel[trial.label] ?? 0) + 1;
  }
  return counts;
}

/**
 * The one-line summary of counts every command prints, e.g.
 * `24 trials (3 kept, 18 discarded, 3 failed: crash 3)`; `running` is named when non-zero.
 */
export function describeTrialCounts(counts: TrialCounts): string {
  const labels = Object.entries(counts.byLabel).map(([label, n]) => `${label} ${n}`).join(', ');
  const parts = [`${counts.kept} kept`, `${counts.discarded} discarded`, `${counts.failed} failed${labels ? `: ${labels}` : ''}`];
  if (counts.running > 0) parts.push(`${counts.running} running`);
  return `${counts.total} trial${counts.total === 1 ? '' : 's'} (${parts.join(', ')}; the baseline not counted)`;
}
