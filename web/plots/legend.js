import { esc, r } from './svg.js';
import { TEXT_COLOR } from './colors.js';

/**
 * A legend row (wrapping onto more rows when it runs out of width).
 * Items: { kind: 'dot' | 'ring' | 'diamond' | 'line' | 'cross' | 'bar', color, text }.
 * Returns { svg, height }.
 */
export function legendSvg(items, x0, y0, width) {
  let x = x0;
  let y = y0;
  const parts = [];
  for (const item of items) {
    const textWidth = item.text.length * 6.6 + 26;
    if (x + textWidth > x0 + width && x > x0) {
      x = x0;
      y += 16;
    }
    parts.push(symbol(item, x + 6, y));
    parts.push(`<text x="${r(x + 15)}" y="${r(y + 4)}" fill="${TEXT_COLOR}" font-size="11.5">${esc(item.text)}</text>`);
    x += textWidth;
  }
  return { svg: parts.join(''), height: y - y0 + 16 };
}

function symbol(item, x, y) {
  switch (item.kind) {
    case 'line':
      return `<line x1="${r(x - 6)}" y1="${y}" x2="${r(x + 6)}" y2="${y}" stroke="${item.color}" stroke-width="2.5"/>`;
    case 'cross':
      return `<path d="M${x - 4} ${y - 4}L${x + 4} ${y + 4}M${x - 4} ${y + 4}L${x + 4} ${y - 4}" stroke="${item.color}" stroke-width="2"/>`;
    case 'ring':
      return `<circle cx="${x}" cy="${y}" r="4.5" fill="none" stroke="${item.color}" stroke-width="2.2"/>`;
    case 'diamond':
      return `<path d="M${x} ${y - 5}L${x + 5} ${y}L${x} ${y + 5}L${x - 5} ${y}Z" fill="${item.color}"/>`;
    case 'bar':
      return `<rect x="${x - 6}" y="${y - 5}" width="12" height="10" rx="2" fill="${item.color}"/>`;
    default:
      return `<circle cx="${x}" cy="${y}" r="4.5" fill="${item.color}"/>`;
  }
}
