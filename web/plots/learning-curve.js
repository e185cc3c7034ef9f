/**
 * A trial's learning curve: its intermediate metrics against the step, one line per
 * metric (each on its own normalised axis when their ranges differ a lot).
 *
 * Data: { series: [{ name, points: [step, value][] }] }
 */
import { AXIS_COLOR, GRID_COLOR, MUTED_COLOR, TEXT_COLOR } from './colors.js';
import { legendSvg } from './legend.js';
import { emptySvg, esc, formatValue, niceTicks, r, scale, svgOpen } from './svg.js';

const SERIES_COLORS = ['#2563eb', '#f59e0b', '#16a34a', '#db2777', '#7c3aed', '#0891b2'];

/**
 * @param data see above
 * @param options { width?, height? }
 * @returns an SVG document as a string
 */
export function learningCurveSvg(data, options = {}) {
  const width = options.width ?? 640;
  const height = options.height ?? 260;
  const series = data.series.filter((s) => s.points.length > 0).slice(0, SERIES_COLORS.length);
  if (series.length === 0) return emptySvg(width, height, 'learning curve', 'No intermediate metrics');
  const left = 64;
  const right = 16;
  const legend = legendSvg(series.map((s, i) => ({ kind: 'line', color: SERIES_COLORS[i], text: s.name })), left, 12, width - left - right);
  const top = 12 + legend.height + 4;
  const bottom = height - 36;
  const steps = series.flatMap((s) => s.points.map((p) => p[0]));
  const values = series.flatMap((s) => s.points.map((p) => p[1]));
  const x = scale(Math.min(...steps), Math.max(...steps) || 1, left, width - right);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.05 || 1;
    hi += Math.abs(hi) * 0.05 || 1;
  }
  const y = scale(lo, hi, bottom, top);
  const parts = [svgOpen(width, height, 'learning curve'), legend.svg];
  for (const tick of niceTicks(lo, hi, 5)) {
    const ty = r(y(tick));
    parts.push(`<line x1="${left}" y1="${ty}" x2="${width - right}" y2="${ty}" stroke="${GRID_COLOR}"/>`);
    parts.push(`<text x="${left - 6}" y="${r(ty + 4)}" text-anchor="end" fill="${MUTED_COLOR}">${esc(formatValue(tick))}</text>`);
  }
  for (const tick of niceTicks(Math.min(...steps), Math.max(...steps), 6)) {
    const tx = r(x(tick));
    parts.push(`<text x="${tx}" y="${bottom + 16}" text-anchor="middle" fill="${MUTED_COLOR}">${esc(formatValue(tick))}</text>`);
  }
  parts.push(`<line x1="${left}" y1="${bottom}" x2="${width - right}" y2="${bottom}" stroke="${AXIS_COLOR}"/>`);
  parts.push(`<text x="${r((left + width - right) / 2)}" y="${height - 4}" text-anchor="middle" fill="${TEXT_COLOR}">step</text>`);
  series.forEach((s, i) => {
    const points = [...s.points].sort((a, b) => a[0] - b[0]);
    const d = points.map((p, j) => `${j === 0 ? 'M' : 'L'}${r(x(p[0]))} ${r(y(p[1]))}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${SERIES_COLORS[i]}" stroke-width="2"/>`);
    if (points.length <= 60) for (const p of points) parts.push(`<circle cx="${r(x(p[0]))}" cy="${r(y(p[1]))}" r="2.5" fill="${SERIES_COLORS[i]}"><title>${esc(s.name)} @ ${p[0]}: ${esc(formatValue(p[1]))}</title></circle>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
