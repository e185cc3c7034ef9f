/** The study overview: figures, score plot, slot timeline, outcomes, specialists, chain. */
import { api } from '../api.js';
import { html, raw, setHtml } from '../dom.js';
import { deltaCell, formatDuration, formatValue, money, outcomePill, outcomeCell, percent, plural, when } from '../format.js';
import { onLive } from '../live.js';
import { labelBarsSvg } from '../../plots/label-bars.js';
import { scorePlotSvg } from '../../plots/score-plot.js';
import { timelinePlotSvg } from '../../plots/timeline-plot.js';

const CHAIN_ROWS = 12;

export async function render(view) {
  const study = view.study;
  view.setCrumbs([[study, null]]);
  document.title = `autolab · ${study}`;
  let data = await api.overview(study);
  if (!view.isCurrent()) return;
  setHtml(
    view.app,
    html`${view.tabs()}
      <div class="page-head"><div><h1>${study}</h1><div class="sub" id="study-sub"></div></div></div>
      <div class="stats" id="stats"></div>
      <div class="card"><h2>Score against trial number <span class="note" id="score-note"></span></h2><div class="plot" id="score-plot"></div></div>
      <div class="card" id="incumbent-card"><h2>The incumbent against the baseline <span class="note">every knob, and the change of the whole chain</span></h2><div id="incumbent-body" class="muted">Loading…</div></div>
      <div class="card" id="fidelity-card" hidden><h2>Fidelity funnel <span class="note">how many trials each level of the ladder measured, stopped and promoted</span></h2><div class="table-wrap" id="fidelity"></div></div>
      <div class="card"><h2>Trials per slot <span class="note">busy time over the time the study was active</span></h2><div class="plot" id="timeline"></div></div>
      <div class="grid-2">
        <div class="card"><h2>Outcomes <span class="note">click a bar to list those trials</span></h2><div class="plot" id="outcomes"></div></div>
        <div class="card"><h2>Specialists</h2><div class="table-wrap" id="specialists"></div></div>
      </div>
      <div style="height:16px"></div>
      <div class="card" id="failures-card"><h2>Failures by cause <span class="note">failed trials grouped by failure signature · click a row for its latest trial</span></h2><div class="table-wrap" id="failures"></div></div>
      <div class="card"><h2>Chain to the incumbent <span class="note" id="chain-note"></span></h2><div class="table-wrap" id="chain"></div></div>
      <div class="card"><h2>Recent trials <a class="note" href="${view.studyUrl('/trials')}" data-link>all trials →</a></h2><div class="table-wrap" id="recent"></div></div>`,
  );
  const fill = () => {
    const points = new Map();
    for (const [id, score, status] of data.scorePlot.points) points.set(id, `#${id} · ${formatValue(score)} · ${status}`);
    for (const [id, label] of data.scorePlot.failed) points.set(id, `#${id} · ${label}`);
    view.tipFor = (id) => points.get(id) ?? `trial #${id}`;
    fillOverview(view, data);
    if (timeline) setHtml(view.app.querySelector('#utilisation'), `slot utilisation ${percent(timeline.utilisation)}`);
    // Let the headline and the score plot paint first on large studies.
    const rest = data;
    requestAnimationFrame(() => setTimeout(() => view.isCurrent() && data === rest && fillOverviewRest(view, rest), 0));
  };
  let timeline = null;
  const fillTimeline = async () => {
    const next = await api.timeline(study).catch(() => null);
    if (!next || !view.isCurrent() || (timeline && next.revision < timeline.revision)) return;
    timeline = next;
    setHtml(view.app.querySelector('#timeline'), raw(timelinePlotSvg(timeline)));
    setHtml(view.app.querySelector('#utilisation'), `slot utilisation ${percent(timeline.utilisation)}`);
  };
  let shownIncumbent;
  const fillIncumbent = async () => {
    const id = data.incumbent?.id ?? null;
    if (id === shownIncumbent) return;
    // The card and its modules load after the score plot has painted.
    const [next, { incumbentCard, lazyDiff }] = await Promise.all([api.incumbent(study).catch((error) => ({ error })), import('../incumbent-card.js')]);
    if (!view.isCurrent()) return;
    shownIncumbent = id;
    setHtml(view.app.querySelector('#incumbent-body'), next.error ? view.errorView(next.error) : incumbentCard(view, next));
    view.app.querySelector('#incumbent-body').classList.remove('muted');
    if (!next.error) lazyDiff(view.app.querySelector('#cumulative-diff'), next);
  };
  const fillFidelity = async () => {
    const next = await api.fidelity(study).catch(() => null);
    if (!next || !next.funnel || !view.isCurrent()) return;
    const { fidelityCard } = await import('../fidelity-card.js');
    view.app.querySelector('#fidelity-card').hidden = false;
    setHtml(view.app.querySelector('#fidelity'), fidelityCard(view, next.funnel));
  };
  fill();
  void fillTimeline();
  void fillIncumbent();
  void fillFidelity();
  view.app.querySelector('#outcomes').addEventListener('click', (event) => {
    const bar = event.target.closest('[data-outcome]');
    if (!bar) return;
    const key = bar.getAttribute('data-outcome');
    const filter = bar.getAttribute('data-kind') === 'label' ? `label=${key}` : `status=${key === 'running' ? 'running,pending' : key}`;
    view.navigate(view.studyUrl(`/trials?${filter}`));
  });
  let last = 0;
  let timer = null;
  const refresh = async () => {
    timer = null;
    last = Date.now();
    const next = await api.overview(study).catch(() => null);
    if (!next || !view.isCurrent()) return;
    data = next;
    fill();
    void fillTimeline();
    void fillIncumbent();
    void fillFidelity();
  };
  const unsubscribe = onLive(() => {
    if (timer !== null) return;
    timer = setTimeout(refresh, Math.max(0, 1000 - (Date.now() - last)));
  });
  return () => {
    unsubscribe();
    if (timer !== null) clearTimeout(timer);
  };
}

function fillOverview(view, data) {
  const { counts, objective } = { counts: data.counts, objective: data.study.objective };
  const root = view.app;
  setHtml(root.querySelector('#study-sub'), html`${objective.direction} <code>${objective.metric}</code> · created ${when(data.study.createdAt)} · driven for ${formatDuration(data.study.elapsedMs)}`);
  const incumbent = data.incumbent;
  const gainPct = incumbent && incumbent.deltaVsBaseline !== null && data.baseline.score ? (100 * incumbent.deltaVsBaseline) / Math.abs(data.baseline.score) : null;
  const better = incumbent && incumbent.deltaVsBaseline !== null ? (objective.direction === 'minimize' ? incumbent.deltaVsBaseline < 0 : incumbent.deltaVsBaseline > 0) : null;
  setHtml(
    root.querySelector('#stats'),
    html`<div class="stat"><div class="k">baseline</div><div class="v">${formatValue(data.baseline.score)}</div><div class="d">trial #0</div></div>
      <div class="stat" id="stat-incumbent"><div class="k">incumbent</div><div class="v">${incumbent ? formatValue(incumbent.score) : '—'}</div>
        <div class="d">${incumbent ? html`<a href="${view.studyUrl(`/trials/${incumbent.id}`)}" data-link>#${incumbent.id}</a> · <span class="${better ? 'good' : better === false ? 'bad' : ''}">${deltaText(incumbent.deltaVsBaseline, gainPct)}</span> vs baseline` : 'none yet'}</div></div>
      <div class="stat"><div class="k">trials</div><div class="v" id="stat-total">${counts.total.toLocaleString()}</div>
        <div class="d"><span class="good">${counts.kept} kept</span> · ${counts.discarded} discarded · <span class="${counts.failed ? 'bad' : ''}">${counts.failed} failed</span>${counts.running + counts.pending ? html` · <span class="pill running">${counts.running + counts.pending} running</span>` : ''}</div></div>
      <div class="stat"><div class="k">trial time</div><div class="v">${formatDuration(data.computeMs)}</div><div class="d" id="utilisation">slot utilisation …</div></div>
      <div class="stat"><div class="k">proposal cost</div><div class="v">${money(data.costUsd)}</div><div class="d">LLM tokens, all specialists</div></div>`,
  );
  setHtml(root.querySelector('#score-plot'), raw(scorePlotSvg(data.scorePlot)));
  const plot = data.scorePlot;
  const drawnOnly = (plot.thinned ?? 0) + (plot.thinnedFailures ?? 0) > 0 ? ' · a large study: the discarded cloud and the failures drawn thinned, every kept step shown' : '';
  setHtml(root.querySelector('#score-note'), `${plural(plot.points.length + (plot.thinned ?? 0), 'scored trial')}, ${plot.failed.length + (plot.thinnedFailures ?? 0)} failed${drawnOnly}`);
}

/** The rest of the overview, drawn after the headline and the score plot have painted. */
function fillOverviewRest(view, data) {
  const root = view.app;
  setHtml(root.querySelector('#outcomes'), raw(labelBarsSvg(data.outcomes)));
  setHtml(
    root.querySelector('#specialists'),
    data.specialists.length === 0
      ? html`<div class="empty-state">No trials yet.</div>`
      : html`<table><thead><tr><th>specialist</th><th class="num">trials</th><th class="num">kept</th><th class="num">failed</th><th class="num">keep rate</th><th class="num" title="share of the incumbent's improvement over the baseline, attributed along the chain">share of gain</th><th class="num">cost</th><th class="num" title="attributed gain per hour of trial time">payoff / h</th></tr></thead>
        <tbody>${data.specialists.map(
          (row) => html`<tr class="row-link" data-href="${view.studyUrl(`/trials?specialist=${encodeURIComponent(row.specialist)}`)}">
            <td><strong>${row.specialist}</strong></td><td class="num">${row.trials.toLocaleString()}</td><td class="num good">${row.kept}</td>
            <td class="num ${row.failed ? 'bad' : 'muted'}">${row.failed}</td><td class="num">${percent(row.keepRate)}</td>
            <td class="num">${shareBar(row.share)}</td><td class="num">${money(row.costUsd)}</td>
            <td class="num">${row.payoffPerHour === null ? '—' : formatValue(row.payoffPerHour)}</td></tr>`,
        )}</tbody></table>`,
  );
  const chainShown = data.chain.length > CHAIN_ROWS ? [data.chain[0], ...data.chain.slice(-(CHAIN_ROWS - 1))] : data.chain;
  setHtml(root.querySelector('#chain-note'), data.chain.length > CHAIN_ROWS ? html`baseline and the last ${CHAIN_ROWS - 1} of ${data.chain.length} steps · <a href="${view.studyUrl('/lineage')}" data-link>whole lineage →</a>` : `${data.chain.length} steps`);
  setHtml(root.querySelector('#chain'), trialRows(view, chainShown, { showParent: true }));
  setHtml(root.querySelector('#recent'), trialRows(view, data.recent, { showParent: true }));
  setHtml(root.querySelector('#failures'), failureCauseRows(view, data.failures ?? []));
}

/** The failures-by-cause table: count, first and last trial, an example summary, who hit it. */
export function failureCauseRows(view, causes) {
  if (causes.length === 0) return html`<div class="empty-state">No failed trial.</div>`;
  const trialLink = (id) => html`<a href="${view.studyUrl(`/trials/${id}`)}" data-link>#${id}</a>`;
  return html`<table><thead><tr><th>label</th><th class="num">trials</th><th>first</th><th>last</th><th>example (latest)</th><th>specialists</th></tr></thead>
    <tbody>${causes.map(
      (cause) => html`<tr class="row-link" data-href="${view.studyUrl(`/trials/${cause.lastTrial}`)}" title="${cause.signature}">
        <td>${outcomePill('failed', cause.label)}</td><td class="num bad">${cause.count}</td>
        <td>${trialLink(cause.firstTrial)}</td><td>${trialLink(cause.lastTrial)}</td>
        <td class="cause-summary">${cause.summary}</td>
        <td class="muted">${Object.entries(cause.specialists).map(([name, n]) => `${name} ${n}`).join(', ')}</td></tr>`,
    )}</tbody></table>`;
}

function deltaText(delta, pct) {
  if (delta === null || delta === undefined) return '—';
  return `${delta > 0 ? '+' : ''}${formatValue(delta)}${pct === null ? '' : ` (${pct > 0 ? '+' : ''}${pct.toFixed(1)}%)`}`;
}

function shareBar(share) {
  if (share === null || share === undefined) return '—';
  const width = Math.max(0, Math.min(100, share * 100));
  return html`<span style="display:inline-flex;align-items:center;gap:6px"><span style="display:inline-block;width:60px;height:8px;background:#f1f5f9;border-radius:4px;overflow:hidden"><span style="display:block;height:8px;width:${width}%;background:#f59e0b"></span></span>${percent(share)}</span>`;
}

/** A compact table of trial summaries (rows carry data-trial-id). */
export function trialRows(view, rows, { showParent }) {
  if (rows.length === 0) return html`<div class="empty-state">No trials yet.</div>`;
  return html`<table><thead><tr><th>trial</th>${showParent ? html`<th>parent</th>` : ''}<th>specialist</th><th>outcome</th><th class="num">score</th><th class="num">Δ parent</th><th>hypothesis</th></tr></thead>
    <tbody>${rows.map(
      (row) => html`<tr class="row-link" data-trial-id="${row.id}" data-href="${view.studyUrl(`/trials/${row.id}`)}">
        <td><a href="${view.studyUrl(`/trials/${row.id}`)}" data-link>#${row.id}</a></td>
        ${showParent ? html`<td class="muted">${row.parent === null ? '—' : `#${row.parent}`}</td>` : ''}
        <td>${row.specialist}</td><td>${outcomeCell(row)}</td>
        <td class="num">${formatValue(row.score)}</td><td class="num">${deltaCell(row.delta, row.gain)}</td>
        <td class="hyp">${row.hypothesis}</td></tr>`,
    )}</tbody></table>`;
}
