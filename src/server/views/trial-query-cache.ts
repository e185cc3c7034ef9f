/**
 * Pages of the trials table of a large study without filtering and sorting every row on
 * each request: the matching rows of a query, in the query's order, are kept for the last
 * few queries of the current revision (a page, another page, the next page, the same
 * page for another viewer: one filter and sort per query and revision). The newest
 * pages in id order, unfiltered, need neither: they are a slice of the rows.
 * Every answer equals `queryTrials` on the same rows (trial-query-cache.test.ts).
 */
import type { TrialSummary } from '../../views/trial-summary.ts';
import { compareKeyed, filtersNothing, keyedRows, pageOf, rowMatcher, type ColumnLookup, type TrialPage, type TrialQuery } from './trial-query.ts';

/** Queries whose order is kept per revision (each holds one reference per matching row). */
const ORDERS_KEPT = 8;

export class TrialQueryCache {
  private rows: readonly TrialSummary[] | null = null;
  private readonly orders = new Map<string, readonly TrialSummary[]>();

  constructor(private readonly capacity = ORDERS_KEPT) {}

  /**
   * One page of `rows` (all trials' rows, in id order) under `query`. A new `rows` array
   * (the next revision's rows) drops what was kept.
   *
   * @example const page = cache.page(summaries(entry), parseTrialQuery({ sort: 'score' }), lookup);
   */
  page(rows: readonly TrialSummary[], query: TrialQuery, lookup?: ColumnLookup): TrialPage {
    if (rows !== this.rows) {
      this.orders.clear();
      this.rows = rows;
    }
    const end = query.offset + query.limit;
    if (query.sort === 'id' && filtersNothing(query)) {
      const total = rows.length;
      const page = query.descending ? rows.slice(Math.max(0, total - end), Math.max(0, total - query.offset)).reverse() : rows.slice(query.offset, end);
      return pageOf(page, total, query, lookup);
    }
    const order = this.order(rows, query, lookup);
    return pageOf(order.slice(query.offset, end), order.length, query, lookup);
  }

  private order(rows: readonly TrialSummary[], query: TrialQuery, lookup: ColumnLookup | undefined): readonly TrialSummary[] {
    const key = JSON.stringify([query.specialist, query.parent, query.statuses, query.labels, query.text, query.filters, query.sort, query.descending]);
    const kept = this.orders.get(key);
    if (kept) {
      this.orders.delete(key); // the most recently used last
      this.orders.set(key, kept);
      return kept;
    }
    const matching = rows.filter(rowMatcher(query, lookup));
    const order = query.sort === 'id' ? (query.descending ? matching.reverse() : matching) : keyedRows(matching, query.sort, lookup).sort(compareKeyed(query.descending ? -1 : 1)).map((entry) => entry.row);
    this.orders.set(key, order);
    if (this.orders.size > this.capacity) this.orders.delete(this.orders.keys().next().value!);
    return order;
  }
}
