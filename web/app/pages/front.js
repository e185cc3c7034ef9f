/**
 * The front page of a multi-objective study: every scored trial at two of its objective
 * values (dominated ones greyed, the front's members linked to their trials, the
 * recommended trade-off ringed), the hypervolume after each finished trial, and the
 * front's members in a table. With three or more objectives, two selects pick the axes.
 */
import { api } from '../api.js';
import { html, raw, setHtml } from '../dom.js';
import { formatValue, plural } from '../format.js';
import { onLive } from '../live.js';
import { hypervolumePlotSvg, paretoPlotSvg } from '../../plots/pareto-plot.js';

export async function render(view) {
  const study = view.study;
  view.setCrumbs([[study, view.studyUrl('')], ['front', null]]);
  document.title = `autolab · ${study} · front`;
  let data = await api.front(study);
  if (!view.isCurrent()) return;
  if (data.objectives === null) {
    setHtml(
      view.app,
      html`${view.tabs()}<div class="card"><div class="empty-state" id="no-front">This study has one objective (<code>${data.objective.metric}</code>): its front is its incumbent. Declare several under <code>objectives:</code> in the task file (docs/pareto.md) to keep a front of trade-offs.</div></div>`,
    );
    return;
  }
  const axes = { x: 0, y: 1 };
  const select = (name) =>
    html`<label class="muted">${name} <select id="axis-${name}">${data.objectives.map((objective, k) => html`<option value="${k}" ${axes[name] === k ? 'selected' : ''}>${objective.metric}</option>`)}</select></label>`;
  setHtml(
    view.app,
    html`${view.tabs()}
      <div class="page-head"><div><h1>${study}: the front</h1><div class="sub" id="front-sub"></div></div></div>
      <div class="grid-3-2">
        <div class="card"><h2>The front <span class="note" id="front-note">${data.objectives.length > 2 ? html`${select('x')} ${select('y')}` : 'click a point to open its trial'}</span></h2><div class="plot" id="front-plot"></div></div>
        <div class="card"><h2>Hypervolume over time <span class="note" id="hypervolume-note"></span></h2><div class="plot" id="hypervolume-plot"></div></div>
      </div>
      <div style="height:16px"></div>
      <div class="card"><h2>Front members <span class="note">oldest first · ★ the recommended trade-off</span></h2><div class="table-wrap" id="front-members"></div></div>`,
  );
  const fill = () => {
    const { front } = data;
    const byId = new Map(data.points.map((point) => [point.id, point]));
    view.tipFor = (id) => {
      const point = byId.get(id);
      return point ? `#${id} · ${data.objectives.map((objective, k) => `${objective.metric} ${formatValue(point.values[k])}`).join(' · ')}` : `trial #${id}`;
    };
    const preference = front.preference ? JSON.stringify(front.preference) : 'equal weights';
    setHtml(
      view.app.querySelector('#front-sub'),
      html`${data.objectives.map((objective) => `${objective.direction} ${objective.metric}`).join(' · ')} · ${plural(front.members.length, 'trial')} on the front of ${plural(data.points.length, 'scored trial')}${data.unplotted > 0 ? html` · ${plural(data.unplotted, 'other finished trial')} without every objective` : ''} · preference: ${preference}`,
    );
    setHtml(view.app.querySelector('#front-plot'), raw(paretoPlotSvg(data, { width: 760, height: 460, x: axes.x, y: axes.y })));
    setHtml(view.app.querySelector('#hypervolume-note'), html`<span id="hypervolume-value">hypervolume ${formatValue(front.hypervolume)}</span> against (${Object.entries(front.reference).map(([metric, value]) => `${metric} ${formatValue(value)}`).join(', ')})`);
    setHtml(view.app.querySelector('#hypervolume-plot'), raw(hypervolumePlotSvg(data, { width: 560, height: 300 })));
    const headers = ['trial', ...data.objectives.map((objective) => `${objective.metric} (${objective.direction === 'maximize' ? 'max' : 'min'})`), 'specialist', 'hypothesis'];
    setHtml(
      view.app.querySelector('#front-members'),
      html`<table class="table" id="front-table"><thead><tr>${headers.map((header) => html`<th>${header}</th>`)}</tr></thead><tbody>${front.members.map(
        (member) =>
          html`<tr data-href="${view.studyUrl(`/trials/${member.id}`)}" data-member="${member.id}"><td><a href="${view.studyUrl(`/trials/${member.id}`)}" data-link>${member.id === front.recommended ? '★ ' : ''}#${member.id}</a></td>${data.objectives.map((objective) => html`<td class="num">${formatValue(member.values[objective.metric])}</td>`)}<td>${member.specialist}</td><td class="hypothesis">${member.hypothesis}</td></tr>`,
      )}</tbody></table>`,
    );
  };
  fill();
  view.app.addEventListener('change', (event) => {
    const name = event.target.id === 'axis-x' ? 'x' : event.target.id === 'axis-y' ? 'y' : null;
    if (name === null) return;
    axes[name] = Number(event.target.value);
    fill();
  });
  let timer = null;
  const unsubscribe = onLive(() => {
    if (timer !== null) return;
    timer = setTimeout(async () => {
      timer = null;
      const next = await api.front(study).catch(() => null);
      if (next && view.isCurrent() && next.objectives !== null) {
        data = next;
        fill();
      }
    }, 1500);
  });
  return () => {
    unsubscribe();
    clearTimeout(timer);
  };
}
