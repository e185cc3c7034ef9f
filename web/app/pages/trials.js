/**
 * The trials table: sort by any column, filter by specialist, status, label, text and
 * knob or metric ranges (a brush on the knobs page), show any knob and metric as a
 * column (the columns menu), paginate. The state is in the URL.
 */
import { api } from '../api.js';
import { html, setHtml } from '../dom.js';
import { deltaCell, formatDuration, formatValue, money, outcomeCell } from '../format.js';
import { onLive } from '../live.js';
import { formatKnobValue } from '../../plots/knob-axis.js';

const COLUMNS = [
  ['id', 'trial', false],
  [null, 'parent', false],
  ['specialist', 'specialist', false],
  ['status', 'outcome', false],
  ['score', 'score', true],
  ['delta', 'Δ parent', true],
  ['duration', 'time', true],
  ['cost', 'cost', true],
  [null, 'hypothesis', false],
];
const STATUSES = ['kept', 'discarded', 'failed', 'running', 'pending'];
const PAGE_SIZES = [25, 50, 100, 250];
/** `columns=-` in the page's URL: no extra columns. */
const NO_COLUMNS = '-';

/** The API's parameters for the page's state (no `columns` in the URL: every knob). */
function apiParams(state) {
  const params = { ...state };
  if (state.columns === NO_COLUMNS) delete params.columns;
  else if (state.columns === undefined) params.columns = 'knobs';
  return params;
}

export async function render(view) {
  const study = view.study;
  view.setCrumbs([[study, view.studyUrl('')], ['trials', null]]);
  document.title = `autolab · ${study} · trials`;
  const state = Object.fromEntries(view.query);
  state.limit ??= '50';
  let data = await api.trials(study, apiParams(state));
  if (!view.isCurrent()) return;
  // Knob and metric columns make the table wide: let it use the window.
  view.app.classList.add('wide');
  setHtml(
    view.app,
    html`${view.tabs()}
      <div class="card">
        <form class="filters" id="filters">
          <label>specialist<select name="specialist"><option value="">all</option></select></label>
          <label>status<select name="status"><option value="">all</option>${STATUSES.map((s) => html`<option value="${s}">${s}</option>`)}</select></label>
          <label>failure label<select name="label"><option value="">all</option></select></label>
          <label>hypothesis contains<input type="search" name="q" placeholder="text…" /></label>
          <label>per page<select name="limit">${PAGE_SIZES.map((n) => html`<option value="${n}">${n}</option>`)}</select></label>
          <details class="columns-menu" id="columns-menu"><summary>columns</summary><div class="columns-list" id="columns-list"></div></details>
          <span class="muted" id="total" style="margin-left:auto"></span>
        </form>
        <div class="chips" id="filter-chips"></div>
        <div class="table-wrap"><table id="trials-table"><thead id="trials-head"></thead><tbody id="trials-body"></tbody></table></div>
        <div class="pager" id="pager"></div>
      </div>`,
  );
  const form = view.app.querySelector('#filters');
  const apply = (changes) => {
    for (const [key, value] of Object.entries(changes)) {
      if (value === '' || value === null || value === undefined) delete state[key];
      else state[key] = String(value);
    }
    const search = new URLSearchParams(state).toString();
    history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}`);
    void reload();
  };
  const reload = async () => {
    const next = await api.trials(study, apiParams(state)).catch((error) => {
      setHtml(view.app.querySelector('#trials-body'), html`<tr><td colspan="${COLUMNS.length + data.columns.length}">${view.errorView(error)}</td></tr>`);
      return null;
    });
    if (!next || !view.isCurrent()) return;
    data = next;
    fill();
  };
  const fill = () => {
    fillSelect(form.elements.specialist, data.facets.specialists, state.specialist);
    fillSelect(form.elements.label, data.facets.labels, state.label);
    form.elements.status.value = state.status && !state.status.includes(',') ? state.status : '';
    form.elements.limit.value = String(data.limit);
    if (document.activeElement !== form.elements.q) form.elements.q.value = state.q ?? '';
    setHtml(view.app.querySelector('#total'), `${data.total.toLocaleString()} matching`);
    fillColumnsMenu(view.app.querySelector('#columns-list'), data);
    setHtml(
      view.app.querySelector('#filter-chips'),
      state.filter ? html`<span class="chip" id="filter-chip">${state.filter.split(';').join(' · ')} <a href="#" data-clear-filter title="clear this filter">×</a></span>` : '',
    );
    const header = (key, text, numeric) => {
      const active = data.sort === key;
      const arrow = active ? (data.order === 'asc' ? ' ▲' : ' ▼') : '';
      return html`<th class="sortable ${numeric ? 'num' : ''} ${active ? 'sorted' : ''}" data-sort="${key}">${text}${arrow}</th>`;
    };
    const extra = data.columns.map((key) => header(key, key.slice(key.indexOf(':') + 1), true));
    setHtml(
      view.app.querySelector('#trials-head'),
      html`<tr>${COLUMNS.slice(0, 6).map(([key, text, numeric]) => (key ? header(key, text === 'score' ? data.metric : text, numeric) : html`<th>${text}</th>`))}${extra}${COLUMNS.slice(6).map(([key, text, numeric]) => (key ? header(key, text, numeric) : html`<th>${text}</th>`))}</tr>`,
    );
    const span = COLUMNS.length + data.columns.length;
    setHtml(
      view.app.querySelector('#trials-body'),
      data.rows.length === 0
        ? html`<tr><td colspan="${span}" class="empty-state">No trial matches these filters.</td></tr>`
        : data.rows.map(
            (row) => html`<tr class="row-link" data-trial-id="${row.id}" data-href="${view.studyUrl(`/trials/${row.id}`)}">
              <td><a href="${view.studyUrl(`/trials/${row.id}`)}" data-link>#${row.id}</a></td>
              <td class="muted">${row.parent === null ? '—' : html`<a href="${view.studyUrl(`/trials/${row.parent}`)}" data-link>#${row.parent}</a>`}</td>
              <td>${row.specialist}</td><td>${outcomeCell(row)}</td>
              <td class="num">${formatValue(row.score)}</td><td class="num">${deltaCell(row.delta, row.gain)}</td>
              ${(row.values ?? []).map((value) => html`<td class="num knob-cell ${value === null ? 'muted' : ''}">${formatKnobValue(value)}</td>`)}
              <td class="num">${formatDuration(row.durationMs)}</td><td class="num">${money(row.costUsd)}</td>
              <td class="hyp"><div class="clamp" title="${row.hypothesis}">${row.hypothesis}</div></td></tr>`,
          ),
    );
    const first = data.total === 0 ? 0 : data.offset + 1;
    const lastRow = Math.min(data.total, data.offset + data.limit);
    setHtml(
      view.app.querySelector('#pager'),
      html`<button type="button" data-page="prev" ${data.offset === 0 ? 'disabled' : ''}>‹ previous</button>
        <span>${first.toLocaleString()}–${lastRow.toLocaleString()} of ${data.total.toLocaleString()}</span>
        <button type="button" data-page="next" ${lastRow >= data.total ? 'disabled' : ''}>next ›</button>`,
    );
  };
  fill();
  form.addEventListener('submit', (event) => event.preventDefault());
  form.addEventListener('change', (event) => {
    const name = event.target.name;
    if (name === 'q') return;
    if (name === 'column') {
      const picked = [...form.querySelectorAll('input[name="column"]:checked')].map((input) => input.value);
      apply({ columns: picked.length ? picked.join(',') : NO_COLUMNS });
      return;
    }
    apply({ [name]: event.target.value, offset: '' });
  });
  view.app.querySelector('#filter-chips').addEventListener('click', (event) => {
    if (!event.target.closest('[data-clear-filter]')) return;
    event.preventDefault();
    apply({ filter: '', offset: '' });
  });
  let typing = null;
  form.elements.q.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => apply({ q: form.elements.q.value.trim(), offset: '' }), 250);
  });
  view.app.querySelector('#trials-head').addEventListener('click', (event) => {
    const th = event.target.closest('[data-sort]');
    if (!th) return;
    const key = th.getAttribute('data-sort');
    const order = data.sort === key ? (data.order === 'asc' ? 'desc' : 'asc') : key === 'id' ? 'desc' : 'asc';
    apply({ sort: key, order, offset: '' });
  });
  view.app.querySelector('#pager').addEventListener('click', (event) => {
    const button = event.target.closest('[data-page]');
    if (!button || button.disabled) return;
    const step = button.getAttribute('data-page') === 'next' ? data.limit : -data.limit;
    apply({ offset: Math.max(0, data.offset + step) || '' });
  });
  let timer = null;
  const unsubscribe = onLive(() => {
    if (timer === null) timer = setTimeout(() => ((timer = null), void reload()), 300);
  });
  return () => {
    unsubscribe();
    clearTimeout(timer);
    clearTimeout(typing);
  };
}

/** The columns menu: a checkbox per knob and per metric, the shown ones checked. */
function fillColumnsMenu(list, data) {
  const shown = new Set(data.columns);
  const box = (key, text) => html`<label class="check"><input type="checkbox" name="column" value="${key}" ${shown.has(key) ? 'checked' : ''} />${text}</label>`;
  setHtml(
    list,
    html`${data.facets.knobs.length ? html`<div class="group">knobs</div>${data.facets.knobs.map((name) => box(`knob:${name}`, name))}` : ''}
      ${data.facets.metrics.length ? html`<div class="group">metrics</div>${data.facets.metrics.map((name) => box(`metric:${name}`, name))}` : ''}
      ${data.facets.knobs.length + data.facets.metrics.length === 0 ? html`<div class="muted">no knobs or metrics yet</div>` : ''}`,
  );
}

function fillSelect(select, values, selected) {
  const current = [...select.options].slice(1).map((option) => option.value).join('\n');
  if (current !== values.join('\n')) {
    select.length = 1;
    for (const value of values) select.add(new Option(value, value));
  }
  select.value = selected && values.includes(selected) ? selected : '';
}
