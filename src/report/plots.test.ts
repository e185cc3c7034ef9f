import { describe, expect, it } from 'vitest';
import { LABEL_COLORS, STATUS_COLORS, layoutLineage, lineageTreeSvg, outcomeColor, scorePlotSvg, type ScorePlotData } from '../../web/plots/index.js';

const base: ScorePlotData = { metric: 'loss', direction: 'minimize', baseline: 9, maxId: 6, points: [], failed: [], running: [], incumbent: [] };

describe('the score plot', () => {
  it('draws every trial: scored ones as dots, failed ones as crosses in their label colour, the incumbent as steps', () => {
    const svg = scorePlotSvg({ ...base, points: [[0, 9, 'kept'], [1, 4, 'kept'], [2, 5, 'discarded'], [5, 3.5, 'kept']], failed: [[3, 'crash'], [4, 'oom']], incumbent: [[0, 9], [1, 4], [5, 3.5]], running: [6] });
    for (const id of [0, 1, 2, 3, 4, 5]) expect(svg).toContain(`data-trial="${id}"`);
    expect(svg).toContain(`stroke="${LABEL_COLORS.crash}"`);
    expect(svg).toContain(`stroke="${LABEL_COLORS.oom}"`);
    expect(svg).toMatch(/crash 1.*oom 1|oom 1.*crash 1/);
    expect(svg).toMatch(/<path d="M[\d.]+ [\d.]+H[\d.]+V[\d.]+H[\d.]+V[\d.]+H[\d.]+" fill="none" stroke="#f59e0b"/);
    expect(svg).toContain('lower is better');
  });

  it('switches to a log axis over a wide positive range, and says so', () => {
    expect(scorePlotSvg({ ...base, points: [[0, 9, 'kept'], [1, 0.01, 'kept']], incumbent: [[0, 9], [1, 0.01]] })).toContain('log scale');
    expect(scorePlotSvg({ ...base, baseline: 2, points: [[0, 2, 'kept'], [1, 1.9, 'kept']], incumbent: [[0, 2]] })).not.toContain('log scale');
  });

  it('clips a far outlier to the edge instead of squashing the plot', () => {
    const points: ScorePlotData['points'] = Array.from({ length: 20 }, (_, i) => [i, 1 + i * 0.01, 'discarded']);
    points.push([20, 1000, 'discarded']);
    const svgMin = scorePlotSvg({ ...base, baseline: 1.2, maxId: 20, points });
    expect(svgMin).toMatch(/<path class="pt" data-trial="20" d="M[\d.]+ [\d.]+L/);
    expect(svgMin).not.toContain('log scale');
  });

  it('draws a dense plot as a few paths, with the trial axis for the pointer', () => {
    const points: ScorePlotData['points'] = Array.from({ length: 5000 }, (_, i) => [i, 2 - i * 1e-4, i % 500 === 0 ? 'kept' : 'discarded']);
    const failed: ScorePlotData['failed'] = Array.from({ length: 800 }, (_, i) => [5000 + i, i % 2 ? 'crash' : 'oom']);
    const svg = scorePlotSvg({ ...base, baseline: 2, maxId: 5799, points, failed, incumbent: points.filter((p) => p[2] === 'kept').map((p) => [p[0], p[1]]) });
    expect(svg).toMatch(/data-trial-axis="[\d.]+,[\d.]+,5799"/);
    expect(svg.match(/data-trial=/g)).toHaveLength(10);
    expect(svg).not.toContain('<title>');
    expect(svg.length).toBeLessThan(400_000);
  });

  it('says there is nothing yet', () => {
    expect(scorePlotSvg(base)).toContain('No finished trials yet');
  });
});

describe('the lineage tree', () => {
  const data = {
    nodes: [
      [0, null, 'kept', 9, null, 'baseline'],
      [1, 0, 'kept', 4, null, 'tuner'],
      [2, 0, 'failed', null, 'crash', 'llm'],
      [3, 1, 'discarded', 5, null, 'tuner'],
      [4, 0, 'discarded', 6, null, 'llm'],
      [5, 4, 'discarded', 7, null, 'llm'],
      [6, 1, 'kept', 3, null, 'llm'],
    ] as Array<[number, number | null, 'kept' | 'discarded' | 'failed', number | null, string | null, string]>,
    incumbent: 6,
    chain: [0, 1, 6],
  };

  it('runs the chain down the spine, hangs built-upon branches off it, and puts childless trials on their parent\'s row', () => {
    const { rows, collapsed } = layoutLineage(data);
    expect(collapsed).toBe(false);
    expect(rows.map((row) => [row.kind, row.id, row.indent, (row.leaves ?? []).map((leaf) => leaf.id)])).toEqual([
      ['node', 0, 0, [2]],
      ['node', 4, 1, [5]],
      ['node', 1, 0, [3]],
      ['node', 6, 0, []],
    ]);
    const svg = lineageTreeSvg({ ...data, hypotheses: [[6, 'double the width']] });
    for (let id = 0; id <= 6; id++) expect(svg).toContain(`data-trial="${id}"`);
    expect(svg.match(/<path [^>]*stroke="#f59e0b" stroke-width="3"/g)).toHaveLength(2);
    expect(svg).toContain('double the width');
    // A small study labels its few leaves.
    expect(svg).toContain('#2 crash');
    expect(svg).toContain('#3 5');
  });

  it('draws its legend in the colours of its marks (a gate miss is purple in both)', () => {
    const svg = lineageTreeSvg({ ...data, nodes: [...data.nodes, [7, 1, 'failed', null, 'gate_miss', 'llm']] });
    const purple = outcomeColor('failed', 'gate_miss');
    expect(purple).not.toBe(STATUS_COLORS.failed);
    expect(svg).toMatch(new RegExp(`<circle cx="[\\d.]+" cy="[\\d.]+" r="4.5" fill="${purple}"/><text[^>]*>gate_miss 1</text>`));
    expect(svg).toContain(`data-trial="7"`);
    expect(svg).not.toMatch(/>failed</);
  });

  it('collapses a large study: branches become summary rows, quiet chain runs fold, and both open on request', () => {
    // A chain of 60 steps, each with 20 leaves (the last 120) and, every 10th, a side branch of 5 trials.
    const nodes: Array<[number, number | null, 'kept' | 'discarded' | 'failed', number | null, string | null, string]> = [[0, null, 'kept', 100, null, 'baseline']];
    const chain = [0];
    let next = 1;
    for (let step = 1; step <= 60; step++) {
      const id = next++;
      nodes.push([id, chain.at(-1)!, 'kept', 100 - step - (step === 30 ? 20 : 0), null, 'tuner']);
      const leaves = step === 60 ? 120 : 20;
      for (let leaf = 0; leaf < leaves; leaf++) nodes.push([next++, id, leaf % 7 === 0 && leaf < 20 ? 'failed' : 'discarded', leaf % 7 === 0 && leaf < 20 ? null : 200, leaf % 7 === 0 && leaf < 20 ? 'oom' : null, 'llm']);
      if (step % 10 === 0) {
        const root = next++;
        nodes.push([root, id, 'discarded', 150, null, 'llm']);
        for (let k = 0; k < 4; k++) nodes.push([next++, root, 'discarded', 140 - k, null, 'llm']);
      }
      chain.push(id);
    }
    const big = { nodes, incumbent: chain.at(-1)!, chain, direction: 'minimize' as const };
    const { rows, collapsed } = layoutLineage(big);
    expect(collapsed).toBe(true);
    expect(rows.length).toBeLessThan(45);
    const branches = rows.filter((row) => row.kind === 'branch');
    const folds = rows.filter((row) => row.kind === 'fold');
    expect(branches.length).toBeGreaterThan(0);
    expect(branches[0]!.summary).toMatchObject({ count: 5, kept: 0, best: [expect.any(Number), 137] });
    expect(folds.length).toBeGreaterThan(0);
    // The step that moved the score most stays visible; every trial is counted once.
    expect(rows.some((row) => row.kind === 'node' && row.id === chain[30])).toBe(true);
    const shown = rows.reduce((sum, row) => sum + (row.kind === 'node' ? 1 + (row.leaves?.length ?? 0) : row.summary!.count), 0);
    expect(shown).toBe(nodes.length);
    // Opening a fold and a branch.
    const opened = layoutLineage(big, { expanded: [`fold:${folds[0]!.id}`, String(branches[0]!.id)] });
    expect(opened.rows.filter((row) => row.kind === 'fold').length).toBe(folds.length - 1);
    expect(opened.rows.some((row) => row.kind === 'node' && row.id === branches[0]!.id)).toBe(true);
    const svg = lineageTreeSvg(big, { width: 1200 });
    expect(svg).toContain(`data-expand="fold:${folds[0]!.id}"`);
    expect(svg).toMatch(/▸ branch #\d+ · 5 trials/);
    expect(svg).toContain('120 trials: 117 discarded · 3 failed'); // many leaves: an outcome bar
    expect(svg).toContain(`data-parent="${chain.at(-1)}"`);
    expect(svg.length).toBeLessThan(200_000);
  });
});
