/**
 * Score against trial number: every scored trial as a dot (kept ones ringed), the
 * incumbent as a step line, and failed trials as crosses in a strip under the plot,
 * coloured by failure label.
 *
 * Data (the `scorePlot` field of the overview API):
 *   { metric, direction: 'minimize' | 'maximize', baseline: number | null, maxId,
 *     points: [id, score, 'kept' | 'discarded'][], failed: [id, label][],
 *     running: id[], incumbent: [id, score][] }   // incumbent: kept trials, id order
 */
import { AXIS_COLOR, GRID_COLOR, INCUMBENT_COLOR, LABEL_COLORS, MUTED_COLOR, STATUS_COLORS, TEXT_COLOR } from './colors.js';
import { legendSvg } from './legend.js';
import { emptySvg, esc, formatValue, logTicks, niceTicks, quantile, r, scale, svgOpen } from './svg.js';

const TITLE_LIMIT = 3000;

/**
 * @param data see above
 * @param options { width?, height?, log?: boolean (default: automatic), titles?: boolean }
 * @returns an SVG document as a string
 */
export function scorePlotSvg(data, options = {}) {
  const width = options.width ?? 960;
  const height = options.height ?? 380;
  const label = `${data.metric} against trial number`;
  if (data.points.length === 0 && data.failed.length === 0) return emptySvg(width, height, label, 'No finished trials yet');

  const scores = data.points.map((p) => p[1]);
  if (data.baseline !== null && data.baseline !== undefined) scores.push(data.baseline);
  const minimize = data.direction !== 'maximize';
  const allPositive = scores.length > 0 && scores.every((s) => s > 0);
  let lo = Math.min(...scores);
  let hi = Math.max(...scores);
  // Clip the bad tail so the region around the incumbent stays readable.
  if (scores.length >= 8) {
    const anchor = data.baseline ?? (minimize ? quantile(scores, 0.9) : quantile(scores, 0.1));
    if (minimize) hi = Math.min(hi, Math.max(anchor, quantile(scores, 0.95)));
    else lo = Math.max(lo, Math.min(anchor, quantile(scores, 0.05)));
  }
  const log = options.log ?? (allPositive && lo > 0 && hi / lo > 30);
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.05 || 1;
    lo -= log ? 0 : pad;
    hi += pad;
  }
  let yMin = lo;
  let yMax = hi;
  if (log) {
    yMin = lo / Math.pow(hi / lo, 0.04);
    yMax = hi * Math.pow(hi / lo, 0.04);
  } else {
    const pad = (hi - lo) * 0.06;
    yMin = lo - pad;
    yMax = hi + pad;
  }

  const legendItems = [
    { kind: 'dot', color: STATUS_COLORS.kept, text: 'kept' },
    { kind: 'dot', color: STATUS_COLORS.discarded, text: 'discarded' },
    { kind: 'line', color: INCUMBENT_COLOR, text: 'incumbent' },
  ];
  // A thinned plot (one cross per label per stretch of ids) carries every label's count.
  const labelCounts = new Map(data.failedCounts ?? []);
  if (!data.failedCounts) for (const [, failure] of data.failed) labelCounts.set(failure, (labelCounts.get(failure) ?? 0) + 1);
  for (const [failure, count] of [...labelCounts].sort((a, b) => b[1] - a[1])) {
    legendItems.push({ kind: 'cross', color: LABEL_COLORS[failure] ?? STATUS_COLORS.failed, text: `${failure} ${count}` });
  }
  const left = 72;
  const right = 18;
  const legend = legendSvg(legendItems, left, 14, width - left - right);
  const top = 14 + legend.height + 6;
  const stripHeight = data.failed.length > 0 ? 20 : 0;
  const bottom = height - 44 - stripHeight;
  const xMax = Math.max(1, data.maxId);
  const x = scale(0, xMax, left + 6, width - right - 6);
  const y = scale(yMin, yMax, bottom, top, log);
  const clipY = (value) => Math.max(top + 3, Math.min(bottom - 3, y(value)));
  const dense = data.points.length > 2000;
  const titles = options.titles ?? data.points.length + data.failed.length <= TITLE_LIMIT;

  const axis = dense ? ` data-trial-axis="${r(x(0))},${r(x(xMax))},${xMax}"` : '';
  const parts = [svgOpen(width, height, label, axis), legend.svg];
  // Grid and axes.
  const yTicks = log ? logTicks(yMin, yMax) : niceTicks(yMin, yMax, 6);
  for (const tick of yTicks) {
    const ty = r(y(tick));
    parts.push(`<line x1="${left}" y1="${ty}" x2="${width - right}" y2="${ty}" stroke="${GRID_COLOR}"/>`);
    parts.push(`<text x="${left - 8}" y="${r(ty + 4)}" text-anchor="end" fill="${MUTED_COLOR}">${esc(formatValue(tick))}</text>`);
  }
  const xTicks = niceTicks(0, xMax, 8).filter((t) => Number.isInteger(t));
  for (const tick of xTicks) {
    const tx = r(x(tick));
    parts.push(`<line x1="${tx}" y1="${bottom + stripHeight}" x2="${tx}" y2="${bottom + stripHeight + 5}" stroke="${AXIS_COLOR}"/>`);
    parts.push(`<text x="${tx}" y="${bottom + stripHeight + 18}" text-anchor="middle" fill="${MUTED_COLOR}">${tick}</text>`);
  }
  parts.push(`<line x1="${left}" y1="${bottom}" x2="${width - right}" y2="${bottom}" stroke="${AXIS_COLOR}"/>`);
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="${AXIS_COLOR}"/>`);
  parts.push(`<text x="${r((left + width - right) / 2)}" y="${height - 8}" text-anchor="middle" fill="${TEXT_COLOR}">trial</text>`);
  const axisTitle = `${data.metric} (${minimize ? 'lower' : 'higher'} is better${log ? ', log scale' : ''})`;
  parts.push(`<text transform="translate(16 ${r((top + bottom) / 2)}) rotate(-90)" text-anchor="middle" fill="${TEXT_COLOR}">${esc(axisTitle)}</text>`);

  // Baseline reference.
  if (data.baseline !== null && data.baseline !== undefined) {
    const by = r(clipY(data.baseline));
    parts.push(`<line x1="${left}" y1="${by}" x2="${width - right}" y2="${by}" stroke="#cbd5e1" stroke-dasharray="4 4"/>`);
    parts.push(`<text x="${width - right - 4}" y="${r(by - 4)}" text-anchor="end" fill="${MUTED_COLOR}" font-size="11">baseline ${esc(formatValue(data.baseline))}</text>`);
  }

  // Discarded first, kept on top. A dense plot draws its discarded dots as one path
  // (the browser maps the pointer's x back to a trial number: data-trial-axis).
  const dotRadius = dense ? 1.8 : 3.2;
  const marks = [];
  const keptMarks = [];
  let densePath = '';
  let denseClipped = '';
  for (const [id, score, status] of data.points) {
    const cx = r(x(id));
    const clipped = minimize ? score > yMax : score < yMin;
    const cy = r(clipY(score));
    const title = titles ? `<title>#${id} ${esc(formatValue(score))} ${status}</title>` : '';
    if (status === 'kept') {
      keptMarks.push(`<circle class="pt" data-trial="${id}" cx="${cx}" cy="${cy}" r="4.6" fill="${STATUS_COLORS.kept}" stroke="#fff" stroke-width="1.2">${title}</circle>`);
      continue;
    }
    const tip = minimize ? top + 2 : bottom - 2;
    const triangle = minimize ? `M${cx - 3} ${tip + 5}L${cx} ${tip}L${cx + 3} ${tip + 5}Z` : `M${cx - 3} ${tip - 5}L${cx} ${tip}L${cx + 3} ${tip - 5}Z`;
    if (dense) {
      if (clipped) denseClipped += triangle;
      else densePath += `M${cx} ${cy}h0`;
    } else if (clipped) {
      marks.push(`<path class="pt" data-trial="${id}" d="${triangle}" fill="${STATUS_COLORS.discarded}">${title}</path>`);
    } else {
      marks.push(`<circle class="pt" data-trial="${id}" cx="${cx}" cy="${cy}" r="${dotRadius}" fill="${STATUS_COLORS.discarded}" fill-opacity="0.75">${title}</circle>`);
    }
  }
  if (densePath) marks.push(`<path d="${densePath}" stroke="${STATUS_COLORS.discarded}" stroke-opacity="0.75" stroke-width="${dotRadius * 2}" stroke-linecap="round" fill="none"/>`);
  if (denseClipped) marks.push(`<path d="${denseClipped}" fill="${STATUS_COLORS.discarded}"/>`);
  parts.push(`<g>${marks.join('')}</g>`);

  // Incumbent step line.
  if (data.incumbent.length > 0) {
    const sorted = [...data.incumbent].sort((a, b) => a[0] - b[0]);
    let d = `M${r(x(sorted[0][0]))} ${r(clipY(sorted[0][1]))}`;
    for (let i = 1; i < sorted.length; i++) {
      d += `H${r(x(sorted[i][0]))}V${r(clipY(sorted[i][1]))}`;
    }
    d += `H${r(x(xMax))}`;
    parts.push(`<path d="${d}" fill="none" stroke="${INCUMBENT_COLOR}" stroke-width="2.2" stroke-linejoin="round"/>`);
  }
  parts.push(`<g>${keptMarks.join('')}</g>`);

  // Failed strip.
  if (stripHeight > 0) {
    const sy = bottom + stripHeight / 2 + 2;
    parts.push(`<rect x="${left}" y="${bottom + 3}" width="${width - left - right}" height="${stripHeight - 4}" fill="#fef2f2"/>`);
    parts.push(`<text x="${left - 8}" y="${r(sy + 4)}" text-anchor="end" fill="${MUTED_COLOR}" font-size="11">failed</text>`);
    const s = dense ? 2.5 : 3.5;
    const byLabel = new Map();
    const crosses = [];
    for (const [id, failure] of data.failed) {
      const cx = r(x(id));
      const d = `M${r(cx - s)} ${r(sy - s)}L${r(cx + s)} ${r(sy + s)}M${r(cx - s)} ${r(sy + s)}L${r(cx + s)} ${r(sy - s)}`;
      const color = LABEL_COLORS[failure] ?? STATUS_COLORS.failed;
      if (dense) byLabel.set(color, (byLabel.get(color) ?? '') + d);
      else crosses.push(`<path class="pt" data-trial="${id}" d="${d}" stroke="${color}" stroke-width="1.8">${titles ? `<title>#${id} ${esc(failure)}</title>` : ''}</path>`);
    }
    for (const [color, d] of byLabel) crosses.push(`<path d="${d}" stroke="${color}" stroke-width="1.8"/>`);
    parts.push(`<g>${crosses.join('')}</g>`);
  }
  for (const id of data.running ?? []) {
    const cx = r(x(id));
    parts.push(`<line x1="${cx}" y1="${top}" x2="${cx}" y2="${bottom}" stroke="${STATUS_COLORS.running}" stroke-opacity="0.35" stroke-dasharray="2 3"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
