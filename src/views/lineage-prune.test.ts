import { describe, expect, it } from 'vitest';
import { layoutLineage, lineageTreeSvg, type LineageData, type LineageHidden } from '../../web/plots/index.js';
import { EXPAND_PAGE, outcomeKey, pruneLineage } from './lineage-prune.ts';

type Node = LineageData['nodes'][number];

/** A random lineage of `size` trials: parents drawn from earlier trials (a few popular ones), random outcomes, a kept chain. */
function randomLineage(size: number, seed: number, direction: 'minimize' | 'maximize' = 'minimize'): LineageData {
  let state = seed;
  const random = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  const labels = ['crash', 'timeout', 'gate_miss', 'legality'];
  const nodes: Node[] = [[0, null, 'kept', 1, null, 'baseline']];
  const kept = [0];
  for (let id = 1; id < size; id++) {
    const pick = random();
    const parent = pick < 0.5 ? kept[Math.floor(random() * kept.length)]! : pick < 0.7 ? Math.floor(random() * Math.min(id, 5)) : Math.floor(random() * id);
    const roll = random();
    const status = id > size - 20 && roll < 0.5 ? 'running' : roll < 0.03 ? 'kept' : roll < 0.75 ? 'discarded' : 'failed';
    const score = status === 'failed' || status === 'running' ? null : Math.round(random() * 1000) / 1000;
    nodes.push([id, parent, status, score, status === 'failed' ? labels[Math.floor(random() * labels.length)]! : null, `s${id % 3}`]);
    if (status === 'kept') kept.push(id);
  }
  const byId = new Map(nodes.map((node) => [node[0], node]));
  const incumbent = kept.at(-1)!;
  const chain: number[] = [];
  for (let cursor: number | null = incumbent; cursor !== null; cursor = byId.get(cursor)![1]) chain.unshift(cursor);
  return { nodes, incumbent, chain, direction, hypotheses: chain.map((id) => [id, `step ${id}`]) };
}

/** The summary of every trial beneath `id` in the full tree that `shown` leaves out, computed directly. */
function bruteHidden(full: LineageData, children: ReadonlyMap<number, Node[]>, id: number, shown: ReadonlySet<number>): LineageHidden | null {
  const summary: LineageHidden = { id, count: 0, kept: 0, discarded: 0, failed: 0, running: 0, best: null, byOutcome: [] };
  const counts = new Map<string, number>();
  const stack = (children.get(id) ?? []).filter((child) => !shown.has(child[0]));
  while (stack.length > 0) {
    const node = stack.pop()!;
    expect(shown.has(node[0])).toBe(false); // a left-out trial's subtree is left out whole
    summary.count++;
    if (node[2] === 'kept') summary.kept++;
    else if (node[2] === 'discarded') summary.discarded++;
    else if (node[2] === 'failed') summary.failed++;
    else summary.running++;
    counts.set(outcomeKey(node), (counts.get(outcomeKey(node)) ?? 0) + 1);
    const better = (a: number, b: number) => (full.direction === 'maximize' ? a > b : a < b);
    if (node[3] !== null && node[2] !== 'failed' && (summary.best === null || better(node[3], summary.best[1]) || (node[3] === summary.best[1] && node[0] < summary.best[0]))) summary.best = [node[0], node[3]];
    stack.push(...(children.get(node[0]) ?? []));
  }
  summary.byOutcome = [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return summary.count === 0 ? null : summary;
}

/** Every trial the drawing accounts for: node rows and their leaves, and the counts of summary rows. */
function drawnCount(data: LineageData, collapse: boolean): number {
  let count = 0;
  for (const row of layoutLineage(data, { collapse }).rows) count += row.kind === 'node' ? 1 + (row.leaves?.length ?? 0) : row.summary!.count;
  return count;
}

describe('the pruned lineage', () => {
  it('sends every node of a small study unchanged', () => {
    const full = randomLineage(500, 7);
    const pruned = pruneLineage(full);
    expect(pruned.nodes).toEqual(full.nodes);
    expect(pruned.hidden).toEqual([]);
    expect(pruned.total).toBe(500);
  });

  for (const [seed, direction] of [[11, 'minimize'], [29, 'maximize'], [101, 'minimize']] as const) {
    it(`equals the full tree on a random study (seed ${seed}, ${direction}): nodes sent as they are, the rest counted beneath them`, () => {
      const full = randomLineage(8000, seed, direction);
      const pruned = pruneLineage(full);
      const shown = new Set(pruned.nodes.map((node) => node[0]));
      expect(pruned.nodes.length).toBeLessThan(full.nodes.length / 2);
      const fullById = new Map(full.nodes.map((node) => [node[0], node]));
      for (const node of pruned.nodes) expect(node).toEqual(fullById.get(node[0]));
      expect(pruned.chain).toEqual(full.chain);
      expect(pruned.incumbent).toBe(full.incumbent);
      for (const id of full.chain) expect(shown.has(id)).toBe(true);
      for (const node of full.nodes.slice(-300)) expect(shown.has(node[0])).toBe(true);
      for (const node of pruned.nodes) if (node[1] !== null) expect(shown.has(node[1])).toBe(true); // connected
      expect(pruned.total).toBe(full.nodes.length);
      expect(pruned.nodes.length + pruned.hidden!.reduce((sum, entry) => sum + entry.count, 0)).toBe(full.nodes.length);
      // Each left-out summary equals the one computed over the full tree (best: the same score).
      const children = new Map<number, Node[]>();
      for (const node of full.nodes) if (node[1] !== null) children.set(node[1], [...(children.get(node[1]) ?? []), node]);
      const expected = pruned.nodes.map((node) => bruteHidden(full, children, node[0], shown)).filter((entry) => entry !== null);
      expect(pruned.hidden!.map((entry) => ({ ...entry, best: entry.best?.[1] ?? null }))).toEqual(expected.map((entry) => ({ ...entry, best: entry.best?.[1] ?? null })));
      // The legend's counts are every trial's.
      const outcomes = new Map<string, number>();
      for (const node of full.nodes) outcomes.set(outcomeKey(node), (outcomes.get(outcomeKey(node)) ?? 0) + 1);
      expect(new Map(pruned.outcomes)).toEqual(outcomes);
      // The drawing accounts for every trial, collapsed or open.
      expect(drawnCount(pruned, true)).toBe(full.nodes.length);
      expect(drawnCount(pruned, false)).toBe(full.nodes.length);
      expect(drawnCount(full, true)).toBe(full.nodes.length);
    });
  }

  it('draws a row to load what was left out beneath each node, and a legend that counts every trial', () => {
    const full = randomLineage(5000, 13);
    const pruned = pruneLineage(full);
    const open = lineageTreeSvg(pruned, { collapse: false });
    for (const entry of pruned.hidden!) expect(open).toContain(`data-load="${entry.id}"`);
    const kept = full.nodes.filter((node) => node[2] === 'kept').length;
    expect(lineageTreeSvg(pruned)).toContain(`kept ${kept}`);
    expect(layoutLineage(pruned).collapsed).toBe(true);
  });

  it('loads a page of left-out children per mention, and expanding everything gives the full tree', () => {
    const full = randomLineage(6000, 5);
    const expand: number[] = [];
    let pruned = pruneLineage(full);
    const first = pruned.hidden!.reduce((best, entry) => (entry.count > best.count ? entry : best));
    const once = pruneLineage(full, { expand: [first.id] });
    const added = once.nodes.length - pruned.nodes.length;
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThanOrEqual(EXPAND_PAGE);
    for (let round = 0; pruned.hidden!.length > 0; round++) {
      expect(round).toBeLessThan(100);
      expand.push(...pruned.hidden!.map((entry) => entry.id));
      pruned = pruneLineage(full, { expand });
      expect(pruned.nodes.length + pruned.hidden!.reduce((sum, entry) => sum + entry.count, 0)).toBe(full.nodes.length);
    }
    expect(pruned.nodes).toEqual(full.nodes);
  });
});
