/** Display helpers shared by the pages. */
import { html } from './dom.js';
import { LABEL_COLORS, STATUS_COLORS } from '../plots/colors.js';
import { formatDelta, formatDuration, formatValue } from '../plots/svg.js';

export { formatDelta, formatDuration, formatValue };

/** The outcome pill: kept, discarded, running, or the failure label. */
export function outcomePill(status, label) {
  if (status === 'failed') return html`<span class="pill failed" title="failed">${label ?? 'failed'}</span>`;
  return html`<span class="pill ${status}">${status}</span>`;
}

/**
 * The outcome pill and, for a failed trial, its cause on one line (the failure signature's
 * summary without its leading label): `crash AssertionError at model.py:66 assert ...`.
 */
export function outcomeCell(row) {
  const pill = outcomePill(row.status, row.label);
  if (row.status !== 'failed' || !row.cause) return pill;
  const label = row.label ?? 'failed';
  const rest = row.cause.startsWith(label) ? row.cause.slice(label.length).trim() : row.cause;
  return html`${pill} <span class="cause" title="${row.cause}">${rest}</span>`;
}

export function swatch(color) {
  return html`<span class="swatch" style="background:${color}"></span>`;
}

export function outcomeSwatch(status, label) {
  return swatch(status === 'failed' ? (LABEL_COLORS[label] ?? STATUS_COLORS.failed) : (STATUS_COLORS[status] ?? '#999'));
}

/** A delta coloured by whether it is an improvement (`gain` > 0). */
export function deltaCell(delta, gain) {
  if (delta === null || delta === undefined) return html`<span class="muted">—</span>`;
  const cls = gain > 0 ? 'good' : gain < 0 ? 'bad' : 'muted';
  return html`<span class="${cls}">${formatDelta(delta)}</span>`;
}

export function money(usd) {
  if (!usd) return '—';
  return usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

export function percent(value) {
  if (value === null || value === undefined) return '—';
  return `${Math.round(value * 1000) / 10}%`;
}

export function when(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function ago(iso) {
  if (!iso) return '—';
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return `${Math.round(seconds)}s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86400)}d ago`;
}

export function plural(n, word) {
  return `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;
}
