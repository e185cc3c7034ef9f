/** The fidelity funnel card of the overview: trials per level of the ladder and the run time each level cost. */
import { html } from './dom.js';
import { formatDuration, formatValue, plural } from './format.js';

/** The funnel as a table with a bar per level (its width: trials measured there over the first level's). */
export function fidelityCard(view, funnel) {
  const top = Math.max(1, funnel.levels[0]?.measured ?? 0);
  const bar = (n) => html`<span class="funnel-bar"><span style="width:${Math.max(0, Math.min(100, (100 * n) / top))}%"></span></span>`;
  const saved =
    funnel.fullOnlySeconds !== null && funnel.runSeconds > 0
      ? html` · at the full level alone: ${formatDuration(funnel.fullOnlySeconds * 1000)} (${formatValue(funnel.fullOnlySeconds / funnel.runSeconds)}× the ladder's)`
      : '';
  return html`<div class="muted" style="margin-bottom:8px">run time on the ladder: ${formatDuration(funnel.runSeconds * 1000)}${saved}</div>
    <table><thead><tr><th>level</th><th class="num">scale</th><th>trials measured</th><th class="num">stopped</th><th class="num">failed</th><th class="num">waiting</th><th class="num">climbed</th><th class="num">best</th><th class="num">run time</th><th class="num">per run</th></tr></thead>
    <tbody>${funnel.levels.map(
      (level, index) => html`<tr>
        <td><strong>${level.name}</strong></td><td class="num muted">${level.scale === null ? '—' : formatValue(level.scale)}</td>
        <td>${bar(level.measured)} ${level.measured.toLocaleString()}</td>
        <td class="num">${level.stopped}</td><td class="num ${level.failed ? 'bad' : 'muted'}">${level.failed}</td>
        <td class="num">${level.waiting}</td>
        <td class="num good" title="${index === funnel.levels.length - 1 ? 'judged at the full level' : 'measured at the next level'}">${level.climbed}</td>
        <td class="num">${formatValue(level.best)}</td><td class="num">${formatDuration(level.runSeconds * 1000)}</td>
        <td class="num muted">${level.meanRunSeconds === null ? '—' : formatDuration(level.meanRunSeconds * 1000)}</td></tr>`,
    )}</tbody></table>
    <div class="note" style="margin-top:6px">${plural(funnel.levels[0]?.measured ?? 0, 'trial')} screened at ${funnel.levels[0]?.name ?? '—'}; only the last level makes incumbents.</div>`;
}
