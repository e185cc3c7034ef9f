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
  smoke_failed: '#d97706',
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

/** Colours of failure signatures (a signature is a cause, not a label: its own palette, in order of frequency). */
export const SIGNATURE_COLORS = ['#b91c1c', '#7c3aed', '#c2410c', '#0e7490', '#be185d', '#4d7c0f', '#a16207', '#1d4ed8', '#6d28d9', '#0f766e'];

/**
 * The colour of a failure group (see src/views/failure-groups.ts): its label's colour for
 * a label group, else the signature palette by the group's rank.
 */
export function failureGroupColor(group, index) {
  if (!group || group.kind !== 'signature') return LABEL_COLORS[group?.key] ?? STATUS_COLORS.failed;
  return SIGNATURE_COLORS[index % SIGNATURE_COLORS.length];
}

/** The baseline's mark in knob plots. */
export const BASELINE_COLOR = '#111827';

/**
 * A sequential colour for a score's rank, 0 (best) to 1 (worst): deep orange through
 * to pale blue, so the best trials stand out in parallel coordinates.
 */
export function rankColor(rank) {
  const stops = [
    [0, [194, 65, 12]],
    [0.15, [245, 158, 11]],
    [0.4, [132, 204, 22]],
    [0.7, [56, 189, 248]],
    [1, [191, 219, 254]],
  ];
  const t = Math.min(1, Math.max(0, rank));
  let i = 0;
  while (i < stops.length - 2 && t > stops[i + 1][0]) i++;
  const [t0, c0] = stops[i];
  const [t1, c1] = stops[i + 1];
  const f = (t - t0) / (t1 - t0 || 1);
  const channel = (k) => Math.round(c0[k] + f * (c1[k] - c0[k])).toString(16).padStart(2, '0');
  return `#${channel(0)}${channel(1)}${channel(2)}`;
}
