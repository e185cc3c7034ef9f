/**
 * Which trials a read selects (`Store.listTrials`, `TrialHistory.list`) and the links of
 * a chain of parents (`Store.listAncestors`, `TrialHistory.ancestors`): one definition
 * for the store port and the specialist's history, so that neither imports the other.
 */
import type { FailureLabel, TrialStatus } from './trial.ts';

/** Which trials a read selects. */
export interface TrialFilter {
  status?: TrialStatus[];
  specialist?: string;
  /** Only trials with id greater than this. */
  afterId?: number;
  /** Only the listed trials (an empty list matches nothing): how a cache re-reads what may have changed. */
  ids?: readonly number[];
  /** Only trials whose committed tree is this one (duplicate detection; indexed). */
  tree?: string;
  limit?: number;
  /** Newest first when true. */
  descending?: boolean;
}

/** One trial of a chain of parents, as `Store.listAncestors` returns it. */
export interface AncestorLink {
  id: number;
  parent: number | null;
  status: TrialStatus;
  label: FailureLabel | null;
  labelDetail: string | null;
  commit: string | null;
}
