/** The studies in this store, with their headline figures. */
import { api } from '../api.js';
import { html, setHtml } from '../dom.js';
import { ago, formatDuration, formatValue, formatDelta } from '../format.js';

export async function render(view) {
  view.setCrumbs([]);
  document.title = 'autolab · studies';
  const { studies } = await api.studies();
  if (!view.isCurrent()) return;
  const rows = studies.map((study) => {
    const href = `/studies/${encodeURIComponent(study.name)}`;
    const delta = study.incumbent?.score != null && study.baselineScore != null ? study.incumbent.score - study.baselineScore : null;
    const better = delta === null ? null : study.objective.direction === 'minimize' ? delta < 0 : delta > 0;
    return html`<tr class="row-link" data-href="${href}" data-study="${study.name}">
      <td><a href="${href}" data-link><strong>${study.name}</strong></a></td>
      <td>${study.objective.direction} <code>${study.objective.metric}</code></td>
      <td class="num">${study.counts.total.toLocaleString()}</td>
      <td class="num good">${study.counts.kept.toLocaleString()}</td>
      <td class="num ${study.counts.failed ? 'bad' : 'muted'}">${study.counts.failed.toLocaleString()}</td>
      <td class="num">${study.counts.running ? html`<span class="pill running">${study.counts.running}</span>` : html`<span class="muted">0</span>`}</td>
      <td class="num">${formatValue(study.baselineScore)}</td>
      <td class="num">${study.incumbent ? html`#${study.incumbent.id} · <strong>${formatValue(study.incumbent.score)}</strong>` : '—'}</td>
      <td class="num ${better === null ? 'muted' : better ? 'good' : 'bad'}">${formatDelta(delta)}</td>
      <td class="num">${formatDuration(study.elapsedMs)}</td>
      <td class="muted">${study.lastEventAt ? ago(study.lastEventAt) : new Date(study.createdAt).toLocaleDateString()}</td>
    </tr>`;
  });
  setHtml(
    view.app,
    html`<div class="page-head"><div><h1>Studies</h1><div class="sub">${studies.length} in this store</div></div></div>
      <div class="card">
        ${studies.length === 0
          ? html`<div class="empty-state">No study yet. Start one with <code>autolab run</code>.</div>`
          : html`<div class="table-wrap"><table id="studies-table">
              <thead><tr><th>study</th><th>objective</th><th class="num">trials</th><th class="num">kept</th><th class="num">failed</th><th class="num">running</th><th class="num">baseline</th><th class="num">incumbent</th><th class="num">Δ baseline</th><th class="num">driven</th><th>last activity</th></tr></thead>
              <tbody>${rows}</tbody></table></div>`}
      </div>`,
  );
}
