/** One colour per outcome, the same in every plot, the dashboard and the report. */

export const STATUS_COLORS = {
  kept: '#16a34a',
  discarded: '#94a3b8',
  failed: '#dc2626',
  running: '#2563eb',
  pending: '#a5b4fc',
};

/** Failure labels, in the order of the closed set (src/core/trial.ts), each with its colour. */
export const LABEL_COLORS = {
  interrupted: '#78716c',
  infra_error: '#57534e',
  apply_failed: '#a16207',
  illegal_edit: '#7c3aed',
  size_exceeded: '#c026d3',
  duplicate: '#0891b2',
  preflight_failed: '#ca8a04',
  run_timeout: '#ea580c',
  oom: '#be123c',
  crash: '#dc2626',
  score_timeout: '#f97316',
  metric_missing: '#db2777',
  gate_miss: '#9333ea',
  pruned: '#0d9488',
  not_significant: '#64748b',
};

export const INCUMBENT_COLOR = '#f59e0b';
export const AXIS_COLOR = '#9ca3af';
export const GRID_COLOR = '#eef0f3';
export const TEXT_COLOR = '#374151';
export const MUTED_COLOR = '#6b7280';

/** The colour of a trial: its failure label's when failed, else its status's. */
export function outcomeColor(status, label) {
  if (status === 'failed') return LABEL_COLORS[label] ?? STATUS_COLORS.failed;
  return STATUS_COLORS[status] ?? STATUS_COLORS.discarded;
}
