/** The lineage tree, with the chain from the baseline to the incumbent highlighted. */
import { api } from '../api.js';
import { html, raw, setHtml } from '../dom.js';
import { formatValue, plural } from '../format.js';
import { onLive } from '../live.js';
import { INCUMBENT_COLOR, STATUS_COLORS } from '../../plots/colors.js';
import { lineageTreeSvg } from '../../plots/lineage-tree.js';

export async function render(view) {
  const study = view.study;
  view.setCrumbs([[study, view.studyUrl('')], ['lineage', null]]);
  document.title = `autolab · ${study} · lineage`;
  let data = await api.lineage(study);
  if (!view.isCurrent()) return;
  setHtml(
    view.app,
    html`${view.tabs()}
      <div class="card"><h2>Lineage tree <span class="note" id="lineage-note"></span></h2>
        <div class="legend-inline" style="margin-bottom:8px">
          <span><span class="swatch" style="background:${STATUS_COLORS.kept}"></span>kept</span>
          <span><span class="swatch" style="background:${STATUS_COLORS.discarded}"></span>discarded</span>
          <span><span class="swatch" style="background:${STATUS_COLORS.failed}"></span>failed (colour of its label)</span>
          <span><span class="swatch" style="background:${INCUMBENT_COLOR}"></span>chain to the incumbent</span>
        </div>
        <div class="plot scroll" id="lineage-tree"></div></div>`,
  );
  const fill = () => {
    setHtml(
      view.app.querySelector('#lineage-note'),
      `${plural(data.nodes.length, 'trial')} · chain of ${data.chain.length}${data.incumbent !== null ? ` to #${data.incumbent}` : ''} · trials without children are dots on their parent's row`,
    );
    const byId = new Map(data.nodes.map((node) => [node[0], node]));
    view.tipFor = (id) => {
      const node = byId.get(id);
      return node ? `#${id} · ${node[5]} · ${node[4] ?? node[2]}${node[3] === null ? '' : ' · ' + formatValue(node[3])}` : `#${id}`;
    };
    setHtml(view.app.querySelector('#lineage-tree'), raw(lineageTreeSvg(data, { width: 1200 })));
  };
  fill();
  let timer = null;
  const unsubscribe = onLive(() => {
    if (timer !== null) return;
    timer = setTimeout(async () => {
      timer = null;
      const next = await api.lineage(study).catch(() => null);
      if (next && view.isCurrent()) {
        data = next;
        fill();
      }
    }, 800);
  });
  return () => {
    unsubscribe();
    clearTimeout(timer);
  };
}
