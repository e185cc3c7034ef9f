/**
 * The incumbent against the baseline (overview): every knob's value at both, the chain
 * step that set it, the files the whole chain changed, and the cumulative diff.
 */
import { html } from './dom.js';
import { plural } from './format.js';
import { renderTrialDiff } from './pages/trial.js';
import { formatKnobValue } from '../plots/knob-axis.js';

/** Draws the cumulative diff into `details` when it is first opened (it can be long). */
export function lazyDiff(details, data) {
  if (!details || !data.diff) return;
  details.addEventListener('toggle', () => {
    const body = details.querySelector('.diff-body');
    if (details.open && body && body.childElementCount === 0) body.innerHTML = renderTrialDiff(data.diff).toString();
  });
}

/** @param data the `/incumbent` API */
export function incumbentCard(view, data) {
  if (!data.incumbent) return html`<div class="empty-state">No incumbent yet.</div>`;
  const link = (id) => html`<a href="${view.studyUrl(`/trials/${id}`)}" data-link>#${id}</a>`;
  const config = data.configuration;
  const steps = data.chain.length - 1;
  const files = data.files;
  const added = files.reduce((sum, file) => sum + file.added, 0);
  const removed = files.reduce((sum, file) => sum + file.removed, 0);
  const table = config
    ? html`<table class="config-table" id="incumbent-config"><thead><tr><th>knob</th><th class="num">baseline #0</th><th class="num">incumbent #${config.incumbent}</th><th>set by</th></tr></thead>
        <tbody>${config.rows.map(
          (row) => html`<tr class="${row.changed ? 'changed' : ''}" data-knob="${row.knob}"><td><code>${row.knob}</code></td>
            <td class="num mono">${formatKnobValue(row.baseline)}</td>
            <td class="num mono">${row.changed ? html`<strong>${formatKnobValue(row.incumbent)}</strong>` : formatKnobValue(row.incumbent)}</td>
            <td>${row.setBy !== null ? link(row.setBy) : row.changed ? html`<span class="muted">?</span>` : html`<span class="muted">unchanged</span>`}</td></tr>`,
        )}</tbody></table>`
    : '';
  const summary = html`<p class="sub-line">${link(data.incumbent.id)} is ${plural(steps, 'step')} from the baseline${config ? html`: <strong>${config.changed}</strong> of ${plural(config.rows.length, 'knob')} changed` : ''}; the whole chain changed ${plural(files.length, 'file')} (<span class="good">+${added}</span> <span class="bad">−${removed}</span>).</p>`;
  const diff = data.diff
    ? html`<details class="cumulative-diff" id="cumulative-diff"><summary>the cumulative diff, baseline → #${data.incumbent.id} (${files.map((file) => file.path).join(', ') || 'no files'})</summary><div class="diff-body"></div></details>`
    : '';
  return html`${summary}${table}${diff}`;
}
