/**
 * The knobs page: which knobs matter (fANOVA importance), the objective against each
 * knob (slice plots), and parallel coordinates over the knobs and the objective, where a
 * drag on an axis brushes a range and the trials inside every brush can be opened in the
 * trials table.
 */
import { api } from '../api.js';
import { html, raw, setHtml } from '../dom.js';
import { plural } from '../format.js';
import { onLive } from '../live.js';
import { importanceBarsSvg } from '../../plots/importance-bars.js';
import { OBJECTIVE_KEY, brushedTrials, parallelCoordinatesSvg, parallelLayout } from '../../plots/parallel-plot.js';
import { sliceGridSvg } from '../../plots/slice-plot.js';

const PLOT_WIDTH = 1200;

export async function render(view) {
  const study = view.study;
  view.setCrumbs([[study, view.studyUrl('')], ['knobs', null]]);
  document.title = `autolab · ${study} · knobs`;
  let data = await api.knobs(study);
  if (!view.isCurrent()) return;
  if (data.knobs.length === 0) {
    setHtml(
      view.app,
      html`${view.tabs()}<div class="card"><div class="empty-state" id="no-knobs">This task declares no knobs. The knob views (importance, slices, parallel coordinates) need knobs declared under a surface: <code>surfaces.NAME.knobs</code> in the task file (docs/task-file.md).</div></div>`,
    );
    return;
  }
  setHtml(
    view.app,
    html`${view.tabs()}
      <div class="grid-3-2">
        <div class="card"><h2>Knob importance <span class="note" id="importance-method"></span></h2><div class="plot" id="importance"></div></div>
        <div class="card"><h2>How to read these views</h2><div class="muted" id="knobs-help"></div></div>
      </div>
      <div style="height:16px"></div>
      <div class="card"><h2>${data.objective.metric} against each knob <span class="note" id="slices-note"></span></h2><div class="plot" id="slices"></div></div>
      <div class="card"><h2>Parallel coordinates <span class="note" id="brush-note"></span></h2><div class="plot" id="parallel"></div></div>`,
  );
  const brushes = {};
  const fill = () => {
    const importance = data.importance;
    setHtml(view.app.querySelector('#importance-method'), importance.rows ? `${importance.method} · ${plural(importance.trials, 'scored trial')}` : 'not yet');
    setHtml(view.app.querySelector('#importance'), html`${raw(importanceBarsSvg(importance, { width: 620 }))}${importance.rows ? html`<p class="muted method" id="importance-description">${importance.description}</p>` : ''}`);
    setHtml(
      view.app.querySelector('#knobs-help'),
      html`<p><strong>Importance</strong>: how much of the variation in <code>${data.objective.metric}</code> each knob explains on its own over the declared ranges (${data.knobs.length} knobs). A knob near 0% can be frozen; interactions between knobs are not in the bars.</p>
        <p><strong>Slices</strong>: every finished trial at its value of one knob. The baseline is the black diamond, the incumbent is ringed in orange; failed trials are crosses under each plot, coloured by failure signature when the trials carry one, else by failure label.</p>
        <p><strong>Parallel coordinates</strong>: one line per trial, coloured by the rank of its score. Drag along an axis to keep only the trials in that range (again to change it, a click to clear it).</p>
        ${data.unknown > 0 ? html`<p class="note-warn">${plural(data.unknown, 'finished trial')} without knob values are left out (their files could not be read here, or an edit removed the knobs).</p>` : ''}`,
    );
    const shown = data.thinned ? `${data.points.length.toLocaleString('en-US')} of ${plural(data.total, 'trial')} drawn (every kept trial, the best, each knob's extremes, an even sample of the rest)` : plural(data.points.length, 'trial');
    setHtml(view.app.querySelector('#slices-note'), `${shown} · shared ${data.objective.metric} axis, the bad tail clipped`);
    setHtml(view.app.querySelector('#slices'), raw(sliceGridSvg(data, { width: PLOT_WIDTH })));
    drawParallel();
  };
  const drawParallel = () => {
    setHtml(view.app.querySelector('#parallel'), raw(parallelCoordinatesSvg(data, { width: PLOT_WIDTH, brushes })));
    const keys = Object.keys(brushes);
    if (keys.length === 0) {
      setHtml(view.app.querySelector('#brush-note'), 'drag along an axis to filter');
      return;
    }
    const count = brushedTrials(data, brushes).length;
    const columns = data.knobs.map((axis) => `knob:${axis.name}`).join(',');
    const href = view.studyUrl(`/trials?${new URLSearchParams({ filter: brushFilter(brushes), columns, sort: `knob:${data.knobs[0].name}` })}`);
    setHtml(view.app.querySelector('#brush-note'), html`<span id="brush-count">${plural(count, 'trial')} in the brushes${data.thinned ? ' (of those drawn)' : ''}</span> · <a href="${href}" data-link id="brush-link">list them →</a> · <a href="#" id="brush-clear">clear</a>`);
  };
  fill();
  installBrushing(view.app.querySelector('#parallel'), () => data, brushes, drawParallel);
  view.app.querySelector('#brush-note').addEventListener('click', (event) => {
    if (event.target.id !== 'brush-clear') return;
    event.preventDefault();
    for (const key of Object.keys(brushes)) delete brushes[key];
    drawParallel();
  });
  let timer = null;
  const unsubscribe = onLive(() => {
    if (timer !== null) return;
    timer = setTimeout(async () => {
      timer = null;
      const next = await api.knobs(study).catch(() => null);
      if (next && view.isCurrent()) {
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

/** The trials table's `filter` parameter for the brushes. */
export function brushFilter(brushes) {
  const number = (value) => String(Number(value.toPrecision(6)));
  return Object.entries(brushes)
    .map(([key, brush]) => {
      const column = key === OBJECTIVE_KEY ? 'score' : `knob:${key}`;
      return brush.values ? `${column}:=${brush.values.join('|')}` : `${column}:${number(brush.min)}..${number(brush.max)}`;
    })
    .join(';');
}

/** Drags on an axis of the parallel coordinates set (or, a click, clear) its brush. */
function installBrushing(container, getData, brushes, redraw) {
  let drag = null;
  const svgPoint = (svg, event) => {
    const point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  };
  container.addEventListener('pointerdown', (event) => {
    const group = event.target.closest?.('.pc-axis');
    const svg = event.target.closest?.('svg');
    if (!group || !svg) return;
    event.preventDefault();
    const layout = parallelLayout(getData(), { width: PLOT_WIDTH });
    const axis = layout.axes.find((a) => a.key === group.getAttribute('data-axis'));
    if (!axis) return;
    const y = svgPoint(svg, event).y;
    const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    rect.setAttribute('x', String(axis.x - 9));
    rect.setAttribute('width', '18');
    rect.setAttribute('fill', '#2563eb');
    rect.setAttribute('fill-opacity', '0.25');
    svg.appendChild(rect);
    drag = { svg, axis, layout, y0: y, y1: y, rect };
    update();
    container.setPointerCapture?.(event.pointerId);
  });
  const update = () => {
    const top = Math.max(drag.layout.top, Math.min(drag.y0, drag.y1));
    const bottom = Math.min(drag.layout.bottom, Math.max(drag.y0, drag.y1));
    drag.rect.setAttribute('y', String(top));
    drag.rect.setAttribute('height', String(Math.max(1, bottom - top)));
  };
  container.addEventListener('pointermove', (event) => {
    if (!drag) return;
    drag.y1 = svgPoint(drag.svg, event).y;
    update();
  });
  const finish = () => {
    if (!drag) return;
    const { axis, layout, y0, y1 } = drag;
    drag = null;
    const top = Math.max(layout.top, Math.min(y0, y1));
    const bottom = Math.min(layout.bottom, Math.max(y0, y1));
    if (bottom - top < 4) delete brushes[axis.key];
    else if (axis.kind === 'categorical') {
      const values = axis.scale.choices.filter((choice) => {
        const px = axis.scale.at(choice);
        return px !== null && px >= top - axis.scale.band / 2 && px <= bottom + axis.scale.band / 2;
      });
      if (values.length > 0) brushes[axis.key] = { values };
      else delete brushes[axis.key];
    } else {
      const a = axis.scale.invert(bottom);
      const b = axis.scale.invert(top);
      brushes[axis.key] = { min: Math.min(a, b), max: Math.max(a, b) };
    }
    redraw();
  };
  container.addEventListener('pointerup', finish);
  container.addEventListener('pointercancel', finish);
}
