/**
 * The front of a multi-objective study: every scored trial at two of its objective
 * values (dominated ones greyed, front members in green joined by the front's staircase
 * when the study has two objectives, the recommended trade-off starred, the reference
 * point of the hypervolume as a cross), and the hypervolume after each finished trial.
 *
 * Data (the front API, src/views/pareto-page-view.ts):
 *   { objectives: [{ metric, direction, reference? }], points: [{ id, values, status, member }],
 *     front: { members, recommended, reference: { metric: value }, hypervolume,
 *              hypervolumeOverTime: [{ trial, hypervolume }] } }
 */
import { AXIS_COLOR, GRID_COLOR, INCUMBENT_COLOR, MUTED_COLOR, STATUS_COLORS, TEXT_COLOR } from './colors.js';
import { legendSvg } from './legend.js';
import { emptySvg, esc, formatValue, niceTicks, r, scale, svgOpen } from './svg.js';

const DOMINATED_COLOR = '#cbd5e1';
const FRONT_COLOR = STATUS_COLORS.kept;

/** Padded [min, max] of some values (a flat range widened a little). */
function paddedRange(values) {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.05 || 1;
    lo -= pad;
    hi += pad;
  }
  const pad = (hi - lo) * 0.06;
  return [lo - pad, hi + pad];
}

/** Grid lines, tick labels and the two axis titles of a plot area. */
function axesSvg(area, x, y, xRange, yRange, xTitle, yTitle) {
  const { left, right, top, bottom, width, height } = area;
  const parts = [];
  for (const tick of niceTicks(yRange[0], yRange[1], 6)) {
    const ty = r(y(tick));
    parts.push(`<line x1="${left}" y1="${ty}" x2="${width - right}" y2="${ty}" stroke="${GRID_COLOR}"/>`);
    parts.push(`<text x="${left - 8}" y="${r(ty + 4)}" text-anchor="end" fill="${MUTED_COLOR}">${esc(formatValue(tick))}</text>`);
  }
  for (const tick of niceTicks(xRange[0], xRange[1], 7)) {
    const tx = r(x(tick));
    parts.push(`<line x1="${tx}" y1="${bottom}" x2="${tx}" y2="${bottom + 5}" stroke="${AXIS_COLOR}"/>`);
    parts.push(`<text x="${tx}" y="${bottom + 18}" text-anchor="middle" fill="${MUTED_COLOR}">${esc(formatValue(tick))}</text>`);
  }
  parts.push(`<line x1="${left}" y1="${bottom}" x2="${width - right}" y2="${bottom}" stroke="${AXIS_COLOR}"/>`);
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="${AXIS_COLOR}"/>`);
  parts.push(`<text x="${r((left + width - right) / 2)}" y="${height - 8}" text-anchor="middle" fill="${TEXT_COLOR}">${esc(xTitle)}</text>`);
  parts.push(`<text transform="translate(16 ${r((top + bottom) / 2)}) rotate(-90)" text-anchor="middle" fill="${TEXT_COLOR}">${esc(yTitle)}</text>`);
  return parts.join('');
}

const axisTitle = (objective) => `${objective.metric} (${objective.direction === 'maximize' ? 'higher' : 'lower'} is better)`;

/**
 * The staircase bounding what the front dominates, in the plot's two objectives: members
 * sorted by the x objective's loss, each step held until the next member.
 */
function frontStaircase(members, xObjective, yObjective, x, y) {
  const loss = (objective, value) => (objective.direction === 'maximize' ? -value : value);
  const sorted = [...members].sort((a, b) => loss(xObjective, a[0]) - loss(xObjective, b[0]));
  if (sorted.length === 0) return '';
  let d = `M${r(x(sorted[0][0]))} ${r(y(sorted[0][1]))}`;
  for (let i = 1; i < sorted.length; i += 1) d += `H${r(x(sorted[i][0]))}V${r(y(sorted[i][1]))}`;
  return `<path class="front-line" d="${d}" fill="none" stroke="${FRONT_COLOR}" stroke-width="2" stroke-linejoin="round"/>`;
}

/**
 * @param data the front API's answer (see above)
 * @param options { width?, height?, x?: objective index (default 0), y?: objective index (default 1) }
 * @returns an SVG document as a string
 */
export function paretoPlotSvg(data, options = {}) {
  const width = options.width ?? 760;
  const height = options.height ?? 460;
  const xi = options.x ?? 0;
  const yi = options.y ?? 1;
  const xObjective = data.objectives[xi];
  const yObjective = data.objectives[yi];
  const label = `${yObjective.metric} against ${xObjective.metric}: the front`;
  if (data.points.length === 0) return emptySvg(width, height, label, 'No scored trials yet');
  const reference = data.front.reference;
  const xs = [...data.points.map((point) => point.values[xi]), reference[xObjective.metric]];
  const ys = [...data.points.map((point) => point.values[yi]), reference[yObjective.metric]];
  const xRange = paddedRange(xs.filter(Number.isFinite));
  const yRange = paddedRange(ys.filter(Number.isFinite));
  const members = data.points.filter((point) => point.member).length;
  const legend = legendSvg(
    [
      { kind: 'dot', color: FRONT_COLOR, text: `front (${members})` },
      { kind: 'dot', color: DOMINATED_COLOR, text: `dominated (${data.points.length - members})` },
      { kind: 'ring', color: INCUMBENT_COLOR, text: 'recommended trade-off' },
      { kind: 'cross', color: MUTED_COLOR, text: 'reference point' },
    ],
    72,
    14,
    width - 90,
  );
  const area = { left: 72, right: 18, top: 14 + legend.height + 6, bottom: height - 44, width, height };
  const x = scale(xRange[0], xRange[1], area.left + 6, width - area.right - 6);
  const y = scale(yRange[0], yRange[1], area.bottom, area.top);
  const parts = [svgOpen(width, height, label), legend.svg, axesSvg(area, x, y, xRange, yRange, axisTitle(xObjective), axisTitle(yObjective))];
  const rx = reference[xObjective.metric];
  const ry = reference[yObjective.metric];
  if (Number.isFinite(rx) && Number.isFinite(ry)) {
    const cx = r(x(rx));
    const cy = r(y(ry));
    parts.push(`<path class="reference" d="M${cx - 5} ${cy - 5}L${cx + 5} ${cy + 5}M${cx - 5} ${cy + 5}L${cx + 5} ${cy - 5}" stroke="${MUTED_COLOR}" stroke-width="1.6"><title>reference point (${esc(formatValue(rx))}, ${esc(formatValue(ry))})</title></path>`);
  }
  const front = data.points.filter((point) => point.member);
  if (data.objectives.length === 2) parts.push(frontStaircase(front.map((point) => [point.values[xi], point.values[yi]]), xObjective, yObjective, x, y));
  const mark = (point) => {
    const values = data.objectives.map((objective, k) => `${objective.metric} ${formatValue(point.values[k])}`).join(', ');
    const title = `<title>#${point.id} ${esc(values)} · ${point.member ? 'on the front' : 'dominated'}</title>`;
    const cx = r(x(point.values[xi]));
    const cy = r(y(point.values[yi]));
    if (!point.member) return `<circle class="pt dominated" data-trial="${point.id}" cx="${cx}" cy="${cy}" r="3.4" fill="${DOMINATED_COLOR}">${title}</circle>`;
    const ring = point.id === data.front.recommended ? `<circle class="recommended" cx="${cx}" cy="${cy}" r="8.5" fill="none" stroke="${INCUMBENT_COLOR}" stroke-width="2.4"/>` : '';
    return `${ring}<circle class="pt member" data-trial="${point.id}" data-front="1" cx="${cx}" cy="${cy}" r="5" fill="${FRONT_COLOR}" stroke="#fff" stroke-width="1.2">${title}</circle>`;
  };
  parts.push(`<g>${data.points.filter((point) => !point.member).map(mark).join('')}</g>`);
  parts.push(`<g>${front.map(mark).join('')}</g>`);
  parts.push('</svg>');
  return parts.join('');
}

/**
 * The front's hypervolume after each finished trial (a step line; it never falls).
 *
 * @param data the front API's answer
 * @param options { width?, height? }
 */
export function hypervolumePlotSvg(data, options = {}) {
  const width = options.width ?? 560;
  const height = options.height ?? 300;
  const label = 'hypervolume of the front against trial number';
  const series = data.front?.hypervolumeOverTime ?? [];
  if (series.length === 0) return emptySvg(width, height, label, 'No finished trials yet');
  const maxId = Math.max(1, ...series.map((point) => point.trial));
  const volumes = series.map((point) => point.hypervolume);
  const yRange = paddedRange([0, ...volumes]);
  const area = { left: 72, right: 18, top: 16, bottom: height - 44, width, height };
  const x = scale(0, maxId, area.left + 6, width - area.right - 6);
  const y = scale(Math.max(0, yRange[0]), yRange[1], area.bottom, area.top);
  const parts = [svgOpen(width, height, label), axesSvg(area, x, y, [0, maxId], [Math.max(0, yRange[0]), yRange[1]], 'trial', 'hypervolume (higher is better)')];
  let d = `M${r(x(series[0].trial))} ${r(y(series[0].hypervolume))}`;
  for (let i = 1; i < series.length; i += 1) d += `H${r(x(series[i].trial))}V${r(y(series[i].hypervolume))}`;
  parts.push(`<path class="hypervolume-line" d="${d}" fill="none" stroke="${FRONT_COLOR}" stroke-width="2.2" stroke-linejoin="round"/>`);
  for (let i = 0; i < series.length; i += 1) {
    const point = series[i];
    if (i > 0 && point.hypervolume <= series[i - 1].hypervolume) continue;
    parts.push(`<circle class="pt hv-step" data-trial="${point.trial}" cx="${r(x(point.trial))}" cy="${r(y(point.hypervolume))}" r="3.4" fill="${FRONT_COLOR}"><title>#${point.trial} raised the hypervolume to ${esc(formatValue(point.hypervolume))}</title></circle>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
