/**
 * Axes of the knob plots: a knob's axis (log for log knobs, a band per choice for
 * categorical knobs, else linear over its declared range) and the objective's axis (the
 * bad tail clipped so the good region stays readable, log when the scores span >30x).
 */
import { formatValue, logTicks, niceTicks, quantile } from './svg.js';

/**
 * @param axis a knob axis of the knobs API: { name, type, log, low, high, choices }
 * @param values the values to place (to widen the domain past the declared range, and
 *   to add choices the task does not declare)
 * @param p0 pixel of the low end, p1 of the high end
 * @returns { kind: 'numeric'|'categorical', log, at(value) -> px | null, invert(px) -> value, ticks: [{ value, label, px }], choices }
 */
export function knobScale(axis, values, p0, p1) {
  if (axis.type === 'categorical') return categoricalScale(axis, values, p0, p1);
  const numbers = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  let lo = axis.low ?? Math.min(...numbers);
  let hi = axis.high ?? Math.max(...numbers);
  if (numbers.length > 0) {
    lo = Math.min(lo, ...numbers);
    hi = Math.max(hi, ...numbers);
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  const log = axis.log === true && lo > 0;
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.5 || 1;
    hi += Math.abs(hi) * 0.5 || 1;
  }
  const f = log ? Math.log10 : (v) => v;
  const fInverse = log ? (v) => Math.pow(10, v) : (v) => v;
  const d0 = f(lo);
  const d1 = f(hi);
  const at = (value) => (typeof value === 'number' && Number.isFinite(value) && (!log || value > 0) ? p0 + ((f(value) - d0) / (d1 - d0 || 1)) * (p1 - p0) : null);
  const invert = (px) => fInverse(d0 + ((px - p0) / (p1 - p0 || 1)) * (d1 - d0));
  let tickValues = log ? logTicks(lo, hi) : niceTicks(lo, hi, 5);
  if (axis.type === 'int') tickValues = tickValues.filter((t) => Number.isInteger(t));
  if (log && tickValues.length > 7) tickValues = tickValues.filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
  return { kind: 'numeric', log, lo, hi, at, invert, choices: null, ticks: tickValues.map((value) => ({ value, label: formatValue(value), px: at(value) })) };
}

function categoricalScale(axis, values, p0, p1) {
  const choices = [...(axis.choices ?? [])];
  for (const value of values) if (value !== null && value !== undefined && !choices.some((c) => String(c) === String(value))) choices.push(value);
  const step = (p1 - p0) / Math.max(1, choices.length);
  const band = Math.abs(step);
  const indexOf = (value) => choices.findIndex((c) => String(c) === String(value));
  const at = (value) => {
    const index = indexOf(value);
    return index < 0 ? null : p0 + step * (index + 0.5);
  };
  const invert = (px) => choices[Math.max(0, Math.min(choices.length - 1, Math.floor((px - p0) / step)))];
  return { kind: 'categorical', log: false, at, invert, band, choices, ticks: choices.map((value) => ({ value, label: String(value), px: at(value) })) };
}

/**
 * The objective's axis over `scores`.
 *
 * @returns { at(score) -> px (clipped into the plot), clipped(score) -> bool, log, ticks: [{ value, label, px }], lo, hi }
 */
export function scoreScale(scores, direction, baseline, p0, p1) {
  const all = scores.filter((s) => Number.isFinite(s));
  if (baseline !== null && baseline !== undefined && Number.isFinite(baseline)) all.push(baseline);
  const minimize = direction !== 'maximize';
  let lo = all.length ? Math.min(...all) : 0;
  let hi = all.length ? Math.max(...all) : 1;
  if (all.length >= 8) {
    const anchor = baseline ?? (minimize ? quantile(all, 0.9) : quantile(all, 0.1));
    if (minimize) hi = Math.min(hi, Math.max(anchor, quantile(all, 0.95)));
    else lo = Math.max(lo, Math.min(anchor, quantile(all, 0.05)));
  }
  const log = all.length > 0 && all.every((s) => s > 0) && lo > 0 && hi / lo > 30;
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.05 || 1;
    hi += Math.abs(hi) * 0.05 || 1;
  }
  if (log) {
    const pad = Math.pow(hi / lo, 0.04);
    lo /= pad;
    hi *= pad;
  } else {
    const pad = (hi - lo) * 0.06;
    lo -= pad;
    hi += pad;
  }
  const f = log ? Math.log10 : (v) => v;
  const raw = (value) => p0 + ((f(value) - f(lo)) / (f(hi) - f(lo) || 1)) * (p1 - p0);
  const top = Math.min(p0, p1);
  const bottom = Math.max(p0, p1);
  const at = (value) => Math.max(top + 2, Math.min(bottom - 2, raw(value)));
  const clipped = (value) => value > hi || value < lo;
  const ticks = (log ? logTicks(lo, hi) : niceTicks(lo, hi, 5)).map((value) => ({ value, label: formatValue(value), px: raw(value) }));
  return { at, clipped, log, lo, hi, ticks, invert: (px) => (log ? Math.pow(10, f(lo) + ((px - p0) / (p1 - p0)) * (f(hi) - f(lo))) : lo + ((px - p0) / (p1 - p0)) * (hi - lo)) };
}

/** A knob value for display, with the six significant digits a knob is written with. */
export function formatKnobValue(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number') return String(value);
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs < 1e-4 || abs >= 1e7) return value.toExponential(3);
  return String(Number(value.toPrecision(6)));
}
