/**
 * Bringing a driver's `LineageIndex` up to date from the store: the trials created
 * since the last refresh, and those that were unfinished then (finished trials are
 * immutable, so nothing else can have changed). Two indexed reads, whatever the size of
 * the study.
 */
import type { LineageIndex } from '../core/lineage-index.ts';
import type { Store } from '../core/store.ts';

/**
 * @example
 * const index = new LineageIndex();
 * await refreshLineageIndex(store, studyId, index); // the whole study, the first time
 * await refreshLineageIndex(store, studyId, index); // then only what changed
 */
export async function refreshLineageIndex(store: Pick<Store, 'listTrials'>, studyId: number, index: LineageIndex): Promise<void> {
  const unfinished = index.unfinishedIds();
  const moved = unfinished.length === 0 ? [] : await store.listTrials(studyId, { ids: unfinished });
  const created = await store.listTrials(studyId, { afterId: index.lastId });
  index.apply([...moved, ...created]);
}
