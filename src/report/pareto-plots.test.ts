import { describe, expect, it } from 'vitest';
import { hypervolumePlotSvg, paretoPlotSvg, type ParetoPlotData } from '../../web/plots/index.js';
import type { ParetoObjective, ParetoPreference } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import { paretoPageData } from '../views/pareto-page-view.ts';
import { makeTrial } from '../testing/trial-fixture.ts';

const objective = { metric: 'loss', direction: 'minimize' as const };
const twoObjectives = [
  { ...objective, reference: 4 },
  { metric: 'params', direction: 'minimize' as const, reference: 4 },
];
const trials = [
  makeTrial({ id: 0, status: 'kept', score: 2, metrics: { loss: 2, params: 2, acc: 0.5 } }),
  makeTrial({ id: 1, status: 'kept', score: 1, metrics: { loss: 1, params: 3, acc: 0.6 } }),
  makeTrial({ id: 2, status: 'discarded', score: 2.5, metrics: { loss: 2.5, params: 2.5, acc: 0.4 } }),
  makeTrial({ id: 3, status: 'kept', score: 3, metrics: { loss: 3, params: 1, acc: 0.7 } }),
];

/** The front API's answer for a multi-objective study, as the plots read it. */
function plotData(objectives: ParetoObjective[], rows: readonly TrialRecord[], preference?: ParetoPreference): ParetoPlotData {
  const data = paretoPageData({ objective, objectives, ...(preference ? { preference } : {}) }, rows);
  if (data.objectives === null || data.front === null) throw new Error('a multi-objective study has a front');
  return { ...data, objectives: data.objectives, front: data.front };
}

describe('the front plots', () => {
  it('greys dominated trials, links every trial, rings the recommended member and draws the front as steps', () => {
    const data = plotData(twoObjectives, trials, { weights: { params: 1 } });
    const svg = paretoPlotSvg(data);
    expect(svg.match(/class="pt member"/g)).toHaveLength(3);
    expect(svg.match(/class="pt dominated"/g)).toHaveLength(1);
    expect(svg).toMatch(/class="pt dominated" data-trial="2"/);
    for (const id of [0, 1, 2, 3]) expect(svg).toContain(`data-trial="${id}"`);
    expect(svg.match(/class="recommended"/g)).toHaveLength(1);
    // three members: two steps of the staircase
    expect(svg).toMatch(/class="front-line" d="M[\d.]+ [\d.]+H[\d.]+V[\d.]+H[\d.]+V[\d.]+"/);
    expect(svg).toContain('reference point (4, 4)');
    expect(svg).toContain('loss (lower is better)');
  });

  it('plots any two of three objectives without a staircase (a projection of the front is no staircase)', () => {
    const three = [...twoObjectives, { metric: 'acc', direction: 'maximize' as const }];
    const data = plotData(three, trials);
    const svg = paretoPlotSvg(data, { x: 2, y: 0 });
    expect(svg).toContain('acc (higher is better)');
    expect(svg).not.toContain('front-line');
    expect(svg.match(/data-trial=/g)).toHaveLength(4);
  });

  it('draws the hypervolume over time as a rising step line with a mark where it rose', () => {
    const data = plotData(twoObjectives, trials);
    const svg = hypervolumePlotSvg(data);
    expect(svg).toContain('class="hypervolume-line"');
    // #0 starts it, #1 and #3 raise it, #2 (dominated) does not
    expect([...svg.matchAll(/class="pt hv-step" data-trial="(\d+)"/g)].map((match) => Number(match[1]))).toEqual([0, 1, 3]);
  });

  it('says there is nothing yet', () => {
    const data = plotData(twoObjectives, []);
    expect(paretoPlotSvg(data)).toContain('No scored trials yet');
    expect(hypervolumePlotSvg(data)).toContain('No finished trials yet');
  });
});
