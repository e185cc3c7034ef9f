/**
 * Bringing a driver's `LineageIndex` up to date from the store: the trials created
 * since the last refresh, and those that were unfinished then (finished trials are
 * immutable, so nothing else can have changed). Two indexed reads, whatever the size of
 * the study (the first, a page of 50 trials at a time: small pages die young).
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
  // Trials below `lightBelow` leave a bounded index's window as soon as they are applied:
  // they are read without their bulky columns (what the index keeps of them needs none).
  let lightBelow = await lightCutoff(store, studyId, index);
  // A page at a time: a bounded index drops each page's old records before the next is read.
  for (;;) {
    if (lightBelow === null) {
      const created = await store.listTrials(studyId, { afterId: index.lastId, limit: REFRESH_PAGE });
      index.apply(created);
      if (created.length < REFRESH_PAGE) return;
      continue;
    }
    const cutoff = lightBelow;
    const page = await store.listTrials(studyId, { afterId: index.lastId, limit: REFRESH_PAGE, light: 'lineage' });
    const older = page.filter((trial) => trial.id < cutoff);
    index.apply(older, { hold: false });
    // The baseline and unfinished trials stay held: their full records replace the light ones.
    const held = older.filter((trial) => trial.id === 0 || trial.status === 'pending' || trial.status === 'running').map((trial) => trial.id);
    if (held.length > 0) index.apply(await store.listTrials(studyId, { ids: held }));
    if (older.length < page.length) lightBelow = null;
    else if (page.length < REFRESH_PAGE) return;
  }
}

/**
 * Trials read per query when catching up (the first refresh reads the whole study). Small:
 * a page of 50 dies in V8's young generation, so reading 100,000 trials leaves the driver
 * as large as reading 1,000 (pages of 500 doubled the young generation and left ~20 MB
 * more RSS at 10,000 trials; `npm run bench:driver-memory`), for ~2,000 indexed queries.
 */
const REFRESH_PAGE = 50;

/**
 * For a bounded index more than its window behind the study: the id of the oldest trial
 * its window will hold once caught up (the trials before it are read light); else null.
 * One indexed row when the index is nearly up to date (before every proposal).
 */
async function lightCutoff(store: Pick<Store, 'listTrials'>, studyId: number, index: LineageIndex): Promise<number | null> {
  const window = index.retainRecent;
  if (window === null) return null;
  const newest = await store.listTrials(studyId, { afterId: index.lastId, descending: true, limit: 1, light: true });
  // Ids are unique and ascending: at most `newest - lastId` trials are missing.
  if (newest.length === 0 || newest[0]!.id - index.lastId <= window) return null;
  const inWindow = await store.listTrials(studyId, { afterId: index.lastId, descending: true, limit: window, light: 'lineage' });
  return inWindow.length < window ? null : inWindow.at(-1)!.id;
}

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
