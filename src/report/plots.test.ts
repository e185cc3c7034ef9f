import { describe, expect, it } from 'vitest';
import { LABEL_COLORS, layoutLineage, lineageTreeSvg, scorePlotSvg, type ScorePlotData } from '../../web/plots/index.js';

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

  it('runs the chain down the spine, hangs built-upon branches off it, and makes childless trials dots', () => {
    const { rows } = layoutLineage(data);
    expect(rows.map((row) => [row.id, row.indent, row.leaves.map((leaf) => leaf.id)])).toEqual([
      [0, 0, [2]],
      [4, 1, [5]],
      [1, 0, [3]],
      [6, 0, []],
    ]);
    const svg = lineageTreeSvg(data);
    for (let id = 0; id <= 6; id++) expect(svg).toContain(`data-trial="${id}"`);
    expect(svg.match(/stroke="#f59e0b" stroke-width="3"/g)).toHaveLength(2);
  });
});
