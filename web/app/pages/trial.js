/**
 * One trial: hypothesis, notes, outcome and label detail, metrics, learning curve, logs,
 * the diff side by side, parent and children, and the diff against any other trial.
 */
import { api } from '../api.js';
import { diffView } from '../diff-view.js';
import { html, raw, setHtml } from '../dom.js';
import { deltaCell, formatDelta, formatDuration, formatValue, money, outcomePill, when } from '../format.js';
import { onLive } from '../live.js';
import { learningCurveSvg } from '../../plots/learning-curve.js';

const PHASES = [
  ['proposeMs', 'propose'],
  ['materialiseMs', 'materialise'],
  ['legalityMs', 'legality'],
  ['preflightMs', 'preflight'],
  ['runMs', 'run'],
  ['scoreMs', 'score'],
  ['recordMs', 'record'],
];

export async function render(view) {
  const study = view.study;
  const id = Number(view.params[0]);
  view.setCrumbs([[study, view.studyUrl('')], ['trials', view.studyUrl('/trials')], [`#${id}`, null]]);
  document.title = `autolab · ${study} · trial #${id}`;
  let detail = await api.trial(study, id);
  if (!view.isCurrent()) return;
  setHtml(
    view.app,
    html`${view.tabs()}<div id="trial-head"></div><div id="trial-body"></div>
      <div class="card"><h2>Diff against its parent <span class="note" id="diff-note"></span></h2><div id="diff-parent"></div></div>
      <div class="card"><h2>Diff against another trial</h2>
        <form class="filters" id="diff-form"><label>from trial<input type="number" min="0" name="against" placeholder="e.g. 0" style="width:120px" /></label>
          <button type="submit" class="primary" style="align-self:flex-end">Show the change to #${id}</button>
          <span class="muted" style="align-self:flex-end">what turns that trial's code into this one's</span></form>
        <div id="diff-other"></div></div>
      <div class="card"><h2>Logs</h2><div id="logs"></div></div>
      <div class="card"><details><summary>Audit log of this trial</summary><div class="table-wrap" id="events"></div></details></div>`,
  );
  const fill = () => fillTrial(view, detail);
  fill();
  view.app.querySelector('#diff-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const against = event.target.elements.against.value.trim();
    if (against === '') return;
    const target = view.app.querySelector('#diff-other');
    setHtml(target, html`<div class="muted">Loading…</div>`);
    try {
      const result = await api.diff(study, id, against);
      setHtml(target, renderTrialDiff(result));
    } catch (error) {
      setHtml(target, view.errorView(error));
    }
  });
  view.app.querySelector('#logs').addEventListener('click', async (event) => {
    const button = event.target.closest('[data-log]');
    if (!button) return;
    const name = button.getAttribute('data-log');
    const target = view.app.querySelector('#log-full');
    setHtml(target, html`<div class="muted">Loading ${name}…</div>`);
    try {
      const { text, omitted } = await api.log(study, id, name);
      setHtml(target, html`<h3>${name}${omitted ? html` <span class="muted">(last ${Math.round(text.length / 1024)} KiB; ${Math.round(omitted / 1024)} KiB before it left out)</span>` : ''}</h3><pre class="block" data-log-text="${name}">${text || '(empty)'}</pre>`);
    } catch (error) {
      setHtml(target, view.errorView(error));
    }
  });
  let timer = null;
  const unsubscribe = onLive((events) => {
    const relevant = events.some((event) => event.trialId === id || (event.type === 'trial.created' && event.data?.parent === id));
    if (!relevant || timer !== null) return;
    timer = setTimeout(async () => {
      timer = null;
      const next = await api.trial(study, id).catch(() => null);
      if (next && view.isCurrent()) {
        detail = next;
        fill();
      }
    }, 200);
  });
  return () => {
    unsubscribe();
    clearTimeout(timer);
  };
}

function fillTrial(view, detail) {
  const { trial, summary } = detail;
  const metric = detail.objective.metric;
  const link = (other) => html`<a href="${view.studyUrl(`/trials/${other.id}`)}" data-link>#${other.id}</a>`;
  setHtml(
    view.app.querySelector('#trial-head'),
    html`<div class="page-head"><div>
        <h1>Trial #${trial.id} ${outcomePill(trial.status, trial.label)} ${detail.isIncumbent ? html`<span class="pill incumbent">incumbent</span>` : ''} ${detail.onChain && !detail.isIncumbent ? html`<span class="pill chain">on the incumbent's chain</span>` : ''}</h1>
        <div class="sub">by <strong>${trial.specialist}</strong> · parent ${detail.parent ? link(detail.parent) : '—'} · seed ${trial.seed}${detail.slot ? ` · slot ${detail.slot.slot ?? '?'}${detail.slot.gpu ? ` (gpu ${detail.slot.gpu})` : ''}` : ''} · created ${when(trial.createdAt)}${trial.id !== 0 ? html` · <a href="${view.studyUrl(`/trials/${trial.id}/session`)}" data-link id="session-link">the session that proposed it</a>` : ''}</div>
      </div></div>
      <div class="stats">
        <div class="stat"><div class="k">${metric}</div><div class="v" id="trial-score">${formatValue(trial.score)}</div><div class="d">${trial.status === 'failed' ? 'no valid score' : trial.status}</div></div>
        <div class="stat"><div class="k">Δ parent</div><div class="v">${deltaCell(summary.delta, summary.gain)}</div><div class="d">${detail.parent ? html`parent ${link(detail.parent)}: ${formatValue(detail.parent.score)}` : 'no parent'}</div></div>
        <div class="stat"><div class="k">Δ baseline</div><div class="v">${formatDelta(detail.deltaVsBaseline)}</div><div class="d">${trial.expectedDelta !== null ? `expected ${formatDelta(trial.expectedDelta)}` : 'no expectation given'}</div></div>
        <div class="stat"><div class="k">time</div><div class="v">${formatDuration(trial.timings.totalMs)}</div><div class="d">run ${formatDuration(trial.timings.runMs)} · score ${formatDuration(trial.timings.scoreMs)}</div></div>
        <div class="stat"><div class="k">cost</div><div class="v">${money(trial.cost?.usd)}</div><div class="d">${trial.cost ? `${trial.cost.inputTokens.toLocaleString()} in · ${trial.cost.outputTokens.toLocaleString()} out` : 'no LLM tokens'}</div></div>
      </div>`,
  );
  const metrics = Object.entries(trial.metrics);
  const repeats = trial.repeats ?? [];
  setHtml(
    view.app.querySelector('#trial-body'),
    html`<div class="card"><h2>Hypothesis</h2><blockquote class="hypothesis" id="hypothesis">${trial.hypothesis}</blockquote>
        ${trial.notes ? html`<h3>Notes</h3><div style="white-space:pre-wrap">${trial.notes}</div>` : ''}
        ${trial.label || trial.labelDetail ? html`<h3>Outcome: ${outcomePill(trial.status, trial.label)}</h3>${trial.failure ? html`<p id="failure-cause"><strong>Cause:</strong> <code>${trial.failure.summary}</code><br /><span class="muted" title="trials with this signature failed for the same reason">signature: <code>${trial.failure.signature}</code></span></p>` : ''}<pre class="detail" id="label-detail">${trial.labelDetail ?? '(no detail recorded)'}</pre>` : ''}</div>
      <div class="grid-even">
        <div class="card"><h2>Metrics</h2>${metrics.length === 0 ? html`<div class="muted">No metrics recorded.</div>` : html`<dl class="kv" id="metrics">${metrics.map(([name, value]) => html`<dt>${name}${name === metric ? ' ★' : ''}</dt><dd>${formatValue(value)}</dd>`)}</dl>`}
          ${repeats.length > 1 ? html`<h3>Repeats</h3><table><thead><tr><th>repeat</th><th>seed</th><th class="num">${metric}</th><th class="num">run</th></tr></thead><tbody>${repeats.map((r) => html`<tr><td>${r.repeat}${r.verification ? ' (verification)' : ''}</td><td>${r.seed}</td><td class="num">${formatValue(r.metrics?.[metric])}</td><td class="num">${formatDuration(r.runMs)}</td></tr>`)}</tbody></table>` : ''}</div>
        <div class="card"><h2>Lineage and timings</h2>
          <dl class="kv"><dt>parent</dt><dd>${detail.parent ? html`${link(detail.parent)} ${outcomePill(detail.parent.status, detail.parent.label)} ${formatValue(detail.parent.score)}` : '—'}</dd>
          <dt>children</dt><dd id="children">${detail.children.length === 0 ? html`<span class="muted">none</span>` : detail.children.map((child) => html`<span style="margin-right:10px;white-space:nowrap">${link(child)} ${outcomePill(child.status, child.label)}</span>`)}</dd>
          <dt>commit</dt><dd class="mono">${trial.commit ? trial.commit.slice(0, 12) : '—'}</dd>
          <dt>started</dt><dd>${when(trial.startedAt)}</dd><dt>finished</dt><dd>${when(trial.finishedAt)}</dd>
          ${PHASES.filter(([key]) => trial.timings[key] !== undefined).map(([key, name]) => html`<dt>${name}</dt><dd>${formatDuration(trial.timings[key])}</dd>`)}</dl></div>
      </div>
      <div style="height:16px"></div>
      ${runFeedbackCard(detail.events)}
      ${detail.curve ? html`<div class="card"><h2>Learning curve</h2><div class="plot" id="curve" style="max-width:760px">${raw(learningCurveSvg(detail.curve, { width: 760 }))}</div></div>` : ''}`,
  );
  setHtml(view.app.querySelector('#diff-note'), detail.parent ? html`from ${link(detail.parent)}` : '');
  setHtml(
    view.app.querySelector('#diff-parent'),
    html`${diffView(trial.diff, { emptyText: trial.id === 0 ? 'The baseline has no diff.' : trial.status === 'failed' && !trial.commit ? 'The edit was never applied (no commit).' : 'No change recorded yet.' })}
      ${trial.diff ? html`<details><summary>raw patch</summary><pre class="block">${trial.diff}</pre></details>` : ''}`,
  );
  setHtml(
    view.app.querySelector('#logs'),
    html`<h3 style="margin-top:0">Excerpt</h3>${trial.logExcerpt ? html`<pre class="block" id="log-excerpt">${trial.logExcerpt}</pre>` : html`<div class="muted">No log excerpt.</div>`}
      <div class="buttons">${detail.logs.length === 0 ? html`<span class="muted">No full logs on this machine.</span>` : detail.logs.map((log) => html`<button type="button" data-log="${log.name}">${log.name} <span class="muted">${formatBytes(log.bytes)}</span></button>`)}</div>
      <div id="log-full"></div>`,
  );
  setHtml(
    view.app.querySelector('#events'),
    html`<table><thead><tr><th>#</th><th>at</th><th>event</th><th>data</th></tr></thead><tbody>${detail.events.map((event) => html`<tr><td class="muted">${event.id}</td><td>${when(event.at)}</td><td><code>${event.storedType ?? event.type}</code></td><td class="mono">${JSON.stringify(event.data)}</td></tr>`)}</tbody></table>`,
  );
}

/** What the run left beyond its score (the task's `feedback:`), from the trial's `trial.feedback` event. */
function runFeedbackCard(events) {
  const feedback = [...(events ?? [])].reverse().find((event) => event.type === 'trial.feedback')?.data;
  if (!feedback) return '';
  const profile = feedback.profile;
  return html`<div class="card" id="run-feedback"><h2>Run feedback <span class="note">what the run left beyond its score</span></h2>
    ${profile ? html`<h3>profile <code>${profile.command}</code> <span class="muted">${profile.timedOut ? 'timed out' : `exit ${profile.exitCode ?? 'by signal'}`} · ${formatDuration(profile.durationMs)}${profile.truncated ? ' · cut' : ''}</span></h3><pre class="block">${profile.text}</pre>` : ''}
    ${feedback.files.map((file) => html`<h3><code>${file.path}</code> <span class="muted">${file.chars.toLocaleString()} characters${file.truncated ? ', cut' : ''}</span></h3><pre class="block">${file.text}</pre>`)}
    ${feedback.missing.length > 0 ? html`<p class="muted">Not left by the run: ${feedback.missing.join(', ')}.</p>` : ''}</div>`;
}

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function renderTrialDiff(result) {
  if (result.source === 'git') {
    return html`<div class="step-head">git diff from #${result.from} to #${result.to}</div>${diffView(result.diff, { emptyText: 'The two trials have the same code.' })}`;
  }
  return html`<div class="step-head">${result.note}</div>${result.steps.map((step) => html`<div class="step-head">${step.reversed ? `undo #${step.trial}` : `apply #${step.trial}`}</div>${diffView(step.diff)}`)}`;
}
