/**
 * The trials table: filter by specialist, failure label, status and text; sort by any
 * column (missing values last); one page at a time.
 */
import { AutolabError } from '../../core/errors.ts';
import { FAILURE_LABELS, type TrialStatus } from '../../core/trial.ts';
import type { TrialSummary } from '../../views/trial-summary.ts';

export const TRIAL_SORT_KEYS = ['id', 'score', 'delta', 'gain', 'specialist', 'status', 'duration', 'cost', 'started'] as const;
export type TrialSortKey = (typeof TRIAL_SORT_KEYS)[number];
const STATUSES: readonly TrialStatus[] = ['pending', 'running', 'kept', 'discarded', 'failed'];

export interface TrialQuery {
  specialist?: string;
  labels?: string[];
  statuses?: TrialStatus[];
  /** Case-insensitive text in the hypothesis. */
  text?: string;
  sort: TrialSortKey;
  descending: boolean;
  offset: number;
  limit: number;
}

export interface TrialPage {
  total: number;
  offset: number;
  limit: number;
  sort: TrialSortKey;
  order: 'asc' | 'desc';
  rows: TrialSummary[];
}

export const MAX_PAGE = 500;

/** Parses the query string of `GET /trials` (throws a UsageError naming the bad field). */
export function parseTrialQuery(params: Record<string, string | undefined>): TrialQuery {
  const sort = (params.sort ?? 'id') as TrialSortKey;
  if (!TRIAL_SORT_KEYS.includes(sort)) throw new AutolabError('UsageError', `unknown sort '${params.sort}'`, { hint: `sort by one of ${TRIAL_SORT_KEYS.join(', ')}` });
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
  if (labels) query.labels = labels;
  if (statuses) query.statuses = statuses;
  if (params.q?.trim()) query.text = params.q.trim().toLowerCase();
  return query;
}

function integer(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new AutolabError('UsageError', `${name} must be a non-negative whole number, got '${text}'`);
  return value;
}

const STATUS_RANK: Record<TrialStatus, number> = { kept: 0, discarded: 1, failed: 2, running: 3, pending: 4 };

function sortValue(row: TrialSummary, key: TrialSortKey): number | string | null {
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

/** Filters, sorts and pages `rows` (given in id order). */
export function queryTrials(rows: readonly TrialSummary[], query: TrialQuery): TrialPage {
  const statuses = query.statuses ? new Set<string>(query.statuses) : null;
  const labels = query.labels ? new Set<string>(query.labels) : null;
  const matching = rows.filter(
    (row) =>
      (query.specialist === undefined || row.specialist === query.specialist) &&
      (statuses === null || statuses.has(row.status)) &&
      (labels === null || (row.label !== null && labels.has(row.label))) &&
      (query.text === undefined || row.hypothesis.toLowerCase().includes(query.text)),
  );
  const direction = query.descending ? -1 : 1;
  const sorted =
    query.sort === 'id'
      ? query.descending
        ? [...matching].reverse()
        : matching
      : [...matching].sort((a, b) => {
          const va = sortValue(a, query.sort);
          const vb = sortValue(b, query.sort);
          if (va === null || vb === null) return va === vb ? a.id - b.id : va === null ? 1 : -1;
          if (va < vb) return -direction;
          if (va > vb) return direction;
          return a.id - b.id;
        });
  return {
    total: matching.length,
    offset: query.offset,
    limit: query.limit,
    sort: query.sort,
    order: query.descending ? 'desc' : 'asc',
    rows: sorted.slice(query.offset, query.offset + query.limit),
  };
}
