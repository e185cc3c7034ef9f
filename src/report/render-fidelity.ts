/**
 * The report's fidelity section (a study on a ladder): per level, the trials measured,
 * stopped by the promotion rule, failed, waiting and climbed, the best score and the run
 * time, and what running every screened trial at the full level alone would have cost.
 */
import { esc, formatValue } from '../../web/plots/index.js';
import { FUNNEL_HEADERS, funnelRows, type FidelityFunnel } from '../views/fidelity-funnel.ts';

const HEADERS = FUNNEL_HEADERS;

function rowsOf(funnel: FidelityFunnel): string[][] {
  return funnelRows(funnel, formatValue, ' s');
}

function savedNote(funnel: FidelityFunnel): string {
  const alone = funnel.fullOnlySeconds === null ? '' : `; every screened trial at the full level alone: ~${funnel.fullOnlySeconds.toFixed(1)} s`;
  return `Run time on the ladder: ${funnel.runSeconds.toFixed(1)} s${alone}.`;
}

/**
 * The Markdown lines of the section (none without a ladder).
 *
 * @example fidelityMarkdown(data.fidelity) // ['## Fidelity levels', '', '| level | scale | ...', ...]
 */
export function fidelityMarkdown(funnel: FidelityFunnel | null): string[] {
  if (funnel === null) return [];
  const lines = ['## Fidelity levels', '', `| ${HEADERS.join(' | ')} |`, `|---|${HEADERS.slice(1).map(() => '---:').join('|')}|`];
  for (const row of rowsOf(funnel)) lines.push(`| ${row.join(' | ')} |`);
  lines.push('', savedNote(funnel), '');
  return lines;
}

/**
 * The HTML card of the section ('' without a ladder).
 *
 * @example fidelityHtml(data.fidelity) // '<section class="card"><h2>Fidelity levels ...'
 */
export function fidelityHtml(funnel: FidelityFunnel | null): string {
  if (funnel === null) return '';
  const head = HEADERS.map((header, index) => `<th${index > 0 ? ' class="num"' : ''}>${esc(header)}</th>`).join('');
  const body = rowsOf(funnel)
    .map((row) => `<tr>${row.map((cell, index) => `<td${index > 0 ? ' class="num"' : ''}>${esc(cell)}</td>`).join('')}</tr>`)
    .join('');
  return `<section class="card"><h2>Fidelity levels <span class="note">the promotion funnel</span></h2><div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div><p class="muted">${esc(savedNote(funnel))}</p></section>`;
}
