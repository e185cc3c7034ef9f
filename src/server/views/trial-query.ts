/**
 * The trials table: filter by specialist, failure label, status, text and ranges of knob
 * and metric values; sort by any column (missing values last), knobs and metrics
 * included; one page at a time.
 */
import { AutolabError } from '../../core/errors.ts';
import { FAILURE_LABELS, type TrialStatus } from '../../core/trial.ts';
import { compareColumnValues, isColumnKey, passesFilter, type ColumnFilter, type ColumnKey, type ColumnValue } from '../../views/trial-columns.ts';
import type { TrialSummary } from '../../views/trial-summary.ts';

export const TRIAL_SORT_KEYS = ['id', 'score', 'delta', 'gain', 'specialist', 'status', 'duration', 'cost', 'started'] as const;
export type TrialSortKey = (typeof TRIAL_SORT_KEYS)[number];
const STATUSES: readonly TrialStatus[] = ['pending', 'running', 'kept', 'discarded', 'failed'];

export interface TrialQuery {
  specialist?: string;
  /** Only the children of this trial. */
  parent?: number;
  labels?: string[];
  statuses?: TrialStatus[];
  /** Case-insensitive text in the hypothesis. */
  text?: string;
  /** Ranges of knob or metric values (or of the score) every row must fall in. */
  filters?: ColumnFilter[];
  /** Knob and metric columns returned with each row (`values`, in this order). */
  columns?: ColumnKey[];
  sort: TrialSortKey | ColumnKey;
  descending: boolean;
  offset: number;
  limit: number;
}

/** A row with the values of the requested columns. */
export type TrialRow = TrialSummary & { values?: ColumnValue[] };

export interface TrialPage {
  total: number;
  offset: number;
  limit: number;
  sort: TrialSortKey | ColumnKey;
  order: 'asc' | 'desc';
  columns: ColumnKey[];
  rows: TrialRow[];
}

/** A trial's value in a knob or metric column (or its score). */
export type ColumnLookup = (id: number, key: ColumnKey | 'score') => ColumnValue;

export const MAX_PAGE = 500;

/** Parses the query string of `GET /trials` (throws a UsageError naming the bad field). */
export function parseTrialQuery(params: Record<string, string | undefined>): TrialQuery {
  const sort = (params.sort ?? 'id') as TrialSortKey | ColumnKey;
  if (!TRIAL_SORT_KEYS.includes(sort as TrialSortKey) && !isColumnKey(sort)) throw new AutolabError('UsageError', `unknown sort '${params.sort}'`, { hint: `sort by one of ${TRIAL_SORT_KEYS.join(', ')}, knob:NAME or metric:NAME` });
  const order = params.order ?? (sort === 'id' ? 'desc' : 'asc');
  if (order !== 'asc' && order !== 'desc') throw new AutolabError('UsageError', `order must be asc or desc, got '${order}'`);
  const offset = integer(params.offset, 0, 'offset');
  const limit = Math.min(MAX_PAGE, Math.max(1, integer(params.limit, 50, 'limit')));
  const list = (text: string | undefined) => (text ? text.split(',').map((item) => item.trim()).filter(Boolean) : undefined);
  const labels = list(params.label);
  for (const label of labels ?? []) {
    if (!(FAILURE_LABELS as readonly string[]).includes(label)) throw new AutolabError('UsageError', `unknown failure label '${label}'`, { hint: `labels: ${FAILURE_LABELS.join(', ')}` });
  }
  const statuses = list(params.status) as TrialStatus[] | undefined;
  for (const status of statuses ?? []) {
    if (!STATUSES.includes(status)) throw new AutolabError('UsageError', `unknown status '${status}'`, { hint: `statuses: ${STATUSES.join(', ')}` });
  }
  const query: TrialQuery = { sort, descending: order === 'desc', offset, limit };
  if (params.specialist) query.specialist = params.specialist;
  if (params.parent !== undefined && params.parent !== '') query.parent = integer(params.parent.replace(/^#/, ''), 0, 'parent');
  if (labels) query.labels = labels;
  if (statuses) query.statuses = statuses;
  if (params.q?.trim()) query.text = params.q.trim().toLowerCase();
  const columns = list(params.columns);
  for (const column of columns ?? []) {
    if (!isColumnKey(column)) throw new AutolabError('UsageError', `unknown column '${column}'`, { hint: 'columns are knob:NAME or metric:NAME, comma-separated' });
  }
  if (columns) query.columns = columns as ColumnKey[];
  if (params.filter?.trim()) query.filters = params.filter.split(';').filter((part) => part.trim() !== '').map(parseFilter);
  return query;
}

/**
 * One filter: `KEY:MIN..MAX` (either end may be left out) or `KEY:=A|B` (choices), where
 * KEY is `score`, `knob:NAME` or `metric:NAME`.
 */
function parseFilter(text: string): ColumnFilter {
  const at = text.lastIndexOf(':');
  const key = text.slice(0, at).trim();
  const range = text.slice(at + 1).trim();
  const bad = (why: string) => new AutolabError('UsageError', `filter '${text}': ${why}`, { hint: 'filters are KEY:MIN..MAX or KEY:=A|B, separated by ;, where KEY is score, knob:NAME or metric:NAME' });
  if (at < 0 || (key !== 'score' && !isColumnKey(key))) throw bad('unknown key');
  const filter: ColumnFilter = { key: key as ColumnKey | 'score' };
  if (range.startsWith('=')) {
    filter.values = range.slice(1).split('|');
    return filter;
  }
  const split = range.indexOf('..');
  if (split < 0) throw bad('the range is not MIN..MAX');
  const match = [range, range.slice(0, split), range.slice(split + 2)];
  const bound = (part: string | undefined): number | undefined => {
    if (part === undefined || part.trim() === '') return undefined;
    const value = Number(part);
    if (!Number.isFinite(value)) throw bad(`'${part}' is not a number`);
    return value;
  };
  const min = bound(match[1]);
  const max = bound(match[2]);
  if (min !== undefined) filter.min = min;
  if (max !== undefined) filter.max = max;
  return filter;
}

function integer(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new AutolabError('UsageError', `${name} must be a non-negative whole number, got '${text}'`);
  return value;
}

const STATUS_RANK: Record<TrialStatus, number> = { kept: 0, discarded: 1, failed: 2, running: 3, pending: 4 };

function sortValue(row: TrialSummary, key: TrialSortKey | ColumnKey, lookup: ColumnLookup | undefined): number | string | boolean | null {
  if (isColumnKey(key)) return lookup ? lookup(row.id, key) : null;
  switch (key) {
    case 'id':
      return row.id;
    case 'score':
      return row.score;
    case 'delta':
      return row.delta;
    case 'gain':
      return row.gain;
    case 'specialist':
      return row.specialist;
    case 'status':
      return STATUS_RANK[row.status] * 100 + (row.label ? FAILURE_LABELS.indexOf(row.label) : 0);
    case 'duration':
      return row.durationMs;
    case 'cost':
      return row.costUsd;
    case 'started':
      return row.startedAt;
  }
}

/**
 * Filters, sorts and pages `rows` (given in id order); `lookup` gives knob and metric
 * values (sorting, filtering and returning those columns need it).
 *
 * @example queryTrials(rows, parseTrialQuery({ sort: 'knob:lr', columns: 'knob:lr,metric:artifact_bytes' }), lookup)
 */
export function queryTrials(rows: readonly TrialSummary[], query: TrialQuery, lookup?: ColumnLookup): TrialPage {
  const matching = rows.filter(rowMatcher(query, lookup));
  const direction = query.descending ? -1 : 1;
  const sorted =
    query.sort === 'id'
      ? query.descending
        ? [...matching].reverse()
        : matching
      : sortRows(matching, query.sort, direction, lookup, query.offset + query.limit);
  return pageOf(sorted.slice(query.offset, query.offset + query.limit), matching.length, query, lookup);
}

/** The answer for one page of rows (`total` of them matched), with the requested columns. */
export function pageOf(page: readonly TrialSummary[], total: number, query: TrialQuery, lookup: ColumnLookup | undefined): TrialPage {
  const columns = query.columns ?? [];
  return {
    total,
    offset: query.offset,
    limit: query.limit,
    sort: query.sort,
    order: query.descending ? 'desc' : 'asc',
    columns,
    rows: columns.length === 0 ? [...page] : page.map((row) => ({ ...row, values: columns.map((key) => (lookup ? lookup(row.id, key) : null)) })),
  };
}

/** True when `query` filters nothing out (every row matches). */
export function filtersNothing(query: TrialQuery): boolean {
  return query.specialist === undefined && query.parent === undefined && query.statuses === undefined && query.labels === undefined && query.text === undefined && (query.filters ?? []).length === 0;
}

/** The query's filter of rows (specialist, parent, statuses, labels, text, value ranges). */
export function rowMatcher(query: TrialQuery, lookup: ColumnLookup | undefined): (row: TrialSummary) => boolean {
  const statuses = query.statuses ? new Set<string>(query.statuses) : null;
  const labels = query.labels ? new Set<string>(query.labels) : null;
  const filters = query.filters ?? [];
  return (row) =>
    (query.specialist === undefined || row.specialist === query.specialist) &&
    (query.parent === undefined || row.parent === query.parent) &&
    (statuses === null || statuses.has(row.status)) &&
    (labels === null || (row.label !== null && labels.has(row.label))) &&
    (query.text === undefined || row.hypothesis.toLowerCase().includes(query.text)) &&
    filters.every((filter) => passesFilter(filter, filter.key === 'score' ? row.score : lookup ? lookup(row.id, filter.key) : null));
}

/** A row with its sort value, looked up once. */
export type KeyedRow = { row: TrialSummary; value: number | string | boolean | null };

/** The rows with their values under `key`. */
export function keyedRows(rows: readonly TrialSummary[], key: TrialSortKey | ColumnKey, lookup: ColumnLookup | undefined): KeyedRow[] {
  return rows.map((row): KeyedRow => ({ row, value: sortValue(row, key, lookup) }));
}

/** The table's order under a sort key's values: missing values last in both orders, ties by id (a total order). */
export function compareKeyed(direction: number): (a: KeyedRow, b: KeyedRow) => number {
  return (a, b) => {
    const va = a.value;
    const vb = b.value;
    if (va === null || vb === null) return va === vb ? a.row.id - b.row.id : va === null ? 1 : -1;
    const order = typeof va === 'number' && typeof vb === 'number' ? va - vb : compareColumnValues(va, vb);
    return order === 0 ? a.row.id - b.row.id : order * direction;
  };
}

/**
 * Sorted by `key` (missing values last in both orders, ties by id), each value looked up
 * once; only the first `want` when that is a small part of the rows (a page of a large
 * study: the best `want` kept in order as the rows go by, not every row sorted). The order
 * is total (ties by id), so those are the first `want` of the full sort.
 */
function sortRows(rows: readonly TrialSummary[], key: TrialSortKey | ColumnKey, direction: number, lookup: ColumnLookup | undefined, want: number): TrialSummary[] {
  const compare = compareKeyed(direction);
  const keyed = keyedRows(rows, key, lookup);
  if (want * 8 >= keyed.length) return keyed.sort(compare).map((entry) => entry.row);
  const best: KeyedRow[] = [];
  for (const entry of keyed) {
    if (best.length === want && compare(entry, best[want - 1]!) >= 0) continue;
    let low = 0;
    let high = best.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (compare(best[mid]!, entry) <= 0) low = mid + 1;
      else high = mid;
    }
    best.splice(low, 0, entry);
    if (best.length > want) best.pop();
  }
  return best.map((entry) => entry.row);
}
