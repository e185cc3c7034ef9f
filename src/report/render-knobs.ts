/**
 * The report's knob sections, in HTML and in Markdown: the incumbent's configuration
 * against the baseline (every knob, and the chain step that set it), the cumulative
 * change by file, the knob importance with its method, and the knob plots.
 */
import { esc, formatKnobValue } from '../../web/plots/index.js';
import { diffStat, type IncumbentConfiguration } from '../views/incumbent-config.ts';
import type { ReportData } from './report-data.ts';

/** One line: how far the incumbent is from the baseline, and which knobs it changed. */
export function configurationHeadline(data: ReportData): string | null {
  const config = data.configuration;
  const files = data.incumbentPatch === null ? null : diffStat(data.incumbentPatch);
  const parts: string[] = [];
  if (config) {
    const changed = config.rows.filter((row) => row.changed).map((row) => `${row.knob} ${formatKnobValue(row.baseline)} → ${formatKnobValue(row.incumbent)}`);
    parts.push(`${config.steps} steps from the baseline; ${config.changed} of ${config.rows.length} knobs changed${changed.length ? `: ${changed.join(', ')}` : ''}`);
  } else if (data.overview.chain.length > 1) parts.push(`${data.overview.chain.length - 1} steps from the baseline`);
  if (files && files.length > 0) parts.push(`${files.length} files changed in all (+${files.reduce((s, f) => s + f.added, 0)} −${files.reduce((s, f) => s + f.removed, 0)}): ${files.map((f) => f.path).join(', ')}`);
  return parts.length ? parts.join(' · ') : null;
}

function configRowsHtml(config: IncumbentConfiguration): string {
  return config.rows
    .map(
      (row) =>
        `<tr class="${row.changed ? 'changed' : ''}"><td><code>${esc(row.knob)}</code></td><td class="num mono">${esc(formatKnobValue(row.baseline))}</td>` +
        `<td class="num mono">${row.changed ? `<strong>${esc(formatKnobValue(row.incumbent))}</strong>` : esc(formatKnobValue(row.incumbent))}</td>` +
        `<td>${row.setBy !== null ? `#${row.setBy}` : `<span class="muted">${row.changed ? '?' : 'unchanged'}</span>`}</td></tr>`,
    )
    .join('');
}

/** The incumbent's configuration and the knob plots, as HTML sections. */
export function knobSectionsHtml(data: ReportData, plot: (file: string) => string): string {
  const sections: string[] = [];
  const config = data.configuration;
  if (config) {
    sections.push(
      `<section class="card"><h2>The incumbent's configuration against the baseline <span class="note">${config.changed} of ${config.rows.length} knobs changed over ${config.steps} steps</span></h2>` +
        `<div class="table-wrap"><table class="config-table"><thead><tr><th>knob</th><th class="num">baseline #0</th><th class="num">incumbent #${config.incumbent}</th><th>set by</th></tr></thead><tbody>${configRowsHtml(config)}</tbody></table></div></section>`,
    );
  }
  const knobs = data.knobs;
  if (knobs) {
    const importance = 'rows' in knobs.importance ? `<p class="muted method">${esc(knobs.importance.description)}</p>` : '';
    sections.push(`<section class="card"><h2>Knob importance</h2><div class="plot" style="max-width:680px">${plot('importance.svg')}</div>${importance}</section>`);
    sections.push(`<section class="card"><h2>${esc(knobs.objective.metric)} against each knob <span class="note">${knobs.points.length} trials${knobs.unknown ? `, ${knobs.unknown} without knob values left out` : ''}</span></h2><div class="plot">${plot('slices.svg')}</div></section>`);
    sections.push(`<section class="card"><h2>Parallel coordinates <span class="note">one line per trial, coloured by the rank of its score</span></h2><div class="plot">${plot('parallel.svg')}</div></section>`);
  }
  return sections.join('\n');
}

/** The same, as Markdown lines; `image` links a plot file. */
export function knobSectionsMarkdown(data: ReportData, image: (file: string) => string): string[] {
  const lines: string[] = [];
  const config = data.configuration;
  if (config) {
    lines.push("## The incumbent's configuration against the baseline", '', `${config.changed} of ${config.rows.length} knobs changed over ${config.steps} steps.`, '', `| knob | baseline #0 | incumbent #${config.incumbent} | set by |`, '|---|---:|---:|---|');
    for (const row of config.rows) {
      const value = formatKnobValue(row.incumbent);
      lines.push(`| \`${row.knob}\` | ${formatKnobValue(row.baseline)} | ${row.changed ? `**${value}**` : value} | ${row.setBy !== null ? `#${row.setBy}` : row.changed ? '?' : 'unchanged'} |`);
    }
    lines.push('');
  }
  const knobs = data.knobs;
  if (knobs) {
    lines.push('## Knobs', '', image('importance.svg'), '');
    if ('rows' in knobs.importance) lines.push(`_${knobs.importance.description}_`, '');
    else lines.push(`_Importance unavailable: ${knobs.importance.unavailable}._`, '');
    lines.push(image('slices.svg'), '', image('parallel.svg'), '');
  }
  return lines;
}
