/**
 * The report as Markdown for sharing in issues, pull requests and notebooks; the plots
 * are SVG files beside it, referenced as images.
 */
import { formatDelta, formatDuration, formatKnobValue, formatValue } from '../../web/plots/index.js';
import type { TrialSummary } from '../views/trial-summary.ts';
import type { ReportData } from './report-data.ts';
import type { ReportPlot } from './report-plots.ts';
import { configurationHeadline, knobSectionsMarkdown } from './render-knobs.ts';
import { frontSectionMarkdown } from './render-front.ts';
import { fidelityMarkdown } from './render-fidelity.ts';
import { costMarkdown } from './render-costs.ts';

const PATCH_LINES = 400;

function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
}

/** The status, or a failed trial's cause on one line (`crash AssertionError at model.py:66 ...`). */
function outcome(row: TrialSummary): string {
  if (row.status !== 'failed') return row.status;
  return cell(row.cause ?? row.label ?? 'failed');
}

function trialTable(rows: readonly TrialSummary[], metric: string, data?: ReportData): string[] {
  const columns = data?.knobColumns ?? [];
  const lines = [`| trial | parent | specialist | outcome | ${metric} | Δ parent |${columns.map((c) => ` ${c} |`).join('')} hypothesis |`, `|---:|---:|---|---|---:|---:|${columns.map(() => '---:|').join('')}---|`];
  for (const row of rows) {
    const knobs = columns.map((column) => ` ${cell(formatKnobValue(data?.knobValues.get(row.id)?.[column] ?? null))} |`).join('');
    lines.push(`| #${row.id} | ${row.parent === null ? '—' : '#' + row.parent} | ${cell(row.specialist)} | ${outcome(row)} | ${formatValue(row.score)} | ${formatDelta(row.delta)} |${knobs} ${cell(row.hypothesis)} |`);
  }
  return lines;
}

function percent(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 1000) / 10}%`;
}

/** Renders the Markdown summary; image links point at `plots`' files. */
export function renderReportMarkdown(data: ReportData, plots: readonly ReportPlot[]): string {
  const { overview } = data;
  const { objective } = overview.study;
  const image = (file: string) => {
    const plot = plots.find((p) => p.file === file);
    return plot ? `![${plot.title}](${plot.file})` : '';
  };
  const incumbent = overview.incumbent;
  const counts = overview.counts;
  const lines: string[] = [
    `# ${overview.study.name}`,
    '',
    `${objective.direction} \`${objective.metric}\` · ${counts.total} trials (${counts.kept} kept, ${counts.discarded} discarded, ${counts.failed} failed) · driven for ${formatDuration(overview.study.elapsedMs)} · trial time ${formatDuration(overview.computeMs)} · proposal cost $${overview.costUsd.toFixed(2)}`,
    '',
    `**Baseline** ${formatValue(overview.baseline.score)} → **incumbent #${incumbent?.id ?? '—'}** ${formatValue(incumbent?.score ?? null)} (${formatDelta(incumbent?.deltaVsBaseline ?? null)} vs baseline)`,
  ];
  const headline = configurationHeadline(data);
  if (headline) lines.push('', headline);
  if (incumbent) lines.push('', `> ${cell(incumbent.hypothesis)} — ${incumbent.specialist} (the last step)`);
  lines.push('', ...frontSectionMarkdown(data, image));
  lines.push('', ...knobSectionsMarkdown(data, image));
  lines.push('', image('score.svg'), '', image('timeline.svg'), '', '## Outcomes', '', image('outcomes.svg'), '');
  lines.push(...fidelityMarkdown(data.fidelity));
  lines.push(...costMarkdown(data.costs));
  if (data.failures.length > 0) {
    lines.push('### Failures by cause', '', '| label | trials | first | last | example (latest) |', '|---|---:|---:|---:|---|');
    for (const cause of data.failures) {
      lines.push(`| ${cause.label} | ${cause.count} | #${cause.firstTrial} | #${cause.lastTrial} | ${cell(cause.summary)} |`);
    }
    lines.push('');
  }
  lines.push('## Specialists', '', '| specialist | trials | kept | failed | keep rate | share of gain | cost | payoff / h |', '|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of overview.specialists.filter((r) => r.specialist !== 'baseline')) {
    lines.push(`| ${cell(row.specialist)} | ${row.trials} | ${row.kept} | ${row.failed} | ${percent(row.keepRate)} | ${percent(row.share)} | $${row.costUsd.toFixed(2)} | ${row.payoffPerHour === null ? '—' : formatValue(row.payoffPerHour)} |`);
  }
  lines.push('', '## Chain to the incumbent', '', ...trialTable(overview.chain, objective.metric, data), '', '## Leaderboard', '', ...trialTable(data.leaderboard, objective.metric, data));
  if (data.incumbentPatch !== null) {
    const patch = data.incumbentPatch.split('\n');
    lines.push('', "## The incumbent's change against the baseline", '', '```diff', ...patch.slice(0, PATCH_LINES));
    if (patch.length > PATCH_LINES) lines.push(`… ${patch.length - PATCH_LINES} more lines: see report.html or \`autolab export ${incumbent?.id} --patch FILE\``);
    lines.push('```');
  }
  lines.push('', '## Lineage', '', image('lineage.svg'), '', `_Generated ${data.generatedAt} by autolab. The whole trajectory: \`autolab export --format jsonl\`._`, '');
  return lines.join('\n');
}
