/**
 * Slice plots: the objective against each knob, one small plot per knob on a shared
 * objective axis (log knobs on a log axis, categorical knobs as a band per choice with
 * the trials spread across it). Scored trials are dots (kept green, the baseline a black
 * diamond, the incumbent ringed in orange); failed trials are crosses in a strip under
 * each plot, coloured by failure signature when trials carry one, else by label.
 *
 * Data: the knobs API ({ objective, knobs, points: [id, status, score, group, values[]],
 * groups, baseline, incumbent }).
 */
import { AXIS_COLOR, BASELINE_COLOR, GRID_COLOR, INCUMBENT_COLOR, MUTED_COLOR, STATUS_COLORS, TEXT_COLOR, failureGroupColor } from './colors.js';
import { knobScale, scoreScale } from './knob-axis.js';
import { legendSvg } from './legend.js';
import { emptySvg, esc, formatValue, r, svgOpen } from './svg.js';

const DENSE = 1500;

/** A deterministic jitter in [-0.5, 0.5) for a trial id. */
export function jitter(id) {
  let h = (id + 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296 - 0.5;
}

/**
 * @param data see above
 * @param options { width?, columns?, cellHeight?, titles?, knobs?: names to draw (default all) }
 * @returns an SVG document as a string
 */
export function sliceGridSvg(data, options = {}) {
  const width = options.width ?? 1200;
  const knobs = data.knobs.map((axis, index) => ({ axis, index })).filter(({ axis }) => !options.knobs || options.knobs.includes(axis.name));
  const label = `${data.objective.metric} against each knob`;
  if (knobs.length === 0) return emptySvg(width, 80, label, 'The task declares no knobs');
  if (data.points.length === 0) return emptySvg(width, 80, label, 'No finished trial with knob values yet');
  const columns = Math.max(1, Math.min(knobs.length, options.columns ?? Math.max(1, Math.floor(width / 380))));
  const cellWidth = width / columns;
  const cellHeight = options.cellHeight ?? 250;
  const hasFailed = data.points.some((p) => p[2] === null);
  const legend = legendSvg(legendItems(data, hasFailed), 12, 14, width - 24);
  const top = 14 + legend.height + 8;
  const rows = Math.ceil(knobs.length / columns);
  const height = top + rows * cellHeight + 6;
  const dense = data.points.length > DENSE;
  const titles = options.titles ?? !dense;
  const scored = data.points.filter((p) => p[2] !== null);
  const baselineScore = data.points.find((p) => p[0] === data.baseline)?.[2] ?? null;
  const parts = [svgOpen(width, height, label), legend.svg];
  const stripHeight = hasFailed ? 16 : 0;
  knobs.forEach(({ axis, index }, n) => {
    const x0 = (n % columns) * cellWidth;
    const y0 = top + Math.floor(n / columns) * cellHeight;
    const box = { left: x0 + 58, right: x0 + cellWidth - 14, top: y0 + 22, bottom: y0 + cellHeight - 38 - stripHeight };
    const y = scoreScale(scored.map((p) => p[2]), data.objective.direction, baselineScore, box.bottom, box.top);
    parts.push(cellSvg(data, axis, index, box, y, { dense, titles, stripHeight }));
  });
  parts.push('</svg>');
  return parts.join('');
}

function legendItems(data, hasFailed) {
  const items = [
    { kind: 'dot', color: STATUS_COLORS.discarded, text: 'discarded' },
    { kind: 'dot', color: STATUS_COLORS.kept, text: 'kept' },
    { kind: 'diamond', color: BASELINE_COLOR, text: 'baseline' },
    { kind: 'ring', color: INCUMBENT_COLOR, text: 'incumbent' },
  ];
  if (hasFailed) data.groups.forEach((group, i) => items.push({ kind: 'cross', color: failureGroupColor(group, i), text: `${group.kind === 'signature' ? shorten(group.summary, 48) : group.key} ${group.count}` }));
  return items;
}

function shorten(text, length) {
  return text.length > length ? text.slice(0, length - 1) + '…' : text;
}

function cellSvg(data, axis, index, box, y, { dense, titles, stripHeight }) {
  const values = data.points.map((p) => p[4][index]);
  const x = knobScale(axis, values, box.left + 8, box.right - 8);
  const parts = [];
  const title = `${axis.name}${x.log ? ' (log)' : ''}${axis.type === 'int' ? ' · int' : ''}`;
  parts.push(`<text x="${r(box.left)}" y="${r(box.top - 8)}" fill="${TEXT_COLOR}" font-weight="600" font-size="12.5">${esc(title)}</text>`);
  for (const tick of y.ticks) {
    if (tick.px < box.top - 1 || tick.px > box.bottom + 1) continue;
    parts.push(`<line x1="${r(box.left)}" y1="${r(tick.px)}" x2="${r(box.right)}" y2="${r(tick.px)}" stroke="${GRID_COLOR}"/>`);
    parts.push(`<text x="${r(box.left - 6)}" y="${r(tick.px + 4)}" text-anchor="end" fill="${MUTED_COLOR}" font-size="10.5">${esc(tick.label)}</text>`);
  }
  const ticks = x.kind === 'categorical' || x.ticks.length <= 7 ? x.ticks : x.ticks.filter((_, i) => i % Math.ceil(x.ticks.length / 6) === 0);
  for (const tick of ticks) {
    if (tick.px === null) continue;
    if (x.kind === 'categorical') parts.push(`<rect x="${r(tick.px - x.band / 2 + 2)}" y="${r(box.top)}" width="${r(x.band - 4)}" height="${r(box.bottom - box.top)}" fill="#f8fafc"/>`);
    else parts.push(`<line x1="${r(tick.px)}" y1="${r(box.top)}" x2="${r(tick.px)}" y2="${r(box.bottom)}" stroke="${GRID_COLOR}"/>`);
    parts.push(`<text x="${r(tick.px)}" y="${r(box.bottom + stripHeight + 15)}" text-anchor="middle" fill="${MUTED_COLOR}" font-size="10.5">${esc(shorten(tick.label, 14))}</text>`);
  }
  parts.push(`<line x1="${r(box.left)}" y1="${r(box.bottom)}" x2="${r(box.right)}" y2="${r(box.bottom)}" stroke="${AXIS_COLOR}"/>`);
  parts.push(`<line x1="${r(box.left)}" y1="${r(box.top)}" x2="${r(box.left)}" y2="${r(box.bottom)}" stroke="${AXIS_COLOR}"/>`);
  parts.push(`<text x="${r((box.left + box.right) / 2)}" y="${r(box.bottom + stripHeight + 30)}" text-anchor="middle" fill="${TEXT_COLOR}" font-size="11">${esc(axis.name)}</text>`);
  if (stripHeight > 0) {
    parts.push(`<rect x="${r(box.left)}" y="${r(box.bottom + 2)}" width="${r(box.right - box.left)}" height="${stripHeight - 3}" fill="#fef2f2"/>`);
    parts.push(`<text x="${r(box.left - 6)}" y="${r(box.bottom + stripHeight / 2 + 4)}" text-anchor="end" fill="${MUTED_COLOR}" font-size="10">failed</text>`);
  }
  parts.push(marksSvg(data, index, x, y, box, { dense, titles, stripHeight }));
  return parts.join('');
}

/** The x position of a trial's value: categorical values spread across their band. */
function xOf(x, value, id) {
  const px = x.at(value);
  if (px === null) return null;
  return x.kind === 'categorical' ? px + jitter(id) * x.band * 0.6 : px;
}

function marksSvg(data, index, x, y, box, { dense, titles, stripHeight }) {
  const discarded = [];
  const kept = [];
  const special = [];
  const crosses = new Map();
  const crossMarks = [];
  const radius = dense ? 1.9 : 3;
  for (const [id, status, score, group, values] of data.points) {
    const px = xOf(x, values[index], id);
    if (px === null) continue;
    const tip = titles ? `<title>#${id} · ${esc(data.knobs[index].name)} ${esc(String(values[index]))} · ${score === null ? esc(data.groups[group]?.summary ?? status) : esc(formatValue(score))}</title>` : '';
    if (score === null) {
      if (status !== 'failed') continue;
      const cy = box.bottom + stripHeight / 2 + 1 + jitter(id * 7 + 3) * (stripHeight - 8);
      const s = dense ? 2.4 : 3.2;
      const d = `M${r(px - s)} ${r(cy - s)}L${r(px + s)} ${r(cy + s)}M${r(px - s)} ${r(cy + s)}L${r(px + s)} ${r(cy - s)}`;
      const color = failureGroupColor(data.groups[group], group);
      if (dense) crosses.set(color, (crosses.get(color) ?? '') + d);
      else crossMarks.push(`<path class="pt" data-trial="${id}" d="${d}" stroke="${color}" stroke-width="1.6">${tip}</path>`);
      continue;
    }
    const cx = r(px);
    const cy = r(y.at(score));
    if (id === data.baseline) {
      special.push(`<path class="pt" data-trial="${id}" d="M${cx} ${r(cy - 6)}L${r(cx + 6)} ${cy}L${cx} ${r(cy + 6)}L${r(cx - 6)} ${cy}Z" fill="${BASELINE_COLOR}" stroke="#fff" stroke-width="1.2">${titles ? tip : `<title>baseline #${id}</title>`}</path>`);
    } else if (status === 'kept') {
      kept.push(dense ? `M${cx} ${cy}h0` : `<circle class="pt" data-trial="${id}" cx="${cx}" cy="${cy}" r="3.8" fill="${STATUS_COLORS.kept}" stroke="#fff" stroke-width="1">${tip}</circle>`);
    } else {
      discarded.push(dense ? `M${cx} ${cy}h0` : `<circle class="pt" data-trial="${id}" cx="${cx}" cy="${cy}" r="${radius}" fill="${STATUS_COLORS.discarded}" fill-opacity="0.7">${tip}</circle>`);
    }
    if (id === data.incumbent) special.push(`<circle class="pt" data-trial="${id}" cx="${cx}" cy="${cy}" r="7" fill="none" stroke="${INCUMBENT_COLOR}" stroke-width="2.4">${titles ? tip : `<title>incumbent #${id}</title>`}</circle>`);
  }
  const parts = [];
  if (dense) {
    if (discarded.length) parts.push(`<path d="${discarded.join('')}" stroke="${STATUS_COLORS.discarded}" stroke-opacity="0.55" stroke-width="${radius * 2}" stroke-linecap="round" fill="none"/>`);
    if (kept.length) parts.push(`<path d="${kept.join('')}" stroke="${STATUS_COLORS.kept}" stroke-width="5" stroke-linecap="round" fill="none"/>`);
    for (const [color, d] of crosses) parts.push(`<path d="${d}" stroke="${color}" stroke-width="1.4" stroke-opacity="0.8"/>`);
  } else parts.push(...discarded, ...kept, ...crossMarks);
  parts.push(...special);
  return `<g>${parts.join('')}</g>`;
}
