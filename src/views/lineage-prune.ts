/**
 * The lineage tree of a large study, pruned on the server: instead of every trial (4.8 MiB
 * at 100,000 trials), the nodes a reader looks at first (the chain to the incumbent, the
 * kept trials, the newest trials, the children of the trials the reader opened, and every
 * ancestor of those so the tree stays connected) and, for each node shown, a summary of
 * what is left out beneath it (`hidden`: how many trials, of which outcome, the best
 * score), which the tree draws as a row to click (`?expand=ID` loads a page more of that
 * trial's children).
 */
import type { LineageData, LineageHidden } from '../../web/plots/index.js';

export interface LineagePruneOptions {
  /** The newest trials shown (default 300). */
  newest?: number;
  /** The newest kept trials shown (default 300). */
  kept?: number;
  /** Trials whose hidden children to show, a page (`EXPAND_PAGE`) per mention: `[12, 12, 40]` shows two pages under #12. */
  expand?: readonly number[];
  /** Up to this many trials nothing is pruned (default 3,000). */
  pruneAbove?: number;
}

/** Children of an expanded trial shown per mention in `expand`. */
export const EXPAND_PAGE = 500;
const NEWEST = 300;
const KEPT = 300;
export const PRUNE_ABOVE = 3000;

type Node = LineageData['nodes'][number];

/**
 * `data` (every trial as a node) pruned to what a reader looks at first, with `total`,
 * `hidden` and `outcomes` (every trial's outcome counted, for the legend); unchanged
 * (but for `total` and `outcomes`) up to `pruneAbove` trials.
 *
 * @example
 * const shown = pruneLineage(lineageData(trials, byId), { expand: [12] });
 * shown.hidden; // [{ id: 3, count: 1204, ... }]: 1,204 trials under #3 not sent
 */
export function pruneLineage(data: LineageData, options: LineagePruneOptions = {}): LineageData {
  const outcomes = outcomeCounts(data.nodes);
  if (data.nodes.length <= (options.pruneAbove ?? PRUNE_ABOVE)) return { ...data, total: data.nodes.length, outcomes, hidden: [] };
  const byId = new Map<number, Node>(data.nodes.map((node) => [node[0], node]));
  const children = childrenOf(data.nodes, byId);
  const shown = new Set<number>(data.chain);
  for (const node of data.nodes) if (node[1] === null || !byId.has(node[1])) shown.add(node[0]); // roots
  const sorted = [...byId.keys()].sort((a, b) => a - b);
  for (const id of sorted.slice(-(options.newest ?? NEWEST))) shown.add(id);
  const kept = sorted.filter((id) => byId.get(id)![2] === 'kept');
  for (const id of kept.slice(-(options.kept ?? KEPT))) shown.add(id);
  if (data.incumbent !== null) shown.add(data.incumbent);
  addAncestors(shown, byId);
  // Each mention of a trial opens a page more of its children (ancestors already shown).
  for (const id of options.expand ?? []) {
    if (!shown.has(id)) continue;
    let added = 0;
    for (const child of children.get(id) ?? []) {
      if (added >= EXPAND_PAGE) break;
      if (shown.has(child)) continue;
      shown.add(child);
      added++;
    }
  }
  const direction = data.direction ?? 'minimize';
  const nodes = data.nodes.filter((node) => shown.has(node[0]));
  return {
    ...data,
    nodes,
    hypotheses: (data.hypotheses ?? []).filter(([id]) => shown.has(id)),
    total: data.nodes.length,
    outcomes,
    hidden: hiddenSummaries(data.nodes, byId, shown, direction),
  };
}

/** The key a trial's outcome is counted under: its status, or `failed:LABEL`. */
export function outcomeKey(node: Node): string {
  return node[2] === 'failed' ? `failed:${node[4] ?? 'crash'}` : node[2] === 'pending' ? 'running' : node[2];
}

function outcomeCounts(nodes: readonly Node[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const node of nodes) counts.set(outcomeKey(node), (counts.get(outcomeKey(node)) ?? 0) + 1);
  return [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

function childrenOf(nodes: readonly Node[], byId: ReadonlyMap<number, Node>): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const node of [...nodes].sort((a, b) => a[0] - b[0])) {
    if (node[1] === null || !byId.has(node[1])) continue;
    const list = children.get(node[1]);
    if (list) list.push(node[0]);
    else children.set(node[1], [node[0]]);
  }
  return children;
}

function addAncestors(shown: Set<number>, byId: ReadonlyMap<number, Node>): void {
  for (const start of [...shown]) {
    const seen = new Set<number>();
    for (let parent = byId.get(start)?.[1] ?? null; parent !== null && byId.has(parent) && !shown.has(parent) && !seen.has(parent); parent = byId.get(parent)![1]) {
      seen.add(parent);
      shown.add(parent);
    }
  }
}

/**
 * For each shown trial with children left out: the summary of every trial beneath it
 * that is not shown (a left-out trial's whole subtree is left out, since the ancestors
 * of shown trials are shown).
 */
function hiddenSummaries(nodes: readonly Node[], byId: ReadonlyMap<number, Node>, shown: ReadonlySet<number>, direction: 'minimize' | 'maximize'): LineageHidden[] {
  const attach = new Map<number, number | null>();
  const attachOf = (id: number): number | null => {
    const path: number[] = [];
    let cursor: number | null = id;
    let result: number | null = null;
    while (cursor !== null) {
      const known = attach.get(cursor);
      if (known !== undefined) {
        result = known;
        break;
      }
      const parent: number | null = byId.get(cursor)?.[1] ?? null;
      path.push(cursor);
      if (parent === null || !byId.has(parent) || path.length > byId.size) break;
      if (shown.has(parent)) {
        result = parent;
        break;
      }
      cursor = parent;
    }
    for (const step of path) attach.set(step, result);
    return result;
  };
  const summaries = new Map<number, LineageHidden>();
  for (const node of nodes) {
    if (shown.has(node[0])) continue;
    const at = attachOf(node[0]);
    if (at === null) continue;
    let summary = summaries.get(at);
    if (!summary) {
      summary = { id: at, count: 0, kept: 0, discarded: 0, failed: 0, running: 0, best: null, byOutcome: [] };
      summaries.set(at, summary);
    }
    addToSummary(summary, node, direction);
  }
  return [...summaries.values()].sort((a, b) => a.id - b.id).map((summary) => ({ ...summary, byOutcome: [...summary.byOutcome].sort((a, b) => (a[0] < b[0] ? -1 : 1)) }));
}

function addToSummary(summary: LineageHidden, node: Node, direction: 'minimize' | 'maximize'): void {
  summary.count++;
  const status = node[2];
  if (status === 'kept') summary.kept++;
  else if (status === 'discarded') summary.discarded++;
  else if (status === 'failed') summary.failed++;
  else summary.running++;
  const key = outcomeKey(node);
  const entry = summary.byOutcome.find((pair) => pair[0] === key);
  if (entry) entry[1]++;
  else summary.byOutcome.push([key, 1]);
  const score = node[3];
  if (score !== null && status !== 'failed' && (summary.best === null || (direction === 'maximize' ? score > summary.best[1] : score < summary.best[1]))) summary.best = [node[0], score];
}
