import { describe, expect, it } from 'vitest';
import { makeTrial } from '../testing/trial-fixture.ts';
import { paretoPageData } from './pareto-page-view.ts';

const objective = { metric: 'loss', direction: 'minimize' as const };
const objectives = [objective, { metric: 'params', direction: 'minimize' as const }];

const trials = [
  makeTrial({ id: 0, status: 'kept', score: 2, metrics: { loss: 2, params: 2 } }),
  makeTrial({ id: 1, status: 'kept', score: 1, metrics: { loss: 1, params: 3 } }),
  makeTrial({ id: 2, status: 'discarded', score: 2.5, metrics: { loss: 2.5, params: 2.5 } }),
  makeTrial({ id: 3, status: 'kept', score: 3, metrics: { loss: 3, params: 1 } }),
  makeTrial({ id: 4, status: 'failed', score: null, metrics: {} }),
  makeTrial({ id: 5, status: 'kept', score: 0.5, metrics: { loss: 0.5, params: 2 } }),
  makeTrial({ id: 6, status: 'running', score: null, metrics: {} }),
];

describe('paretoPageData', () => {
  it('marks every scored trial as a front member or dominated, and counts the rest', () => {
    const data = paretoPageData({ objective, objectives }, trials);
    expect(data.points.map((point) => [point.id, point.member])).toEqual([
      [0, false],
      [1, false],
      [2, false],
      [3, true],
      [5, true],
    ]);
    expect(data.points.find((point) => point.id === 5)!.values).toEqual([0.5, 2]);
    expect(data.unplotted).toBe(1);
    expect(data.front!.members.map((member) => member.id)).toEqual([3, 5]);
  });

  it('has no front for a single-objective study', () => {
    const data = paretoPageData({ objective }, trials);
    expect(data).toMatchObject({ objectives: null, front: null, points: [] });
  });
});
