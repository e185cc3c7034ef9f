/**
 * The lineage tree, with the chain from the baseline to the incumbent highlighted. A
 * large study opens collapsed (branches and quiet chain runs as summary rows); a click
 * on one opens it, "open everything" draws every trial loaded. Past a few thousand trials
 * the server sends a pruned tree (the chain, kept and newest trials, their ancestors);
 * a "more trials beneath #N" row loads a page of what was left out there.
 */
import { api } from '../api.js';
import { html, raw, setHtml } from '../dom.js';
import { formatValue, plural } from '../format.js';
import { onLive } from '../live.js';
import { COLLAPSE_AT } from '../../plots/lineage-layout.js';
import { lineageTreeSvg } from '../../plots/lineage-tree.js';

export async function render(view) {
  const study = view.study;
  view.setCrumbs([[study, view.studyUrl('')], ['lineage', null]]);
  document.title = `autolab · ${study} · lineage`;
  // Trials whose left-out children were loaded, a page per mention (the server's ?expand=).
  const loads = [];
  let data = await api.lineage(study, loads);
  if (!view.isCurrent()) return;
  setHtml(
    view.app,
    html`${view.tabs()}
      <div class="card"><h2>Lineage tree <span class="note" id="lineage-note"></span></h2>
        <div class="buttons" id="lineage-buttons"></div>
        <div class="plot scroll lineage" id="lineage-tree"></div></div>`,
  );
  const expanded = new Set();
  let everything = false;
  const container = view.app.querySelector('#lineage-tree');
  const fill = () => {
    const total = data.total ?? data.nodes.length;
    const large = total > COLLAPSE_AT;
    const pruned = total > data.nodes.length ? ` (${data.nodes.length.toLocaleString('en')} loaded)` : '';
    setHtml(
      view.app.querySelector('#lineage-note'),
      `${plural(total, 'trial')}${pruned} · chain of ${data.chain.length}${data.incumbent !== null ? ` to #${data.incumbent}` : ''}${large && !everything ? ' · collapsed: click a grey row to open it' : ''}`,
    );
    setHtml(
      view.app.querySelector('#lineage-buttons'),
      large ? html`<button type="button" data-action="all" ${everything ? 'disabled' : ''}>open everything</button><button type="button" data-action="collapse" ${!everything && expanded.size === 0 ? 'disabled' : ''}>collapse</button>` : '',
    );
    const byId = new Map(data.nodes.map((node) => [node[0], node]));
    view.tipFor = (id) => {
      const node = byId.get(id);
      return node ? `#${id} · ${node[5]} · ${node[4] ?? node[2]}${node[3] === null ? '' : ' · ' + formatValue(node[3])}` : `#${id}`;
    };
    // A small tree is drawn larger (a narrower drawing scaled to the card).
    const zoom = data.nodes.length <= 40 ? 1.3 : 1;
    const width = Math.max(700, Math.round((container.clientWidth || 1200) / zoom));
    setHtml(container, raw(lineageTreeSvg(data, { width, collapse: large && !everything, expanded })));
  };
  fill();
  const reload = async () => {
    const next = await api.lineage(study, loads).catch(() => null);
    if (next && view.isCurrent()) {
      data = next;
      fill();
    }
  };
  container.addEventListener('click', (event) => {
    const load = event.target.closest?.('[data-load]');
    if (load) {
      loads.push(Number(load.getAttribute('data-load')));
      void reload();
      return;
    }
    const expand = event.target.closest?.('[data-expand]');
    if (expand) {
      const key = expand.getAttribute('data-expand');
      if (expanded.has(key)) expanded.delete(key);
      else expanded.add(key);
      fill();
      return;
    }
    const leaves = event.target.closest?.('[data-parent]');
    if (leaves) view.navigate(view.studyUrl(`/trials?parent=${leaves.getAttribute('data-parent')}`));
  });
  view.app.querySelector('#lineage-buttons').addEventListener('click', (event) => {
    const action = event.target.closest('[data-action]')?.getAttribute('data-action');
    if (!action) return;
    everything = action === 'all';
    expanded.clear();
    fill();
  });
  let timer = null;
  const unsubscribe = onLive(() => {
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      void reload();
    }, 800);
  });
  return () => {
    unsubscribe();
    clearTimeout(timer);
  };
}
