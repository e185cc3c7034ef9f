/**
 * The session replay: one specialist's proposing conversation (llm or command), step by
 * step (the system prompt and first message, then every model message, tool call and
 * result, retry), beside the diff its proposal became and that trial's outcome. Reached
 * from a trial (`/trials/N/session`) or the Sessions tab (`/sessions/ID`).
 */
import { api } from '../api.js';
import { diffView } from '../diff-view.js';
import { html, setHtml } from '../dom.js';
import { formatDuration, formatValue, money, outcomePill } from '../format.js';

const SESSION_OUTCOMES = { submitted: 'proposed a trial', no_proposal: 'proposed nothing', failed: 'failed' };

export async function render(view) {
  const study = view.study;
  const byTrial = location.pathname.includes('/trials/');
  const data = byTrial ? await api.trialSession(study, view.params[0]) : await api.session(study, view.params[0]);
  if (!view.isCurrent()) return;
  const { session, trial } = data;
  view.setCrumbs([[study, view.studyUrl('')], ['sessions', view.studyUrl('/sessions')], [session.id.slice(0, 8), null]]);
  document.title = `autolab · ${study} · session of ${session.specialist}`;
  view.app.classList.add('wide');
  const steps = session.messages;
  let current = view.query.get('step') === null ? steps.length : Math.max(0, Math.min(steps.length, Number(view.query.get('step')) || 0));
  setHtml(
    view.app,
    html`${view.tabs()}
      <div class="page-head"><div>
        <h1>Session of <strong>${session.specialist}</strong> <span class="pill ${session.outcome === 'submitted' ? 'kept' : session.outcome === 'failed' ? 'failed' : 'discarded'}" id="session-outcome">${SESSION_OUTCOMES[session.outcome] ?? session.outcome}</span></h1>
        <div class="sub">${session.kind} · <code>${session.model}</code> · from #${session.parent ?? '—'} · ${session.steps} model calls · ${session.toolCalls} tool calls · ${session.retries} retries · ${formatDuration(session.durationMs)} · ${money(session.cost.usd)} · ${(session.bytes / 1024).toFixed(1)} KiB archived</div>
        <div class="sub" id="session-reason">${session.reason}</div>
      </div></div>
      <div class="card"><div class="filters" id="replay-controls">
        <button type="button" data-step="first">« start</button><button type="button" data-step="prev">◀ back</button>
        <button type="button" class="primary" data-step="play">▶ play</button><button type="button" data-step="next">next ▶</button><button type="button" data-step="last">end »</button>
        <input type="range" min="0" max="${steps.length}" value="${current}" id="replay-range" style="flex:1;min-width:160px" />
        <span class="muted" id="replay-position"></span></div></div>
      <div class="grid-even">
        <div class="card"><h2>Conversation</h2>
          <details><summary>System prompt (${session.system.length.toLocaleString()} characters)</summary><pre class="block" id="session-system">${session.system}</pre></details>
          <details ${steps.length === 0 ? 'open' : ''}><summary>First message: the lineage it saw (${session.firstMessage.length.toLocaleString()} characters)</summary><pre class="block" id="session-first">${session.firstMessage}</pre></details>
          <ol class="replay" id="replay-steps">${steps.map((message, index) => html`<li data-index="${index}" class="replay-step">${stepView(message)}</li>`)}</ol></div>
        <div class="card"><h2>What it became</h2>${trialView(view, trial, data.objective)}</div>
      </div>`,
  );
  const show = (step) => {
    current = Math.max(0, Math.min(steps.length, step));
    for (const item of view.app.querySelectorAll('#replay-steps > li')) {
      const index = Number(item.getAttribute('data-index'));
      item.hidden = index >= current;
      item.classList.toggle('current', index === current - 1);
    }
    view.app.querySelector('#replay-range').value = String(current);
    setHtml(view.app.querySelector('#replay-position'), `step ${current} of ${steps.length}`);
    view.app.querySelector('#replay-steps > li.current')?.scrollIntoView?.({ block: 'nearest' });
  };
  let timer = null;
  const pause = () => {
    clearInterval(timer);
    timer = null;
    setHtml(view.app.querySelector('[data-step="play"]'), '▶ play');
  };
  view.app.querySelector('#replay-controls').addEventListener('click', (event) => {
    const action = event.target.closest('[data-step]')?.getAttribute('data-step');
    if (!action) return;
    if (action === 'play') {
      if (timer !== null) return pause();
      if (current >= steps.length) show(0);
      setHtml(event.target.closest('button'), '⏸ pause');
      timer = setInterval(() => (current >= steps.length ? pause() : show(current + 1)), 700);
      return;
    }
    pause();
    show({ first: 0, prev: current - 1, next: current + 1, last: steps.length }[action]);
  });
  view.app.querySelector('#replay-range').addEventListener('input', (event) => {
    pause();
    show(Number(event.target.value));
  });
  show(current);
  return () => clearInterval(timer);
}

function at(message) {
  return html`<span class="muted" style="float:right">+${formatDuration(message.atMs)}</span>`;
}

function stepView(message) {
  switch (message.role) {
    case 'assistant':
      return html`<div class="step-head">${at(message)}model${message.tokens ? html` <span class="muted">${message.tokens.input.toLocaleString()} in · ${message.tokens.output.toLocaleString()} out${message.durationMs !== undefined ? ` · ${formatDuration(message.durationMs)}` : ''}</span>` : ''}</div>
        ${message.reasoning ? html`<details><summary>reasoning</summary><pre class="block">${message.reasoning}</pre></details>` : ''}
        ${message.text ? html`<div style="white-space:pre-wrap" class="assistant-text">${message.text}</div>` : ''}
        ${message.toolCalls.map((call) => html`<div class="tool-call"><code>${call.name}</code><pre class="block">${JSON.stringify(call.arguments, null, 2)}</pre></div>`)}`;
    case 'tool':
      return html`<div class="step-head">${at(message)}result of <code>${message.name}</code>${message.error ? html` <span class="pill failed">error</span>` : ''}${message.truncated ? html` <span class="muted">(cut)</span>` : ''}</div><pre class="block tool-result">${message.result}</pre>`;
    case 'user':
      return html`<div class="step-head">${at(message)}autolab</div><div style="white-space:pre-wrap">${message.text}</div>`;
    case 'retry':
      return html`<div class="step-head">${at(message)}retry <span class="pill failed">${message.kind}</span> <span class="muted">after ${formatDuration(message.delayMs)}</span></div><div class="muted">${message.message}</div>`;
    default:
      return html`<pre class="block">${JSON.stringify(message, null, 2)}</pre>`;
  }
}

function trialView(view, trial, objective) {
  if (!trial) return html`<div class="muted" id="session-trial">No trial: the session proposed nothing, or its proposal never ran.</div>`;
  return html`<div id="session-trial"><p><a href="${view.studyUrl(`/trials/${trial.id}`)}" data-link>Trial #${trial.id}</a> ${outcomePill(trial.status, trial.label)} · ${objective.metric} ${formatValue(trial.score)}</p>
    <blockquote class="hypothesis">${trial.hypothesis}</blockquote>
    <h3>Diff</h3>${diffView(trial.diff, { emptyText: 'No diff recorded.' })}</div>`;
}
