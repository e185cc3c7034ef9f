/**
 * Knob importance as horizontal bars, most important first: each knob's share of what
 * the knobs explain one at a time (the bars sum to 100%), with the fraction of the
 * objective's variance its main effect explains and its spread over the forest's trees.
 *
 * Data: the `importance` of the knobs API: { method, trees, trials, explained,
 *   rows: [{ knob, fraction, std, share }] } or { unavailable }.
 */
import { MUTED_COLOR, TEXT_COLOR } from './colors.js';
import { emptySvg, esc, r, svgOpen } from './svg.js';

const BAR_COLOR = '#2563eb';

/**
 * @param importance see above
 * @param options { width? }
 * @returns an SVG document as a string
 */
export function importanceBarsSvg(importance, options = {}) {
  const width = options.width ?? 620;
  if (!importance || !importance.rows) return emptySvg(width, 70, 'knob importance', importance?.unavailable ? `Importance unavailable: ${importance.unavailable}` : 'No importance yet');
  const rows = importance.rows;
  const rowHeight = 26;
  const top = 10;
  const height = top + rows.length * rowHeight + 44;
  const left = Math.min(220, 24 + Math.max(...rows.map((row) => row.knob.length)) * 7.2);
  const right = 150;
  const span = width - left - right;
  const parts = [svgOpen(width, height, 'knob importance')];
  rows.forEach((row, index) => {
    const y = top + index * rowHeight;
    const w = Math.max(1.5, span * row.share);
    parts.push(`<text x="${r(left - 8)}" y="${y + 17}" text-anchor="end" fill="${TEXT_COLOR}" font-weight="${index === 0 ? 600 : 400}">${esc(row.knob)}</text>`);
    parts.push(`<rect x="${left}" y="${y + 5}" width="${r(span)}" height="${rowHeight - 10}" rx="3" fill="#f1f5f9"/>`);
    parts.push(`<rect class="bar" data-knob="${esc(row.knob)}" x="${left}" y="${y + 5}" width="${r(w)}" height="${rowHeight - 10}" rx="3" fill="${BAR_COLOR}" fill-opacity="${r(0.35 + 0.65 * row.share)}"><title>${esc(row.knob)}: ${pct(row.share)} of the explained variance; main effect ${pct(row.fraction)} ± ${pct(row.std)} of the variance</title></rect>`);
    parts.push(`<text x="${r(left + span + 8)}" y="${y + 17}" fill="${TEXT_COLOR}">${pct(row.share)} <tspan fill="${MUTED_COLOR}" font-size="11">(${pct(row.fraction)} ± ${pct(row.std)})</tspan></text>`);
  });
  parts.push(`<text x="${left}" y="${height - 22}" fill="${MUTED_COLOR}" font-size="11">bars: each knob's share of the main effects (they sum to 100%)</text>`);
  parts.push(`<text x="${left}" y="${height - 7}" fill="${MUTED_COLOR}" font-size="11">brackets: its fraction of the variance ± spread over ${importance.trees} trees; the knobs alone explain ${pct(importance.explained)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

function pct(value) {
  const p = value * 100;
  return `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)}%`;
}
