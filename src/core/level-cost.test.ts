import { describe, expect, it } from 'vitest';
import type { TrialLevelRecord } from './fidelity.ts';
import { expectedClimbMs, levelCosts, levelSize } from './level-cost.ts';

const LADDER = { levels: [{ name: 's', scale: 0.1 }, { name: 'm', scale: 0.3 }, { name: 'full', scale: 1 }].map((level) => ({ ...level, timeoutMs: 1, env: {}, slots: 1 })) };
const rec = (trialId: number, level: number, runMs: number): TrialLevelRecord => ({ trialId, level, levelName: LADDER.levels[level]!.name, status: 'scored', label: null, score: 1, metrics: {}, samples: [], runMs, measuredAt: '' });

describe('the cost model of a ladder', () => {
  it('is the mean measured run time of a level, else scaled from the nearest measured level', () => {
    const costs = levelCosts(LADDER, [rec(0, 0, 100), rec(1, 0, 300), rec(0, 1, 600)]);
    expect(costs).toEqual([
      { level: 0, name: 's', measured: 2, expectedMs: 200, source: 'measured' },
      { level: 1, name: 'm', measured: 1, expectedMs: 600, source: 'measured' },
      { level: 2, name: 'full', measured: 0, expectedMs: 2000, source: 'scaled' }, // from m: 600 x 1 / 0.3
    ]);
    expect(expectedClimbMs(costs, 1)).toBe(2600);
    expect(expectedClimbMs(costs, 2)).toBe(2000);
  });

  it('knows nothing before any measurement, and ignores runs that took no time (a failure before the run)', () => {
    const costs = levelCosts(LADDER, [rec(1, 0, 0)]);
    expect(costs.map((cost) => cost.source)).toEqual([null, null, null]);
    expect(expectedClimbMs(costs, 0)).toBeNull();
  });

  it('on a continued ladder, costs a level above the first by its increment over the level below', () => {
    const continued = { ...LADDER, continueRuns: true };
    // s measured at 100 ms per run (scale 0.1); m resumes from s: 0.2 more, full from m: 0.7 more.
    const costs = levelCosts(continued, [rec(0, 0, 100)]);
    expect(costs.map((cost) => cost.expectedMs)).toEqual([100, 200, expect.closeTo(700, 9)]);
    expect(levelSize(continued, 2)).toBeCloseTo(0.7, 12);
    expect(levelSize(LADDER, 2)).toBe(1);
  });
});

