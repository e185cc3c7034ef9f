/**
 * Parallel coordinates over the knobs and the objective: one vertical axis per knob
 * (most important first when importance is known) and the objective last; each trial a
 * line through its values, coloured by its score's rank (best deep orange, worst pale
 * blue). Failed trials end in a "failed" band under the objective axis, in the colour of
 * their failure group. Brushes (ranges on axes) keep the trials inside all of them in
 * colour and grey out the rest.
 *
 * Data: the knobs API. Brushes: { [axis key]: { min, max } | { values: [...] } }, where
 * the key is the knob's name or OBJECTIVE_KEY.
 */
import { AXIS_COLOR, MUTED_COLOR, TEXT_COLOR, failureGroupColor, rankColor } from './colors.js';
import { knobScale, scoreScale } from './knob-axis.js';
import { emptySvg, esc, r, svgOpen } from './svg.js';

export const OBJECTIVE_KEY = '__objective';
const BUCKETS = 16;
const FAILED_BAND = 26;

/**
 * Where every axis is: { width, height, top, bottom, axes: [{ key, name, index, x, scale, kind }] }.
 * The dashboard maps a drag on an axis back to values with `scale.invert`.
 */
export function parallelLayout(data, options = {}) {
  const width = options.width ?? 1200;
  const height = options.height ?? 420;
  const top = 44;
  const bottom = height - 28 - (data.points.some((p) => p[2] === null) ? FAILED_BAND : 0);
  const order = axisOrder(data);
  const left = 70;
  const right = 90;
  const step = order.length > 0 ? (width - left - right) / order.length : 0;
  const axes = order.map((index, n) => {
    const axis = data.knobs[index];
    return { key: axis.name, name: axis.name, index, x: left + n * step, kind: axis.type === 'categorical' ? 'categorical' : 'numeric', scale: knobScale(axis, data.points.map((p) => p[4][index]), bottom, top) };
  });
  const scored = data.points.filter((p) => p[2] !== null).map((p) => p[2]);
  const baselineScore = data.points.find((p) => p[0] === data.baseline)?.[2] ?? null;
  axes.push({ key: OBJECTIVE_KEY, name: data.objective.metric, index: -1, x: width - right, kind: 'objective', scale: scoreScale(scored, data.objective.direction, baselineScore, bottom, top) });
  return { width, height, top, bottom, axes };
}

/** Knob indices, most important first when the importance is known. */
function axisOrder(data) {
  const indices = data.knobs.map((_, i) => i);
  const rows = data.importance?.rows;
  if (!rows) return indices;
  const rank = new Map(rows.map((row, i) => [row.knob, i]));
  return indices.sort((a, b) => (rank.get(data.knobs[a].name) ?? 99) - (rank.get(data.knobs[b].name) ?? 99));
}

/** True when a trial's value lies in a brush. */
export function inBrush(brush, value) {
  if (value === null || value === undefined) return false;
  if (brush.values) return brush.values.some((choice) => String(choice) === String(value));
  return typeof value === 'number' && value >= brush.min && value <= brush.max;
}

/** The ids of the trials inside every brush. */
export function brushedTrials(data, brushes) {
  const entries = Object.entries(brushes ?? {});
  const index = new Map(data.knobs.map((axis, i) => [axis.name, i]));
  return data.points.filter((p) => entries.every(([key, brush]) => inBrush(brush, key === OBJECTIVE_KEY ? p[2] : p[4][index.get(key)]))).map((p) => p[0]);
}

/**
 * @param data see above
 * @param options { width?, height?, brushes? }
 * @returns an SVG document as a string
 */
export function parallelCoordinatesSvg(data, options = {}) {
  const label = `parallel coordinates of the knobs and ${data.objective.metric}`;
  const width = options.width ?? 1200;
  if (data.knobs.length === 0) return emptySvg(width, 80, label, 'The task declares no knobs');
  if (data.points.length === 0) return emptySvg(width, 80, label, 'No finished trial with knob values yet');
  const layout = parallelLayout(data, options);
  const { height, top, bottom, axes } = layout;
  const brushes = options.brushes ?? {};
  const selected = new Set(brushedTrials(data, brushes));
  const anyBrush = Object.keys(brushes).length > 0;
  const scores = data.points.filter((p) => p[2] !== null).map((p) => p[2]).sort((a, b) => a - b);
  const minimize = data.objective.direction !== 'maximize';
  const rankOf = (score) => {
    let lo = 0;
    let hi = scores.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (scores[mid] < score) lo = mid + 1;
      else hi = mid;
    }
    const rank = scores.length > 1 ? lo / (scores.length - 1) : 0;
    return minimize ? rank : 1 - rank;
  };
  const failedY = bottom + FAILED_BAND / 2 + 4;
  const paths = new Map();
  const add = (key, d) => paths.set(key, (paths.get(key) ?? '') + d);
  for (const point of data.points) {
    const [, , score, group, values] = point;
    let d = '';
    let ok = true;
    for (const axis of axes) {
      const py = axis.kind === 'objective' ? (score === null ? failedY : axis.scale.at(score)) : axis.scale.at(values[axis.index]);
      if (py === null) {
        ok = false;
        break;
      }
      d += `${d ? 'L' : 'M'}${r(axis.x)} ${r(axis.kind === 'categorical' ? py + jitterY(point[0], axis.scale.band) : py)}`;
    }
    if (!ok) continue;
    if (anyBrush && !selected.has(point[0])) add('0:off', d);
    else if (score === null) add(`1:${failureGroupColor(data.groups[group], group)}`, d);
    else add(`2:${Math.round(rankOf(score) * (BUCKETS - 1))}`, d);
  }
  const count = data.points.length;
  const opacity = count > 3000 ? 0.22 : count > 800 ? 0.35 : count > 150 ? 0.55 : 0.8;
  const parts = [svgOpen(width, height, label)];
  // Lines: greyed-out first, failed next, then scored from worst to best (best on top).
  const keys = [...paths.keys()].sort((a, b) => (a[0] !== b[0] ? a[0].localeCompare(b[0]) : a[0] === '2' ? Number(b.slice(2)) - Number(a.slice(2)) : a.localeCompare(b)));
  for (const key of keys) {
    const d = paths.get(key);
    if (key === '0:off') parts.push(`<path d="${d}" fill="none" stroke="#d1d5db" stroke-opacity="${Math.min(0.5, opacity)}" stroke-width="1"/>`);
    else if (key[0] === '1') parts.push(`<path d="${d}" fill="none" stroke="${key.slice(2)}" stroke-opacity="${opacity * 0.8}" stroke-width="1" stroke-dasharray="3 2"/>`);
    else parts.push(`<path d="${d}" fill="none" stroke="${rankColor(Number(key.slice(2)) / (BUCKETS - 1))}" stroke-opacity="${opacity}" stroke-width="${count > 3000 ? 0.8 : 1.3}"/>`);
  }
  for (const axis of axes) parts.push(axisSvg(axis, layout, brushes[axis.key], data));
  parts.push(`<text x="${r(width - 8)}" y="${height - 6}" text-anchor="end" fill="${MUTED_COLOR}" font-size="11">line colour: rank of ${esc(data.objective.metric)} (orange best, blue worst)${anyBrush ? ` · ${selected.size} of ${count} trials in the brushes` : ''}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

function jitterY(id, band) {
  const h = Math.imul((id + 0x9e3779b9) >>> 0, 0x85ebca6b) >>> 0;
  return ((h % 1000) / 1000 - 0.5) * band * 0.5;
}

function axisSvg(axis, layout, brush, data) {
  const { top, bottom } = layout;
  const x = r(axis.x);
  const parts = [`<g class="pc-axis" data-axis="${esc(axis.key)}">`];
  parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="${AXIS_COLOR}" stroke-width="1.4"/>`);
  for (const tick of axis.scale.ticks) {
    if (tick.px === null || tick.px < top - 1 || tick.px > bottom + 1) continue;
    parts.push(`<line x1="${r(x - 4)}" y1="${r(tick.px)}" x2="${x}" y2="${r(tick.px)}" stroke="${AXIS_COLOR}"/>`);
    parts.push(`<text x="${r(x - 7)}" y="${r(tick.px + 4)}" text-anchor="end" fill="${MUTED_COLOR}" font-size="10.5" paint-order="stroke" stroke="#fff" stroke-width="3">${esc(tick.label.length > 12 ? tick.label.slice(0, 11) + '…' : tick.label)}</text>`);
  }
  const title = axis.kind === 'objective' ? `${axis.name} (${data.objective.direction === 'maximize' ? 'higher' : 'lower'} is better)` : `${axis.name}${axis.scale.log ? ' (log)' : ''}`;
  parts.push(`<text x="${x}" y="${top - 22}" text-anchor="middle" fill="${TEXT_COLOR}" font-weight="600" font-size="12">${esc(title)}</text>`);
  parts.push(`<text x="${x}" y="${top - 8}" text-anchor="middle" fill="${MUTED_COLOR}" font-size="10">drag to filter</text>`);
  if (axis.kind === 'objective' && layout.bottom < layout.height - 30) {
    parts.push(`<text x="${r(x + 8)}" y="${r(bottom + FAILED_BAND / 2 + 8)}" fill="${MUTED_COLOR}" font-size="10.5">failed</text>`);
  }
  if (brush) {
    const [y0, y1] = brushPixels(axis, brush, layout);
    parts.push(`<rect class="pc-brush" x="${r(axis.x - 9)}" y="${r(y0)}" width="18" height="${r(Math.max(3, y1 - y0))}" fill="#2563eb" fill-opacity="0.18" stroke="#2563eb" stroke-width="1.2" rx="3"/>`);
  }
  // A wide transparent target for the pointer.
  parts.push(`<rect class="pc-target" x="${r(axis.x - 14)}" y="${top - 4}" width="28" height="${r(bottom - top + 8)}" fill="transparent" style="cursor:crosshair"/>`);
  parts.push('</g>');
  return parts.join('');
}

/** The pixel span [top, bottom] a brush covers on its axis. */
export function brushPixels(axis, brush, layout) {
  if (brush.values) {
    const positions = brush.values.map((value) => axis.scale.at(value)).filter((p) => p !== null);
    const half = (axis.scale.band ?? 10) / 2;
    return positions.length ? [Math.min(...positions) - half, Math.max(...positions) + half] : [layout.top, layout.top];
  }
  const a = axis.scale.at(brush.min);
  const b = axis.scale.at(brush.max);
  const ys = [a ?? layout.bottom, b ?? layout.top];
  return [Math.max(layout.top, Math.min(...ys)), Math.min(layout.bottom, Math.max(...ys))];
}
