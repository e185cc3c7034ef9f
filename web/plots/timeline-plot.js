/**
 * The timeline of trials per slot: one lane per slot, one bar per trial from its start
 * to its end, coloured by outcome; each lane names its utilisation (busy time over the
 * time the study was active). Long idle gaps (between resumes) are cut out and marked.
 *
 * Data (the `timeline` field of the overview API):
 *   { spanMs, activeMs, utilisation, lanes: [{ name, utilisation }],
 *     bars: [id, lane, startMs, endMs, status, label | null][],
 *     gaps: [atMs, idleMs][] }        // times on the compressed axis, from the first start
 */
import { AXIS_COLOR, GRID_COLOR, MUTED_COLOR, TEXT_COLOR, outcomeColor } from './colors.js';
import { emptySvg, esc, formatDuration, niceTicks, r, scale, svgOpen } from './svg.js';

/**
 * @param data see above
 * @param options { width?, titles?: boolean }
 * @returns an SVG document as a string
 */
export function timelinePlotSvg(data, options = {}) {
  const width = options.width ?? 960;
  if (data.bars.length === 0) return emptySvg(width, 120, 'trials per slot over time', 'No trial has started yet');
  const laneHeight = data.lanes.length > 12 ? 14 : 22;
  const top = 10;
  const left = 118;
  const right = 18;
  const height = top + data.lanes.length * (laneHeight + 4) + 40;
  const bottom = height - 40;
  const span = Math.max(1, data.spanMs);
  const x = scale(0, span, left, width - right);
  const titles = options.titles ?? data.bars.length <= 3000;
  const parts = [svgOpen(width, height, 'trials per slot over time')];

  const ticks = timeTicks(span);
  for (const tick of ticks) {
    const tx = r(x(tick));
    parts.push(`<line x1="${tx}" y1="${top}" x2="${tx}" y2="${bottom}" stroke="${GRID_COLOR}"/>`);
    parts.push(`<text x="${tx}" y="${bottom + 16}" text-anchor="middle" fill="${MUTED_COLOR}">${esc(formatClock(tick))}</text>`);
  }
  parts.push(`<line x1="${left}" y1="${bottom}" x2="${width - right}" y2="${bottom}" stroke="${AXIS_COLOR}"/>`);
  const overall = data.utilisation === null || data.utilisation === undefined ? '' : ` · utilisation ${Math.round(data.utilisation * 100)}%`;
  parts.push(`<text x="${r((left + width - right) / 2)}" y="${height - 6}" text-anchor="middle" fill="${TEXT_COLOR}">time since the first trial started (active ${esc(formatDuration(data.activeMs))}${overall})</text>`);

  data.lanes.forEach((lane, index) => {
    const ly = top + index * (laneHeight + 4);
    parts.push(`<rect x="${left}" y="${ly}" width="${width - left - right}" height="${laneHeight}" fill="#f8fafc"/>`);
    const util = lane.utilisation === null ? '' : ` · ${Math.round(lane.utilisation * 100)}%`;
    parts.push(`<text x="${left - 8}" y="${r(ly + laneHeight / 2 + 4)}" text-anchor="end" fill="${TEXT_COLOR}" font-size="${laneHeight < 20 ? 10 : 12}">${esc(lane.name + util)}</text>`);
  });
  // A dense timeline draws its bars as one path per colour (thousands of elements
  // would slow the page down; the bars are a pixel wide anyway).
  const dense = data.bars.length > 3000;
  const bars = [];
  const byColor = new Map();
  for (const [id, lane, start, end, status, label] of data.bars) {
    const ly = top + lane * (laneHeight + 4);
    const bx = x(start);
    const bw = Math.max(1, x(end) - bx);
    const color = outcomeColor(status, label);
    if (dense) {
      byColor.set(color, (byColor.get(color) ?? '') + `M${r(bx)} ${ly + 2}h${r(bw)}v${laneHeight - 4}h${r(-bw)}Z`);
      continue;
    }
    const title = titles ? `<title>#${id} ${esc(label ?? status)} · ${esc(formatDuration(end - start))}</title>` : '';
    bars.push(`<rect class="pt" data-trial="${id}" x="${r(bx)}" y="${ly + 2}" width="${r(bw)}" height="${laneHeight - 4}" fill="${color}" stroke="#fff" stroke-width="${bw > 4 ? 0.6 : 0}">${title}</rect>`);
  }
  for (const [color, d] of byColor) bars.push(`<path d="${d}" fill="${color}"/>`);
  parts.push(`<g>${bars.join('')}</g>`);
  for (const [at, idle] of data.gaps ?? []) {
    const gx = r(x(at));
    parts.push(`<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${bottom}" stroke="${MUTED_COLOR}" stroke-dasharray="3 3"/>`);
    parts.push(`<text x="${r(gx + 3)}" y="${top + 2}" fill="${MUTED_COLOR}" font-size="10">idle ${esc(formatDuration(idle))}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

function timeTicks(span) {
  const units = [1000, 5000, 15000, 60000, 300000, 900000, 3600000, 3 * 3600000, 6 * 3600000, 24 * 3600000];
  const step = units.find((unit) => span / unit <= 8) ?? niceTicks(0, span, 8)[1] ?? span;
  const ticks = [];
  for (let t = 0; t <= span; t += step) ticks.push(t);
  return ticks;
}

function formatClock(ms) {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${seconds % 60 ? String(seconds % 60).padStart(2, '0') + 's' : ''}`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}`;
}
