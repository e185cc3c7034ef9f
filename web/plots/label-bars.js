/**
 * The outcome breakdown: one horizontal bar per outcome (kept, discarded, running, then
 * each failure label, most frequent first) with its count and share of all trials.
 *
 * Data (the `outcomes` field of the overview API):
 *   { total, rows: [{ key, kind: 'status' | 'label', count }] }
 */
import { MUTED_COLOR, STATUS_COLORS, TEXT_COLOR, outcomeColor } from './colors.js';
import { emptySvg, esc, r, svgOpen } from './svg.js';

/**
 * @param data see above
 * @param options { width? }
 * @returns an SVG document as a string
 */
export function labelBarsSvg(data, options = {}) {
  const width = options.width ?? 460;
  const rows = data.rows.filter((row) => row.count > 0);
  if (rows.length === 0) return emptySvg(width, 80, 'outcomes', 'No trials yet');
  const rowHeight = 22;
  const top = 8;
  const height = top + rows.length * rowHeight + 8;
  const left = 128;
  const right = 92;
  const max = Math.max(...rows.map((row) => row.count));
  const parts = [svgOpen(width, height, 'outcomes of all trials')];
  rows.forEach((row, index) => {
    const y = top + index * rowHeight;
    const color = row.kind === 'label' ? outcomeColor('failed', row.key) : (STATUS_COLORS[row.key] ?? MUTED_COLOR);
    const barWidth = Math.max(2, ((width - left - right) * row.count) / max);
    const share = data.total > 0 ? (100 * row.count) / data.total : 0;
    parts.push(`<text x="${left - 8}" y="${y + 15}" text-anchor="end" fill="${TEXT_COLOR}">${esc(row.key)}</text>`);
    parts.push(`<rect class="bar" data-outcome="${esc(row.key)}" data-kind="${row.kind}" x="${left}" y="${y + 4}" width="${r(barWidth)}" height="${rowHeight - 8}" rx="2" fill="${color}"><title>${esc(row.key)}: ${row.count}</title></rect>`);
    parts.push(`<text x="${r(left + barWidth + 6)}" y="${y + 15}" fill="${MUTED_COLOR}">${row.count} · ${share < 1 && share > 0 ? share.toFixed(1) : Math.round(share)}%</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
