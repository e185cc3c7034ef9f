/**
 * The dashboard in the browser: a small router over the History API, the header's
 * breadcrumbs, clicks on plot marks, and tooltips. Pages live in ./pages/.
 */
import { html, setHtml } from './dom.js';
import { follow, stop } from './live.js';
import * as lineagePage from './pages/lineage.js';
import * as overviewPage from './pages/overview.js';
import * as sessionPage from './pages/session.js';
import * as sessionsPage from './pages/sessions.js';
import * as studiesPage from './pages/studies.js';
import * as trialPage from './pages/trial.js';
import * as trialsPage from './pages/trials.js';

/** The knobs page (and its plots) loads on first visit: the overview does not wait for it. */
const knobsPage = { render: async (view) => (await import('./pages/knobs.js')).render(view) };
/** The front page (a multi-objective study's trade-offs) loads on first visit too. */
const frontPage = { render: async (view) => (await import('./pages/front.js')).render(view) };

const routes = [
  [/^\/$/, studiesPage, null],
  [/^\/studies\/([^/]+)\/?$/, overviewPage, 'overview'],
  [/^\/studies\/([^/]+)\/trials\/?$/, trialsPage, 'trials'],
  [/^\/studies\/([^/]+)\/trials\/(\d+)\/?$/, trialPage, 'trials'],
  [/^\/studies\/([^/]+)\/trials\/(\d+)\/session\/?$/, sessionPage, 'sessions'],
  [/^\/studies\/([^/]+)\/sessions\/?$/, sessionsPage, 'sessions'],
  [/^\/studies\/([^/]+)\/sessions\/([^/]+)\/?$/, sessionPage, 'sessions'],
  [/^\/studies\/([^/]+)\/knobs\/?$/, knobsPage, 'knobs'],
  [/^\/studies\/([^/]+)\/front\/?$/, frontPage, 'front'],
  [/^\/studies\/([^/]+)\/lineage\/?$/, lineagePage, 'lineage'],
];

const app = document.getElementById('app');
let renderCount = 0;
let cleanup = null;
let currentView = null;

export function studyUrl(study, rest = '') {
  return `/studies/${encodeURIComponent(study)}${rest}`;
}

function setCrumbs(items) {
  const parts = [html`<a href="/" data-link>studies</a>`];
  for (const [text, href] of items) {
    parts.push(html`<span class="sep">/</span>`);
    parts.push(href ? html`<a href="${href}" data-link>${text}</a>` : html`<span class="current">${text}</span>`);
  }
  setHtml(document.getElementById('crumbs'), parts);
}

function studyTabs(study, active) {
  const tab = (key, text, href) => html`<a href="${href}" data-link class="${active === key ? 'active' : ''}">${text}</a>`;
  return html`<nav class="tabs">${tab('overview', 'Overview', studyUrl(study))}${tab('trials', 'Trials', studyUrl(study, '/trials'))}${tab('knobs', 'Knobs', studyUrl(study, '/knobs'))}${tab('front', 'Front', studyUrl(study, '/front'))}${tab('lineage', 'Lineage', studyUrl(study, '/lineage'))}${tab('sessions', 'Sessions', studyUrl(study, '/sessions'))}</nav>`;
}

export function navigate(path, { replace = false } = {}) {
  const samePage = path.split('?')[0] === location.pathname;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  // A new page starts at its top (the browser restores the position on back and forward).
  if (!replace && !samePage) window.scrollTo(0, 0);
  void route();
}

function errorView(error) {
  return html`<div class="error"><strong>${error.message}</strong>${error.hint ? html`<div>${error.hint}</div>` : ''}</div>`;
}

async function route() {
  const count = ++renderCount;
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  const path = location.pathname;
  app.classList.remove('wide');
  for (const [pattern, page, tab] of routes) {
    const match = pattern.exec(path);
    if (!match) continue;
    const study = match[1] ? decodeURIComponent(match[1]) : null;
    if (study) follow(study);
    else stop();
    const view = {
      app,
      study,
      params: match.slice(2),
      query: new URLSearchParams(location.search),
      isCurrent: () => count === renderCount,
      navigate,
      setCrumbs,
      tabs: () => (study ? studyTabs(study, tab) : ''),
      studyUrl: (rest) => studyUrl(study, rest),
      tipFor: null,
      errorView,
    };
    currentView = view;
    try {
      cleanup = (await page.render(view)) ?? null;
    } catch (error) {
      if (view.isCurrent()) setHtml(app, html`${view.tabs()}${errorView(error)}`);
    }
    document.dispatchEvent(new CustomEvent('autolab:rendered', { detail: { path } }));
    return;
  }
  stop();
  setCrumbs([['not found', null]]);
  setHtml(app, html`<div class="error">There is no page at ${path}. <a href="/" data-link>All studies</a></div>`);
}

/**
 * In a dense score plot (one path for thousands of dots), the trial under the pointer is
 * found from its x position: the x axis is the trial number (data-trial-axis).
 */
function trialFromAxis(event) {
  const svg = event.target.closest?.('svg[data-trial-axis]');
  if (!svg) return null;
  const [x0, x1, maxId] = svg.getAttribute('data-trial-axis').split(',').map(Number);
  const rect = svg.getBoundingClientRect();
  const x = ((event.clientX - rect.left) / rect.width) * svg.viewBox.baseVal.width;
  if (x < x0 - 4 || x > x1 + 4) return null;
  return Math.max(0, Math.min(maxId, Math.round(((x - x0) / (x1 - x0)) * maxId)));
}

// Links: same-origin anchors route in place; plot marks open their trial.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = event.target.closest('a[href]');
  if (anchor && anchor.origin === location.origin && !anchor.target && !anchor.hasAttribute('download')) {
    event.preventDefault();
    navigate(anchor.pathname + anchor.search);
    return;
  }
  const mark = event.target.closest('[data-trial]');
  const id = mark ? mark.getAttribute('data-trial') : trialFromAxis(event);
  if (id !== null && currentView?.study) {
    navigate(studyUrl(currentView.study, `/trials/${id}`));
    return;
  }
  const row = event.target.closest('tr[data-href]');
  if (row && !event.target.closest('a, button, input, select')) navigate(row.getAttribute('data-href'));
});

// Tooltips for marks without an SVG <title> (dense plots leave titles out).
const tooltip = document.getElementById('tooltip');
document.addEventListener('mousemove', (event) => {
  const mark = event.target.closest?.('[data-trial], [data-tip]');
  const axisId = mark ? null : trialFromAxis(event);
  if ((!mark && axisId === null) || mark?.querySelector?.('title')) {
    tooltip.hidden = true;
    return;
  }
  const id = mark ? mark.getAttribute('data-trial') : String(axisId);
  const text = mark?.getAttribute('data-tip') ?? currentView?.tipFor?.(Number(id)) ?? `trial #${id}`;
  tooltip.textContent = text;
  tooltip.hidden = false;
  tooltip.style.left = `${Math.min(window.innerWidth - 280, event.clientX + 14)}px`;
  tooltip.style.top = `${event.clientY + 14}px`;
});

window.addEventListener('popstate', () => void route());
void route();
