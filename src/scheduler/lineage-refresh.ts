/**
 * Bringing a driver's `LineageIndex` up to date from the store: the trials created
 * since the last refresh, and those that were unfinished then (finished trials are
 * immutable, so nothing else can have changed). Two indexed reads, whatever the size of
 * the study (the first, a page of 2,000 trials at a time).
 */
import type { LineageIndex } from '../core/lineage-index.ts';
import type { Store } from '../core/store.ts';
import { RECENT_TRIALS, type TrialHistory } from '../core/trial-history.ts';

/**
 * @example
 * const index = new LineageIndex();
 * await refreshLineageIndex(store, studyId, index); // the whole study, the first time
 * await refreshLineageIndex(store, studyId, index); // then only what changed
 */
export async function refreshLineageIndex(store: Pick<Store, 'listTrials'>, studyId: number, index: LineageIndex): Promise<void> {
  const unfinished = index.unfinishedIds();
  const moved = unfinished.length === 0 ? [] : await store.listTrials(studyId, { ids: unfinished });
  index.apply(moved);
  // A page at a time: a bounded index drops each page's old records before the next is read.
  for (;;) {
    const created = await store.listTrials(studyId, { afterId: index.lastId, limit: REFRESH_PAGE });
    index.apply(created);
    if (created.length < REFRESH_PAGE) return;
  }
}

/** Trials read per query when catching up (the first refresh reads the whole study). */
const REFRESH_PAGE = 2000;

/**
 * The `TrialHistory` a specialist reads before a proposal: the newest trials and the
 * baseline from the driver's index (as refreshed for this proposal), any other trial,
 * page or chain of parents from the store.
 *
 * @example
 * await refreshLineageIndex(store, studyId, index);
 * const history = driverTrialHistory(store, studyId, index);
 * const own = await history.list({ specialist: 'tuner', descending: true, limit: 5 });
 */
export function driverTrialHistory(store: Pick<Store, 'getTrial' | 'listTrials' | 'listAncestors'>, studyId: number, index: LineageIndex): TrialHistory {
  return {
    count: index.size,
    lastId: index.lastId,
    baseline: index.baseline(),
    recent: index.recentTrials(Math.min(RECENT_TRIALS, index.size)),
    get: async (id) => index.peek(id) ?? (await store.getTrial(studyId, id)),
    list: (filter) => store.listTrials(studyId, filter),
    ancestors: (id) => store.listAncestors(studyId, id),
  };
}
