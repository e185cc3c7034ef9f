/**
 * The study's trials as a specialist reads them before it proposes: the newest few in
 * memory, anything else through narrow queries (one trial, a filtered page, a chain of
 * parents), so that a driver's memory does not grow with the study. The driver builds it
 * over its bounded lineage index and the store (scheduler/trial-history-source.ts);
 * `trialHistoryOf` builds it over an array (tests, tools). Pure: no I/O.
 */
import type { TrialRecord } from './trial.ts';
export type { AncestorLink, TrialFilter } from './trial-filter.ts';
import type { AncestorLink, TrialFilter } from './trial-filter.ts';

/** How many of the newest trials a history holds in memory (`TrialHistory.recent`). */
export const RECENT_TRIALS = 1000;

/**
 * @example
 * const newest = context.history.recent.slice(-100);      // in memory, oldest first
 * const own = await context.history.list({ specialist: 'tuner', descending: true, limit: 5 });
 * const trial = await context.history.get(12);
 * const chain = await context.history.ancestors(12);     // #12 first, up to the baseline
 */
export interface TrialHistory {
  /** How many trials the study has (the baseline included). */
  readonly count: number;
  /** The highest trial id (-1 when empty). */
  readonly lastId: number;
  /** The baseline (trial 0), when recorded. */
  readonly baseline: TrialRecord | undefined;
  /** The newest `RECENT_TRIALS` trials (all of them in a smaller study), oldest first, finished and in flight. */
  readonly recent: readonly TrialRecord[];
  /** One trial, or null when there is none of that id. */
  get(id: number): Promise<TrialRecord | null>;
  /** The trials `filter` selects, in id order (`descending`: newest first), as `Store.listTrials` reads them. */
  list(filter?: TrialFilter): Promise<TrialRecord[]>;
  /** The chain from `id` up through its parents to the baseline (`id` first); empty when there is no such trial. */
  ancestors(id: number): Promise<AncestorLink[]>;
}

/**
 * A history over every trial of a study held in an array (oldest first or in any order).
 *
 * @example
 * const context = { ...rest, history: trialHistoryOf(trials) };
 */
export function trialHistoryOf(trials: readonly TrialRecord[], recentCount = RECENT_TRIALS): TrialHistory {
  const ordered = [...trials].sort((a, b) => a.id - b.id);
  const byId = new Map(ordered.map((trial) => [trial.id, trial]));
  return {
    count: ordered.length,
    lastId: ordered.at(-1)?.id ?? -1,
    baseline: byId.get(0),
    recent: ordered.slice(-recentCount),
    get: async (id) => byId.get(id) ?? null,
    list: async (filter = {}) => filterTrials(ordered, filter),
    ancestors: async (id) => ancestorsIn(byId, id),
  };
}

/** `Store.listTrials`' filter applied to trials in id order. */
export function filterTrials(ordered: readonly TrialRecord[], filter: TrialFilter): TrialRecord[] {
  const ids = filter.ids === undefined ? null : new Set(filter.ids);
  let found = ordered.filter(
    (trial) =>
      (filter.status === undefined || filter.status.includes(trial.status)) &&
      (filter.specialist === undefined || trial.specialist === filter.specialist) &&
      (filter.afterId === undefined || trial.id > filter.afterId) &&
      (ids === null || ids.has(trial.id)) &&
      (filter.tree === undefined || trial.tree === filter.tree),
  );
  if (filter.descending) found = found.reverse();
  return filter.limit === undefined ? found : found.slice(0, filter.limit);
}

/** `Store.listAncestors` over trials by id (a cycle or a missing parent ends the chain). */
export function ancestorsIn(byId: ReadonlyMap<number, TrialRecord>, id: number): AncestorLink[] {
  const chain: AncestorLink[] = [];
  const seen = new Set<number>();
  for (let at: number | null = id; at !== null && !seen.has(at); ) {
    seen.add(at);
    const trial = byId.get(at);
    if (trial === undefined) break;
    chain.push({ id: trial.id, parent: trial.parent, status: trial.status, label: trial.label, labelDetail: trial.labelDetail, commit: trial.commit });
    at = trial.parent;
  }
  return chain;
}
