/**
 * Small helpers for building SVG as strings. Shared by the browser (the dashboard) and
 * Node (`autolab report`), so nothing here touches the DOM.
 */

/** Escapes text for XML content and attribute values. */
export function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** A number for display: integers as they are, otherwise 4-5 significant digits. */
export function formatValue(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e7)) return value.toExponential(2);
  return String(Number(value.toPrecision(5)));
}

/** A signed delta for display (`+0.12`, `-3.4e-4`). */
export function formatDelta(value) {
  if (value === null || value === undefined) return '—';
  return (value > 0 ? '+' : '') + formatValue(value);
}

/** A duration in milliseconds as `850ms`, `12.3s`, `4m05s`, `3h07m`. */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Round a coordinate to 0.1 px to keep the SVG text small. */
export function r(value) {
  return Math.round(value * 10) / 10;
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min, max, count = 5) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const span = max - min;
  const step0 = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(step0)));
  const error = step0 / power;
  const step = (error >= 7.5 ? 10 : error >= 3.5 ? 5 : error >= 1.5 ? 2 : 1) * power;
  const ticks = [];
  for (let value = Math.ceil(min / step) * step; value <= max + step * 1e-9; value += step) {
    ticks.push(Math.abs(value) < step * 1e-9 ? 0 : Number(value.toPrecision(12)));
  }
  return ticks;
}

/** Tick values for a log axis over [min, max] (both > 0): powers of ten, or 1-2-5 when the span is short. */
export function logTicks(min, max) {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const ticks = [];
  const multipliers = hi - lo <= 3 ? [1, 2, 5] : [1];
  for (let power = lo; power <= hi; power++) {
    for (const m of multipliers) {
      const value = m * Math.pow(10, power);
      if (value >= min * 0.999 && value <= max * 1.001) ticks.push(Number(value.toPrecision(12)));
    }
  }
  return ticks;
}

/** A linear (or log10) map from a domain to a pixel range. */
export function scale(domainMin, domainMax, rangeMin, rangeMax, log = false) {
  const f = log ? Math.log10 : (v) => v;
  const d0 = f(domainMin);
  const d1 = f(domainMax);
  const span = d1 - d0 || 1;
  return (value) => rangeMin + ((f(value) - d0) / span) * (rangeMax - rangeMin);
}

/** The value at quantile `q` (0..1) of an unsorted array. */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[index];
}

/** Opening tag of a standalone SVG (the report writes these to files). */
export function svgOpen(width, height, label, extra = '') {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}"` +
    ` font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif" font-size="12"${extra}>` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`
  );
}

/** A placeholder plot saying there is nothing to show yet. */
export function emptySvg(width, height, label, message) {
  return svgOpen(width, height, label) + `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#6b7280">${esc(message)}</text></svg>`;
}
