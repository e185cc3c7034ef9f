/** The report's *Cost predictions* section: the cost model's predictions checked against the measured run times. */
import { esc } from '../../web/plots/index.js';
import type { CostAccuracyLevel } from '../views/cost-accuracy.ts';

const HEADERS = ['level', 'checked', 'measured / predicted (median)', 'middle 80%'];
const NOTE = 'Each trial\'s run time per level was predicted before it started (from its parent, its diff and past trials: docs/fidelity.md) and is checked here against what it took; 1 is exact.';

function rowsOf(levels: readonly CostAccuracyLevel[]): string[][] {
  return levels.map((level) => [level.levelName, String(level.checked), `×${level.medianRatio.toFixed(2)}`, `×${level.p10Ratio.toFixed(2)} – ×${level.p90Ratio.toFixed(2)}`]);
}

/** Markdown lines (none when no prediction could be checked yet). */
export function costMarkdown(levels: readonly CostAccuracyLevel[]): string[] {
  if (levels.length === 0) return [];
  return ['## Cost predictions', '', NOTE, '', `| ${HEADERS.join(' | ')} |`, `|${HEADERS.map(() => '---').join('|')}|`, ...rowsOf(levels).map((row) => `| ${row.join(' | ')} |`), ''];
}

/** The HTML card ('' when no prediction could be checked yet). */
export function costHtml(levels: readonly CostAccuracyLevel[]): string {
  if (levels.length === 0) return '';
  const head = HEADERS.map((header, index) => `<th${index > 0 ? ' class="num"' : ''}>${esc(header)}</th>`).join('');
  const body = rowsOf(levels)
    .map((row) => `<tr>${row.map((cell, index) => `<td${index > 0 ? ' class="num"' : ''}>${esc(cell)}</td>`).join('')}</tr>`)
    .join('');
  return `<section class="card"><h2>Cost predictions <span class="note">predicted before each trial, checked after</span></h2><div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div><p class="muted">${esc(NOTE)}</p></section>`;
}
