/**
 * Every archived session of a study (llm and command specialists, those that proposed
 * nothing included), oldest first; a row opens its replay.
 */
import { api } from '../api.js';
import { html, setHtml } from '../dom.js';
import { formatDuration, money, when } from '../format.js';

export async function render(view) {
  const study = view.study;
  view.setCrumbs([[study, view.studyUrl('')], ['sessions', null]]);
  document.title = `autolab · ${study} · sessions`;
  const { sessions } = await api.sessions(study);
  if (!view.isCurrent()) return;
  const row = (s) => html`<tr data-href="${view.studyUrl(`/sessions/${s.id}`)}"><td><a href="${view.studyUrl(`/sessions/${s.id}`)}" data-link>${s.id.slice(0, 8)}</a></td><td>${when(s.startedAt)}</td><td>${s.specialist}</td><td>${s.kind}</td><td>${s.outcome}</td>
    <td>${s.trialId === null ? '—' : html`<a href="${view.studyUrl(`/trials/${s.trialId}`)}" data-link>#${s.trialId}</a>`}</td><td class="num">${s.messages}</td><td class="num">${s.toolCalls}</td><td class="num">${s.retries}</td>
    <td class="num">${formatDuration(s.durationMs)}</td><td class="num">${money(s.cost.usd)}</td><td class="num">${(s.bytes / 1024).toFixed(1)} KiB</td><td class="muted">${s.reason.slice(0, 120)}</td></tr>`;
  setHtml(
    view.app,
    html`${view.tabs()}<div class="card"><h2>Sessions (${sessions.length})</h2>
      ${sessions.length === 0 ? html`<div class="muted">No archived sessions: only llm and command specialists have them.</div>` : html`<div class="table-wrap"><table id="sessions"><thead><tr><th>session</th><th>started</th><th>specialist</th><th>kind</th><th>outcome</th><th>trial</th><th class="num">steps</th><th class="num">tools</th><th class="num">retries</th><th class="num">time</th><th class="num">cost</th><th class="num">size</th><th>why it ended</th></tr></thead><tbody>${sessions.map(row)}</tbody></table></div>`}</div>`,
  );
}
