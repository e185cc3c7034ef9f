/**
 * The report's front section (multi-objective studies): the front plot and the
 * hypervolume over time (the dashboard's Front page, as SVG files), and the members'
 * table with the recommended trade-off marked; HTML and Markdown.
 */
import { esc, formatValue } from '../../web/plots/index.js';
import type { ParetoFrontView } from '../views/pareto-front-view.ts';
import type { ReportData } from './report-data.ts';

function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
}

function headline(front: ParetoFrontView): string {
  const recommended = front.recommended === null ? 'none' : `#${front.recommended}`;
  return `${front.members.length} member${front.members.length === 1 ? '' : 's'} · hypervolume ${formatValue(front.hypervolume)} against the reference point (${front.objectives.map((objective) => `${objective.metric} ${formatValue(front.reference[objective.metric] ?? null)}`).join(', ')}) · recommended trade-off ${recommended}`;
}

/** The front's HTML section ('' in a single-objective study). */
export function frontSectionHtml(data: ReportData, plot: (file: string) => string): string {
  const front = data.front?.front;
  if (!front) return '';
  const heads = front.objectives.map((objective) => `<th class="num">${esc(objective.metric)} <span class="muted">(${objective.direction === 'minimize' ? 'min' : 'max'})</span></th>`).join('');
  const rows = front.members
    .map(
      (member) =>
        `<tr${member.id === front.recommended ? ' class="front-recommended"' : ''}><td>#${member.id}${member.id === front.recommended ? ' <span class="pill kept">recommended</span>' : ''}</td><td>${esc(member.specialist)}</td>` +
        front.objectives.map((objective) => `<td class="num">${esc(formatValue(member.values[objective.metric] ?? null))}</td>`).join('') +
        `<td class="hyp">${esc(member.hypothesis)}</td></tr>`,
    )
    .join('');
  return `<section class="card" id="front"><h2>The front <span class="note">${esc(headline(front))}</span></h2>
<div class="plot">${plot('front.svg')}</div><div class="plot">${plot('hypervolume.svg')}</div>
<div class="table-wrap"><table><thead><tr><th>trial</th><th>specialist</th>${heads}<th>hypothesis</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

/** The front's Markdown lines ([] in a single-objective study). */
export function frontSectionMarkdown(data: ReportData, image: (file: string) => string): string[] {
  const front = data.front?.front;
  if (!front) return [];
  const lines = ['## The front', '', headline(front), '', image('front.svg'), '', image('hypervolume.svg'), ''];
  lines.push(`| trial | specialist |${front.objectives.map((objective) => ` ${objective.metric} |`).join('')} hypothesis |`, `|---:|---|${front.objectives.map(() => '---:|').join('')}---|`);
  for (const member of front.members) {
    const mark = member.id === front.recommended ? ' (recommended)' : '';
    lines.push(`| #${member.id}${mark} | ${cell(member.specialist)} |${front.objectives.map((objective) => ` ${formatValue(member.values[objective.metric] ?? null)} |`).join('')} ${cell(member.hypothesis)} |`);
  }
  lines.push('');
  return lines;
}
