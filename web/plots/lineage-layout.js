/**
 * The rows of the lineage tree. The chain from the baseline to the incumbent is the
 * spine; a trial with children (or on the chain) gets a row; its childless children are
 * leaves on that row. In a large study the tree is collapsed so it stays readable:
 * branches off the chain become one summary row each, and long runs of chain steps that
 * moved the score little fold into one row; `expanded` opens either.
 *
 * Row kinds:
 *   node   { id, node, indent, parentRow, leaves }
 *   branch { id, node, indent, parentRow, summary }   a collapsed subtree (root `node`)
 *   branches { id, roots, indent, parentRow, summary } the collapsed branches of trial `id`, together
 *   fold   { id, steps, indent, parentRow, summary }  consecutive chain steps folded
 *   more   { id, indent, parentRow, summary }         trials beneath `id` the server left out (a pruned
 *                                                    tree: `data.hidden`); a click loads them
 * summary: { count, kept, discarded, failed, running, best, byOutcome: Map(color key -> count) }
 */

/** Above this many trials the tree starts collapsed. */
export const COLLAPSE_AT = 300;
/** A collapsed chain longer than this folds its quieter steps. */
const FOLD_CHAIN_AT = 30;
const KEEP_FIRST = 2;
const KEEP_LAST = 8;
const KEEP_BIGGEST = 10;

/** The tree of `data.nodes`: byId (node objects with children, id order) and the roots. */
export function lineageTree(data) {
  const byId = new Map();
  const hidden = new Map((data.hidden ?? []).map((entry) => [entry.id, entry]));
  for (const [id, parent, status, score, label, specialist] of data.nodes) byId.set(id, { id, parent, status, score, label, specialist, children: [], hidden: hidden.get(id) ?? null });
  const roots = [];
  for (const node of [...byId.values()].sort((a, b) => a.id - b.id)) {
    const parent = node.parent === null ? undefined : byId.get(node.parent);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return { byId, roots };
}

/**
 * @param data the lineage API's data
 * @param options { collapse?: boolean (default: more than COLLAPSE_AT trials), expanded?: iterable of
 *   ids (a branch), 'fold:ID' (a folded chain run) and 'branches:ID' (the branches of trial ID) }
 * @returns { rows, maxIndent, collapsed: boolean }
 */
export function layoutLineage(data, options = {}) {
  const { byId, roots } = lineageTree(data);
  const chain = new Set(data.chain);
  const collapse = options.collapse ?? (data.total ?? data.nodes.length) > COLLAPSE_AT;
  const expanded = new Set([...(options.expanded ?? [])].map(String));
  const hidden = collapse ? foldedSteps(data, byId, expanded) : new Set();
  const maximize = data.direction === 'maximize';
  const rows = [];
  let maxIndent = 0;
  const stack = [...roots].reverse().map((node) => ({ node, indent: 0, parentRow: null }));
  while (stack.length > 0) {
    const { node, indent, parentRow, group } = stack.pop();
    maxIndent = Math.max(maxIndent, indent);
    if (group === 'more') {
      rows.push({ kind: 'more', id: node.id, indent, parentRow, summary: hiddenSummary(node.hidden) });
      continue;
    }
    if (group) {
      rows.push({ kind: 'branches', id: node.id, roots: group, indent, parentRow, summary: summarise(group, null, maximize) });
      continue;
    }
    if (collapse && !chain.has(node.id) && (node.children.length > 0 || node.hidden) && !expanded.has(String(node.id))) {
      rows.push({ kind: 'branch', id: node.id, node, indent, parentRow, summary: summarise([node], null, maximize) });
      continue;
    }
    if (hidden.has(node.id)) {
      // A run of folded chain steps, up to the next step shown.
      const steps = [node];
      let next = chainChild(steps[0], chain);
      while (next && hidden.has(next.id)) {
        steps.push(next);
        next = chainChild(next, chain);
      }
      const row = { kind: 'fold', id: node.id, steps, indent, parentRow, summary: summarise([steps[0]], next, maximize) };
      rows.push(row);
      if (next) stack.push({ node: next, indent, parentRow: row });
      continue;
    }
    const row = { kind: 'node', id: node.id, node, indent, parentRow, leaves: [] };
    rows.push(row);
    const branches = [];
    let next = null;
    for (const child of node.children) {
      if (chain.has(child.id) && chain.has(node.id)) next = child;
      else if (child.children.length > 0 || child.hidden || chain.has(child.id)) branches.push(child);
      else row.leaves.push(child);
    }
    // Pushed in reverse: side branches come out first, the chain's next step last.
    if (next) stack.push({ node: next, indent, parentRow: row });
    if (node.hidden) stack.push({ node, indent: indent + 1, parentRow: row, group: 'more' });
    // Collapsed, the branches of one trial share a row until it is opened.
    const closed = collapse && !expanded.has(`branches:${node.id}`) ? branches.filter((child) => !chain.has(child.id) && !expanded.has(String(child.id))) : [];
    if (closed.length > 1) stack.push({ node, indent: indent + 1, parentRow: row, group: closed });
    for (let i = branches.length - 1; i >= 0; i--) if (closed.length <= 1 || !closed.includes(branches[i])) stack.push({ node: branches[i], indent: indent + 1, parentRow: row });
  }
  return { rows, maxIndent, collapsed: collapse };
}

function chainChild(node, chain) {
  return node.children.find((child) => chain.has(child.id)) ?? null;
}

/**
 * The chain steps folded away: all but the first few, the last few, the steps that moved
 * the score most, the incumbent, and the runs the user expanded (`fold:ID`).
 */
function foldedSteps(data, byId, expanded) {
  const steps = data.chain;
  if (steps.length <= FOLD_CHAIN_AT) return new Set();
  const keep = new Set([...steps.slice(0, KEEP_FIRST), ...steps.slice(-KEEP_LAST)]);
  if (data.incumbent !== null) keep.add(data.incumbent);
  const moves = [];
  for (let i = 1; i < steps.length; i++) {
    const score = byId.get(steps[i])?.score;
    const before = byId.get(steps[i - 1])?.score;
    if (score != null && before != null) moves.push([steps[i], Math.abs(score - before)]);
  }
  moves.sort((a, b) => b[1] - a[1]);
  for (const [id] of moves.slice(0, KEEP_BIGGEST)) keep.add(id);
  // Runs of two or more quiet steps fold (one step would take a row either way).
  const hidden = new Set();
  let run = [];
  const close = () => {
    if (run.length >= 2 && !expanded.has(`fold:${run[0]}`)) for (const id of run) hidden.add(id);
    run = [];
  };
  for (const id of steps) {
    if (keep.has(id)) close();
    else run.push(id);
  }
  close();
  return hidden;
}

/** Counts over the subtrees of `starts`, not descending into `stop` (the next chain step shown); `best`: [id, score]. */
export function summarise(starts, stop, maximize = false) {
  const summary = { count: 0, kept: 0, discarded: 0, failed: 0, running: 0, best: null, byOutcome: new Map() };
  const stack = [...starts];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === stop) continue;
    summary.count++;
    if (node.status === 'kept') summary.kept++;
    else if (node.status === 'discarded') summary.discarded++;
    else if (node.status === 'failed') summary.failed++;
    else summary.running++;
    const key = node.status === 'failed' ? `failed:${node.label ?? 'crash'}` : node.status;
    summary.byOutcome.set(key, (summary.byOutcome.get(key) ?? 0) + 1);
    if (node.score !== null && node.status !== 'failed' && (summary.best === null || (maximize ? node.score > summary.best[1] : node.score < summary.best[1]))) summary.best = [node.id, node.score];
    if (node.hidden) addHidden(summary, node.hidden, maximize);
    stack.push(...node.children);
  }
  return summary;
}

/** Adds the trials a pruned tree left out beneath a node (`data.hidden`'s entry) to `summary`. */
function addHidden(summary, hidden, maximize) {
  summary.count += hidden.count;
  summary.kept += hidden.kept;
  summary.discarded += hidden.discarded;
  summary.failed += hidden.failed;
  summary.running += hidden.running;
  for (const [key, count] of hidden.byOutcome) summary.byOutcome.set(key, (summary.byOutcome.get(key) ?? 0) + count);
  const best = hidden.best;
  if (best !== null && (summary.best === null || (maximize ? best[1] > summary.best[1] : best[1] < summary.best[1]))) summary.best = best;
}

function hiddenSummary(hidden) {
  const summary = { count: 0, kept: 0, discarded: 0, failed: 0, running: 0, best: null, byOutcome: new Map() };
  addHidden(summary, hidden, false);
  return summary;
}
