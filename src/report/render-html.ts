/**
 * The report as one self-contained HTML file: the dashboard's stylesheet and plots
 * inline, no script, nothing fetched. Opens anywhere, prints, and can be attached.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffView } from '../../web/app/diff-view.js';
import { esc, formatDelta, formatDuration, formatKnobValue, formatValue, outcomeColor } from '../../web/plots/index.js';
import { WEB_ROOT } from '../server/static-files.ts';
import type { TrialSummary } from '../views/trial-summary.ts';
import type { ReportData } from './report-data.ts';
import type { ReportPlot } from './report-plots.ts';
import { configurationHeadline, knobSectionsHtml } from './render-knobs.ts';
import { frontSectionHtml } from './render-front.ts';
import { fidelityHtml } from './render-fidelity.ts';
import { costHtml } from './render-costs.ts';

const REPORT_CSS = `
main { max-width: 1180px; }
.report-head { padding: 22px 0 6px; }
.report-head .brand { color: #111827; }
.plot svg { max-width: 100%; }
section { break-inside: avoid; }
@media print { body { background: #fff; } .card { border-color: #ddd; } }
.config-table { width: auto; min-width: 520px; }
.config-table tr.changed td { background: #fffbeb; }
p.method { font-size: 12px; margin: 8px 0 0; }
td.knob { font-family: var(--mono); font-size: 12px; white-space: nowrap; }
`;

function pill(row: Pick<TrialSummary, 'status' | 'label' | 'cause'>): string {
  if (row.status !== 'failed') return `<span class="pill ${esc(row.status)}">${esc(row.status)}</span>`;
  const label = row.label ?? 'failed';
  const rest = row.cause === null ? '' : row.cause.startsWith(label) ? row.cause.slice(label.length).trim() : row.cause;
  return `<span class="pill failed">${esc(label)}</span>${rest ? ` <span class="cause" title="${esc(row.cause ?? '')}">${esc(rest)}</span>` : ''}`;
}

function delta(row: TrialSummary): string {
  if (row.delta === null) return '<span class="muted">—</span>';
  return `<span class="${row.gain !== null && row.gain > 0 ? 'good' : row.gain !== null && row.gain < 0 ? 'bad' : 'muted'}">${esc(formatDelta(row.delta))}</span>`;
}

/** Knob columns beside the trial columns: `columns` names them, `values` gives a trial's. */
interface KnobCells {
  columns: readonly string[];
  values: (id: number) => Readonly<Record<string, string | number | boolean>> | undefined;
}

function trialTable(rows: readonly TrialSummary[], metric: string, knobs?: KnobCells): string {
  if (rows.length === 0) return '<div class="empty-state">No trials.</div>';
  const columns = knobs?.columns ?? [];
  const body = rows
    .map(
      (row) =>
        `<tr><td>#${row.id}</td><td class="muted">${row.parent === null ? '—' : `#${row.parent}`}</td><td>${esc(row.specialist)}</td><td>${pill(row)}</td>` +
        `<td class="num">${esc(formatValue(row.score))}</td><td class="num">${delta(row)}</td>` +
        columns.map((column) => `<td class="num knob">${esc(formatKnobValue(knobs?.values(row.id)?.[column] ?? null))}</td>`).join('') +
        `<td class="num">${esc(formatDuration(row.durationMs))}</td><td class="hyp">${esc(row.hypothesis)}</td></tr>`,
    )
    .join('');
  const knobHeads = columns.map((column) => `<th class="num">${esc(column)}</th>`).join('');
  return `<div class="table-wrap"><table><thead><tr><th>trial</th><th>parent</th><th>specialist</th><th>outcome</th><th class="num">${esc(metric)}</th><th class="num">Δ parent</th>${knobHeads}<th class="num">time</th><th>hypothesis</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

function money(usd: number): string {
  return usd === 0 ? '—' : usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

function percent(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 1000) / 10}%`;
}

/** Renders the whole report; `plots` are inlined as SVG. */
export function renderReportHtml(data: ReportData, plots: readonly ReportPlot[]): string {
  const { overview } = data;
  const objective = overview.study.objective;
  const css = readFileSync(join(WEB_ROOT, 'style.css'), 'utf8') + REPORT_CSS;
  const plot = (file: string) => plots.find((p) => p.file === file)?.svg ?? '';
  const incumbent = overview.incumbent;
  const counts = overview.counts;
  const gainPct = incumbent?.deltaVsBaseline != null && overview.baseline.score ? (100 * incumbent.deltaVsBaseline) / Math.abs(overview.baseline.score) : null;
  const specialists = overview.specialists
    .filter((row) => row.specialist !== 'baseline')
    .map(
      (row) =>
        `<tr><td><strong>${esc(row.specialist)}</strong></td><td class="num">${row.trials}</td><td class="num good">${row.kept}</td><td class="num">${row.failed}</td>` +
        `<td class="num">${percent(row.keepRate)}</td><td class="num">${percent(row.share)}</td><td class="num">${money(row.costUsd)}</td><td class="num">${row.payoffPerHour === null ? '—' : esc(formatValue(row.payoffPerHour))}</td></tr>`,
    )
    .join('');
  const failures = data.failures
    .map(
      (cause) =>
        `<tr title="${esc(cause.signature)}"><td><span class="swatch" style="background:${outcomeColor('failed', cause.label)}"></span>${esc(cause.label)}</td><td class="num">${cause.count}</td>` +
        `<td>#${cause.firstTrial}</td><td>#${cause.lastTrial}</td><td class="cause-summary">${esc(cause.summary)}</td>` +
        `<td class="muted">${esc(Object.entries(cause.specialists).map(([name, n]) => `${name} ${n}`).join(', '))}</td></tr>`,
    )
    .join('');
  const truncatedNote = data.trialCount > data.trials.length ? `<span class="note">the ${data.trials.length} most recent of ${data.trialCount}</span>` : '';
  const knobCells: KnobCells = { columns: data.knobColumns, values: (id) => data.knobValues.get(id) };
  const headline = configurationHeadline(data);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>autolab report · ${esc(overview.study.name)}</title><style>${css}</style></head>
<body><main>
<div class="report-head"><div class="page-head"><div><h1>${esc(overview.study.name)}</h1>
<div class="sub">${esc(objective.direction)} <code>${esc(objective.metric)}</code> · ${counts.total} trials · driven for ${esc(formatDuration(overview.study.elapsedMs))} · created ${esc(overview.study.createdAt)} · report generated ${esc(data.generatedAt)} by autolab</div></div></div></div>
<div class="stats">
<div class="stat"><div class="k">baseline</div><div class="v">${esc(formatValue(overview.baseline.score))}</div><div class="d">trial #0</div></div>
<div class="stat"><div class="k">incumbent</div><div class="v">${incumbent ? esc(formatValue(incumbent.score)) : '—'}</div><div class="d">${incumbent ? `#${incumbent.id} · ${esc(formatDelta(incumbent.deltaVsBaseline))}${gainPct === null ? '' : ` (${gainPct > 0 ? '+' : ''}${gainPct.toFixed(1)}%)`} vs baseline` : 'none yet'}</div></div>
<div class="stat"><div class="k">trials</div><div class="v">${counts.total}</div><div class="d">${counts.kept} kept · ${counts.discarded} discarded · ${counts.failed} failed</div></div>
<div class="stat"><div class="k">trial time</div><div class="v">${esc(formatDuration(overview.computeMs))}</div><div class="d">slot utilisation ${percent(overview.timeline?.utilisation ?? null)}</div></div>
<div class="stat"><div class="k">proposal cost</div><div class="v">${money(overview.costUsd)}</div><div class="d">LLM tokens, all specialists</div></div>
</div>
${incumbent ? `<section class="card"><h2>The incumbent, #${incumbent.id} (${esc(incumbent.specialist)})</h2>${headline ? `<p id="incumbent-headline">${esc(headline)}</p>` : ''}<div class="muted" style="margin-bottom:4px">the last step's hypothesis:</div><blockquote class="hypothesis">${esc(incumbent.hypothesis)}</blockquote></section>` : ''}
${frontSectionHtml(data, plot)}
${knobSectionsHtml(data, plot)}
<section class="card"><h2>Score against trial number</h2><div class="plot">${plot('score.svg')}</div></section>
<section class="card"><h2>Trials per slot <span class="note">busy time over the time the study was active</span></h2><div class="plot">${plot('timeline.svg')}</div></section>
<section class="card"><h2>Outcomes</h2><div class="plot" style="max-width:620px">${plot('outcomes.svg')}</div></section>
<section class="card"><h2>Specialists</h2><div class="table-wrap"><table><thead><tr><th>specialist</th><th class="num">trials</th><th class="num">kept</th><th class="num">failed</th><th class="num">keep rate</th><th class="num">share of gain</th><th class="num">cost</th><th class="num">payoff / h</th></tr></thead><tbody>${specialists}</tbody></table></div>
<p class="muted">Share of gain: the incumbent's improvement over the baseline, attributed to the specialist of each step on the chain. Payoff: that gain per hour of trial time.</p></section>
<section class="card"><h2>Chain to the incumbent <span class="note">${overview.chain.length} steps</span></h2>${trialTable(overview.chain, objective.metric, knobCells)}</section>
<section class="card"><h2>Leaderboard <span class="note">kept trials, best first</span></h2>${trialTable(data.leaderboard, objective.metric, knobCells)}</section>
${data.incumbentPatch !== null ? `<section class="card"><h2>The incumbent's change against the baseline</h2>${diffView(data.incumbentPatch).toString()}<details><summary>raw patch</summary><pre class="block">${esc(data.incumbentPatch)}</pre></details></section>` : ''}
${fidelityHtml(data.fidelity)}${costHtml(data.costs)}<section class="card"><h2>Failures by cause <span class="note">failed trials grouped by failure signature</span></h2>${failures ? `<div class="table-wrap"><table><thead><tr><th>label</th><th class="num">trials</th><th>first</th><th>last</th><th>example (latest)</th><th>specialists</th></tr></thead><tbody>${failures}</tbody></table></div>` : '<div class="empty-state">No failed trial.</div>'}</section>
<section class="card"><h2>Lineage <span class="note">the chain to the incumbent in orange; childless trials on their parent's row${data.lineage.nodes.length > 300 ? '; branches and quiet chain runs collapsed (the dashboard opens them)' : ''}</span></h2><div class="plot scroll">${plot('lineage.svg')}</div></section>
<section class="card"><h2>All trials ${truncatedNote}</h2>${trialTable(data.trials, objective.metric, knobCells)}</section>
</main></body></html>
`;
}
