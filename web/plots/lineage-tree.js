/**
 * The lineage tree, drawn as a spine: the chain from the baseline to the incumbent runs
 * down the left edge in orange, each step with its score, its change and its hypothesis;
 * branches that were built upon hang off it, indented; each trial's childless children
 * sit on its row (labelled chips when few, dots when more, an outcome bar when many). A
 * large study starts collapsed (see lineage-layout.js): a branch off the chain is one
 * summary row, and quiet runs of chain steps fold into one; clicking either opens it
 * (`data-expand`). The legend is drawn with the same colours as the marks (colors.js).
 *
 * Data (the lineage API): { nodes: [id, parent, status, score, label, specialist][],
 *   incumbent, chain, direction?, hypotheses?: [id, text][] }
 */
import { INCUMBENT_COLOR, LABEL_COLORS, MUTED_COLOR, STATUS_COLORS, TEXT_COLOR, outcomeColor } from './colors.js';
import { legendSvg } from './legend.js';
import { layoutLineage } from './lineage-layout.js';
import { emptySvg, esc, formatDelta, formatValue, r, svgOpen } from './svg.js';

export { layoutLineage } from './lineage-layout.js';

const ROW = 28;
const DOT_STEP = 12;
const CHAR = 6.6;
const CHIPS_UP_TO = 6;
const DOTS_UP_TO = 90;

/**
 * @param data see above
 * @param options { width?, titles?: boolean (default: up to 3000 trials), collapse?, expanded? }
 * @returns an SVG document as a string
 */
export function lineageTreeSvg(data, options = {}) {
  const width = options.width ?? 960;
  if (data.nodes.length === 0) return emptySvg(width, 80, 'lineage tree', 'No trials yet');
  const titles = options.titles ?? data.nodes.length <= 3000;
  const chain = new Set(data.chain);
  const hypotheses = new Map(data.hypotheses ?? []);
  const layout = layoutLineage(data, options);
  const { rows, maxIndent } = layout;
  const left = 16;
  const legend = legendSvg(legendItems(data, layout.collapsed), left, 14, width - 2 * left);
  const indentStep = Math.min(20, (width * 0.22) / Math.max(1, maxIndent));
  const labelWidth = Math.min(hypotheses.size > 0 ? 520 : 300, width * 0.5);
  const leavesX = left + maxIndent * indentStep + labelWidth + 24;
  const perLine = Math.max(6, Math.floor((width - leavesX - 12) / DOT_STEP));
  const small = data.nodes.length <= 200;
  let y = 14 + legend.height + 10;
  for (const row of rows) {
    const leaves = row.leaves?.length ?? 0;
    const chipsFit = small && leaves <= CHIPS_UP_TO && row.leaves.reduce((sum, leaf) => sum + chipWidth(leaf), 0) <= width - leavesX - 8;
    row.mode = leaves === 0 ? 'none' : chipsFit ? 'chips' : leaves <= DOTS_UP_TO ? 'dots' : 'bar';
    row.lines = row.mode === 'dots' ? Math.max(1, Math.ceil(leaves / perLine)) : 1;
    row.y = y + ROW / 2;
    y += Math.max(ROW, row.lines * DOT_STEP + 12);
  }
  const height = y + 10;
  const x = (row) => left + 8 + row.indent * indentStep;
  const parts = [svgOpen(width, height, 'lineage tree'), legend.svg];
  parts.push(connectorsSvg(rows, chain, x));
  const scoreOf = new Map(data.nodes.map((n) => [n[0], n[3]]));
  const ctx = { data, chain, hypotheses, titles, x, labelWidth, leavesX, perLine, scoreOf, maximize: data.direction === 'maximize' };
  const draw = { node: nodeRowSvg, branch: branchRowSvg, branches: branchesRowSvg, fold: foldRowSvg, more: moreRowSvg };
  for (const row of rows) parts.push(draw[row.kind](row, ctx));
  parts.push('</svg>');
  return parts.join('');
}

function legendItems(data, collapsed) {
  // A pruned tree (data.outcomes) counts every trial, sent or not.
  const counts = new Map(data.outcomes ?? []);
  if (!data.outcomes) {
    for (const [, , status, , label] of data.nodes) {
      const key = status === 'failed' ? `failed:${label ?? 'crash'}` : status === 'pending' ? 'running' : status;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const items = [];
  for (const status of ['kept', 'discarded', 'running']) if (counts.get(status)) items.push({ kind: 'dot', color: STATUS_COLORS[status], text: `${status} ${counts.get(status)}` });
  for (const label of Object.keys(LABEL_COLORS)) {
    const count = counts.get(`failed:${label}`);
    if (count) items.push({ kind: 'dot', color: outcomeColor('failed', label), text: `${label} ${count}` });
  }
  items.push({ kind: 'line', color: INCUMBENT_COLOR, text: 'chain to the incumbent' }, { kind: 'ring', color: INCUMBENT_COLOR, text: 'incumbent' });
  if (collapsed) items.push({ kind: 'bar', color: '#e2e8f0', text: 'collapsed: click to open' });
  return items;
}

function connectorsSvg(rows, chain, x) {
  const plain = [];
  const spine = [];
  for (const row of rows) {
    if (!row.parentRow) continue;
    const px = x(row.parentRow);
    const onChain = row.kind !== 'more' && (row.kind === 'fold' || chain.has(row.id)) && (row.parentRow.kind === 'fold' || chain.has(row.parentRow.id));
    const indented = row.indent > row.parentRow.indent;
    const d = `M${r(px)} ${r(row.parentRow.y)}V${r(row.y - (indented ? 6 : 0))}${indented ? `Q${r(px)} ${r(row.y)} ${r(px + 6)} ${r(row.y)}H${r(x(row))}` : ''}`;
    const dashed = row.kind === 'fold' || row.kind === 'more' || row.parentRow.kind === 'fold' ? ' stroke-dasharray="5 4"' : '';
    (onChain ? spine : plain).push(`<path d="${d}" fill="none" stroke="${onChain ? INCUMBENT_COLOR : '#cbd5e1'}" stroke-width="${onChain ? 3 : 1.4}"${dashed}/>`);
  }
  return plain.join('') + spine.join('');
}

function fit(text, pixels) {
  const chars = Math.max(0, Math.floor(pixels / CHAR));
  return text.length > chars ? text.slice(0, Math.max(0, chars - 1)) + '…' : text;
}

function deltaSvg(node, ctx) {
  const parentScore = node.parent === null ? null : ctx.scoreOf.get(node.parent);
  if (node.score === null || parentScore === null || parentScore === undefined) return '';
  const delta = node.score - parentScore;
  const better = ctx.maximize ? delta > 0 : delta < 0;
  return `<tspan fill="${delta === 0 ? MUTED_COLOR : better ? STATUS_COLORS.kept : STATUS_COLORS.failed}" font-weight="400"> ${esc(formatDelta(delta))}</tspan>`;
}

function tip(node, ctx) {
  return ctx.titles ? `<title>#${node.id} ${esc(node.specialist)} · ${esc(node.label ?? node.status)}${node.score === null ? '' : ' · ' + esc(formatValue(node.score))}</title>` : '';
}

function nodeRowSvg(row, ctx) {
  const n = row.node;
  const cx = r(ctx.x(row));
  const cy = r(row.y);
  const onChain = ctx.chain.has(n.id);
  const isIncumbent = n.id === ctx.data.incumbent;
  const radius = isIncumbent ? 7.5 : onChain ? 6 : 5;
  const stroke = onChain ? ` stroke="${INCUMBENT_COLOR}" stroke-width="${isIncumbent ? 3 : 2}"` : ' stroke="#fff" stroke-width="1"';
  const head = `#${n.id} ${n.score === null ? (n.label ?? n.status) : formatValue(n.score)}`;
  const hypothesis = ctx.hypotheses.get(n.id);
  const room = ctx.labelWidth - (head.length + 10) * CHAR;
  const rest = ` ${n.specialist}${hypothesis ? ` · ${hypothesis}` : ''}`;
  const parts = [
    `<g class="pt" data-trial="${n.id}">${tip(n, ctx)}<circle cx="${cx}" cy="${cy}" r="${radius}" fill="${outcomeColor(n.status, n.label)}"${stroke}/>` +
      `<text x="${r(cx + radius + 6)}" y="${r(cy + 4)}" fill="${onChain ? TEXT_COLOR : MUTED_COLOR}"${onChain ? ' font-weight="600"' : ''}>${esc(head)}${deltaSvg(n, ctx)}` +
      `<tspan fill="${MUTED_COLOR}" font-weight="400" font-size="11.5">${esc(fit(rest, room))}</tspan></text></g>`,
  ];
  if (row.leaves.length > 0) parts.push(leavesSvg(row, ctx));
  return parts.join('');
}

function chipLabel(leaf) {
  return `#${leaf.id} ${leaf.score === null ? (leaf.label ?? leaf.status) : formatValue(leaf.score)}`;
}

/** The room a labelled leaf takes (dot, gap, text at 11px). */
function chipWidth(leaf) {
  return 26 + chipLabel(leaf).length * 6.6;
}

function leavesSvg(row, ctx) {
  const parts = [`<line x1="${r(ctx.leavesX - 16)}" y1="${r(row.y)}" x2="${r(ctx.leavesX - 6)}" y2="${r(row.y)}" stroke="#e5e7eb"/>`];
  if (row.mode === 'chips') {
    let lx = ctx.leavesX;
    for (const leaf of row.leaves) {
      parts.push(`<g class="pt" data-trial="${leaf.id}">${tip(leaf, ctx)}<circle cx="${r(lx + 5)}" cy="${r(row.y)}" r="5.5" fill="${outcomeColor(leaf.status, leaf.label)}"/><text x="${r(lx + 14)}" y="${r(row.y + 4)}" fill="${MUTED_COLOR}" font-size="11">${esc(chipLabel(leaf))}</text></g>`);
      lx += chipWidth(leaf);
    }
    return parts.join('');
  }
  if (row.mode === 'dots') {
    row.leaves.forEach((leaf, index) => {
      const line = Math.floor(index / ctx.perLine);
      const lx = ctx.leavesX + (index % ctx.perLine) * DOT_STEP + 4;
      const ly = row.y - ((row.lines - 1) * DOT_STEP) / 2 + line * DOT_STEP;
      parts.push(`<circle class="pt" data-trial="${leaf.id}" cx="${r(lx)}" cy="${r(ly)}" r="${leaf.status === 'kept' ? 4.8 : 4.2}" fill="${outcomeColor(leaf.status, leaf.label)}">${tip(leaf, ctx)}</circle>`);
    });
    return parts.join('');
  }
  const counts = new Map();
  for (const leaf of row.leaves) {
    const key = leaf.status === 'failed' ? `failed:${leaf.label ?? 'crash'}` : leaf.status;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  parts.push(outcomeBarSvg(counts, row.leaves.length, ctx.leavesX, row.y, 220, `data-parent="${row.id}"`));
  parts.push(`<text class="leaf-summary" data-parent="${row.id}" x="${r(ctx.leavesX + 228)}" y="${r(row.y + 4)}" fill="${MUTED_COLOR}" font-size="11.5" style="cursor:pointer">${esc(describe(counts, row.leaves.length))} ›</text>`);
  return parts.join('');
}

/** A stacked bar of outcome counts (keys: status or `failed:label`). */
function outcomeBarSvg(counts, total, x0, y, width, attributes) {
  const parts = [`<g ${attributes} style="cursor:pointer">`, `<rect x="${r(x0)}" y="${r(y - 6)}" width="${width}" height="12" rx="3" fill="#f1f5f9"/>`];
  let x = x0;
  const order = [...counts].sort((a, b) => rank(a[0]) - rank(b[0]) || b[1] - a[1]);
  for (const [key, count] of order) {
    const w = (width * count) / total;
    const [status, label] = key.split(':');
    parts.push(`<rect x="${r(x)}" y="${r(y - 6)}" width="${r(Math.max(0.8, w))}" height="12" fill="${outcomeColor(status, label ?? null)}"/>`);
    x += w;
  }
  parts.push('</g>');
  return parts.join('');
}

function rank(key) {
  return key === 'kept' ? 0 : key === 'discarded' ? 1 : key === 'running' || key === 'pending' ? 2 : 3;
}

function describe(counts, total) {
  const failed = [...counts].filter(([key]) => key.startsWith('failed:')).reduce((sum, [, n]) => sum + n, 0);
  const kept = counts.get('kept') ?? 0;
  return `${total.toLocaleString('en')} trials: ${kept ? `${kept} kept · ` : ''}${counts.get('discarded') ?? 0} discarded · ${failed} failed`;
}

function branchRowSvg(row, ctx) {
  const n = row.node;
  const cx = r(ctx.x(row));
  const cy = r(row.y);
  const s = row.summary;
  const best = s.best ? ` · best ${formatValue(s.best[1])} (#${s.best[0]})` : '';
  const text = `▸ branch #${n.id} · ${s.count.toLocaleString('en')} trials · ${s.kept} kept${best}`;
  return (
    `<g class="expand" data-expand="${n.id}" style="cursor:pointer"><title>open the branch from #${n.id} (${s.count} trials)</title>` +
    `<rect x="${r(cx - 7)}" y="${r(cy - 7)}" width="14" height="14" rx="3" fill="#e2e8f0" stroke="${outcomeColor(n.status, n.label)}" stroke-width="2"/>` +
    `<text x="${r(cx + 13)}" y="${r(cy + 4)}" fill="${TEXT_COLOR}" font-size="12">${esc(fit(text, ctx.leavesX - ctx.x(row) - 40))}</text></g>` +
    outcomeBarSvg(s.byOutcome, s.count, ctx.leavesX, row.y, 120, `data-expand="${n.id}"`)
  );
}

function branchesRowSvg(row, ctx) {
  const cx = r(ctx.x(row));
  const cy = r(row.y);
  const s = row.summary;
  const best = s.best ? ` · best ${formatValue(s.best[1])} (#${s.best[0]})` : '';
  const text = `▸ ${row.roots.length} branches from #${row.id} · ${s.count.toLocaleString('en')} trials · ${s.kept} kept${best}`;
  return (
    `<g class="expand" data-expand="branches:${row.id}" style="cursor:pointer"><title>open the ${row.roots.length} branches from #${row.id}</title>` +
    `<rect x="${r(cx - 7)}" y="${r(cy - 7)}" width="14" height="14" rx="3" fill="#e2e8f0" stroke="#94a3b8" stroke-width="1.5"/>` +
    `<rect x="${r(cx - 4)}" y="${r(cy - 4)}" width="14" height="14" rx="3" fill="#e2e8f0" stroke="#94a3b8" stroke-width="1.5"/>` +
    `<text x="${r(cx + 16)}" y="${r(cy + 4)}" fill="${TEXT_COLOR}" font-size="12">${esc(fit(text, ctx.leavesX - ctx.x(row) - 40))}</text></g>` +
    outcomeBarSvg(s.byOutcome, s.count, ctx.leavesX, row.y, 120, `data-expand="branches:${row.id}"`)
  );
}

function foldRowSvg(row, ctx) {
  const cx = r(ctx.x(row));
  const cy = r(row.y);
  const s = row.summary;
  const first = row.steps[0];
  const last = row.steps[row.steps.length - 1];
  const before = first.parent === null ? null : ctx.scoreOf.get(first.parent);
  const moved = before != null && last.score !== null ? ` · ${formatDelta(last.score - before)} in all` : '';
  const steps = row.steps.length === 1 ? `chain step #${first.id}` : `${row.steps.length} quieter chain steps #${first.id} → #${last.id}`;
  const text = `⋯ ${steps} · ${s.count.toLocaleString('en')} trials${moved} · click to show`;
  return (
    `<g class="expand" data-expand="fold:${first.id}" style="cursor:pointer"><title>show the ${row.steps.length} chain steps from #${first.id} to #${last.id}</title>` +
    `<rect x="${r(cx - 9)}" y="${r(cy - 6)}" width="18" height="12" rx="6" fill="#fff7ed" stroke="${INCUMBENT_COLOR}" stroke-width="2"/>` +
    `<text x="${r(cx + 16)}" y="${r(cy + 4)}" fill="#9a3412" font-size="12">${esc(text)}</text></g>` +
    outcomeBarSvg(s.byOutcome, s.count, ctx.leavesX, row.y, 120, `data-expand="fold:${first.id}"`)
  );
}

/** Trials beneath `row.id` that the server left out of a pruned tree: a click loads a page of them (`data-load`). */
function moreRowSvg(row, ctx) {
  const cx = r(ctx.x(row));
  const cy = r(row.y);
  const s = row.summary;
  const best = s.best ? ` · best ${formatValue(s.best[1])} (#${s.best[0]})` : '';
  const text = `+ ${s.count.toLocaleString('en')} more trials beneath #${row.id} · ${s.kept} kept${best} · click to load`;
  return (
    `<g class="expand" data-load="${row.id}" style="cursor:pointer"><title>load the trials beneath #${row.id} that were left out (${s.count})</title>` +
    `<rect x="${r(cx - 7)}" y="${r(cy - 7)}" width="14" height="14" rx="3" fill="#fff" stroke="#94a3b8" stroke-width="1.5" stroke-dasharray="3 2"/>` +
    `<text x="${r(cx + 13)}" y="${r(cy + 4)}" fill="${MUTED_COLOR}" font-size="12">${esc(fit(text, ctx.leavesX - ctx.x(row) - 40))}</text></g>` +
    outcomeBarSvg(s.byOutcome, s.count, ctx.leavesX, row.y, 120, `data-load="${row.id}"`)
  );
}
