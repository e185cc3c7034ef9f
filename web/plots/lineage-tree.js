/**
 * The lineage tree, drawn as a spine: the chain from the baseline to the incumbent runs
 * down the left edge (highlighted), branches that were built upon hang off it indented,
 * and each trial's childless children sit as dots on its row, coloured by outcome. Every
 * trial stays visible and clickable, even in a study of ten thousand trials.
 *
 * Data (the lineage API): { nodes: [id, parent, status, score, label, specialist][],
 *   incumbent: id | null, chain: id[] }
 */
import { INCUMBENT_COLOR, MUTED_COLOR, TEXT_COLOR, outcomeColor } from './colors.js';
import { emptySvg, esc, formatValue, r, svgOpen } from './svg.js';

const INDENT = 22;
const LINE = 22;
const DOT = 11;
const LABEL_WIDTH = 250;

/**
 * @param data see above
 * @param options { width?, titles?: boolean (default: up to 3000 trials) }
 * @returns an SVG document as a string
 */
export function lineageTreeSvg(data, options = {}) {
  const width = options.width ?? 960;
  if (data.nodes.length === 0) return emptySvg(width, 80, 'lineage tree', 'No trials yet');
  const titles = options.titles ?? data.nodes.length <= 3000;
  const chain = new Set(data.chain);
  const { rows, maxIndent } = layoutLineage(data);
  const left = 16;
  const dotsX = left + maxIndent * INDENT + LABEL_WIDTH;
  const perLine = Math.max(8, Math.floor((width - dotsX - 12) / DOT));
  let y = 14;
  for (const row of rows) {
    row.lines = Math.max(1, Math.ceil(row.leaves.length / perLine));
    row.y = y + LINE / 2;
    y += Math.max(LINE, row.lines * DOT + 11);
  }
  const height = y + 8;
  const x = (row) => left + 6 + row.indent * INDENT;
  const parts = [svgOpen(width, height, 'lineage tree')];

  // Connectors: an elbow from the parent row down to the child row.
  const plain = [];
  const spine = [];
  for (const row of rows) {
    if (!row.parentRow) continue;
    const px = x(row.parentRow);
    const onChain = chain.has(row.id) && chain.has(row.parentRow.id);
    const d = `M${r(px)} ${r(row.parentRow.y)}V${r(row.y - (row.indent > row.parentRow.indent ? 6 : 0))}${row.indent > row.parentRow.indent ? `Q${r(px)} ${r(row.y)} ${r(px + 6)} ${r(row.y)}H${r(x(row))}` : ''}`;
    (onChain ? spine : plain).push(`<path d="${d}" fill="none" stroke="${onChain ? INCUMBENT_COLOR : '#cbd5e1'}" stroke-width="${onChain ? 3 : 1.3}"/>`);
  }
  parts.push(plain.join(''), spine.join(''));

  const marks = [];
  for (const row of rows) {
    const cx = r(x(row));
    const cy = r(row.y);
    const onChain = chain.has(row.id);
    const isIncumbent = row.id === data.incumbent;
    const radius = isIncumbent ? 7 : onChain ? 5.5 : 4.5;
    const stroke = onChain ? ` stroke="${INCUMBENT_COLOR}" stroke-width="2"` : ' stroke="#fff" stroke-width="1"';
    const n = row.node;
    const title = titles ? `<title>#${n.id} ${esc(n.specialist)} · ${esc(n.label ?? n.status)}${n.score === null ? '' : ' · ' + esc(formatValue(n.score))}</title>` : '';
    const label = `#${n.id} ${n.score === null ? (n.label ?? n.status) : formatValue(n.score)}`;
    const counts = row.leaves.length > 0 ? ` +${row.leaves.length}` : '';
    marks.push(
      `<g class="pt" data-trial="${n.id}">${title}<circle cx="${cx}" cy="${cy}" r="${radius}" fill="${outcomeColor(n.status, n.label)}"${stroke}/>` +
        `<text x="${r(cx + radius + 5)}" y="${r(cy + 4)}" fill="${onChain ? TEXT_COLOR : MUTED_COLOR}"${onChain ? ' font-weight="600"' : ''}>${esc(label)}` +
        `<tspan fill="${MUTED_COLOR}" font-weight="400" font-size="11"> ${esc(n.specialist)}${esc(counts)}</tspan></text></g>`,
    );
    row.leaves.forEach((leaf, index) => {
      const line = Math.floor(index / perLine);
      const lx = dotsX + (index % perLine) * DOT;
      const ly = row.y - ((row.lines - 1) * DOT) / 2 + line * DOT;
      const leafTitle = titles ? `<title>#${leaf.id} ${esc(leaf.specialist)} · ${esc(leaf.label ?? leaf.status)}${leaf.score === null ? '' : ' · ' + esc(formatValue(leaf.score))}</title>` : '';
      marks.push(`<circle class="pt" data-trial="${leaf.id}" cx="${r(lx)}" cy="${r(ly)}" r="${leaf.status === 'kept' ? 4.2 : 3.6}" fill="${outcomeColor(leaf.status, leaf.label)}">${leafTitle}</circle>`);
    });
    if (row.leaves.length > 0) {
      marks.push(`<line x1="${r(cx + 4 + LABEL_WIDTH - 30)}" y1="${cy}" x2="${r(dotsX - 8)}" y2="${cy}" stroke="#eef0f3"/>`);
    }
  }
  parts.push(marks.join(''), '</svg>');
  return parts.join('');
}

/**
 * Rows: one per trial that is on the chain or has children, in depth-first order (side
 * branches before the chain's next step); childless trials become dots on their
 * parent's row. Exported for tests.
 */
export function layoutLineage(data) {
  const byId = new Map();
  for (const [id, parent, status, score, label, specialist] of data.nodes) byId.set(id, { id, parent, status, score, label, specialist, children: [] });
  const roots = [];
  for (const node of [...byId.values()].sort((a, b) => a.id - b.id)) {
    const parent = node.parent === null ? undefined : byId.get(node.parent);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const chain = new Set(data.chain);
  const rows = [];
  let maxIndent = 0;
  const stack = [...roots].reverse().map((node) => ({ node, indent: 0, parentRow: null }));
  while (stack.length > 0) {
    const { node, indent, parentRow } = stack.pop();
    const row = { id: node.id, node, indent, parentRow, leaves: [], y: 0, lines: 1 };
    rows.push(row);
    maxIndent = Math.max(maxIndent, indent);
    const branches = [];
    let next = null;
    for (const child of node.children) {
      if (chain.has(child.id) && chain.has(node.id)) next = child;
      else if (child.children.length > 0 || chain.has(child.id)) branches.push(child);
      else row.leaves.push(child);
    }
    // Pushed in reverse: side branches come out first, the chain's next step last.
    if (next) stack.push({ node: next, indent, parentRow: row });
    for (let i = branches.length - 1; i >= 0; i--) stack.push({ node: branches[i], indent: indent + 1, parentRow: row });
  }
  return { rows, maxIndent };
}
