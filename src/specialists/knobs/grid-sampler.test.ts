import { describe, expect, it } from 'vitest';
import type { KnobSpec } from '../../core/task.ts';
import { checkGridSpace, createGridSampler, gridAxes } from './grid-sampler.ts';
import type { KnobObservation } from './knob-sampler.ts';
import { knobValuesKey } from './knob-value.ts';
import { cmaesMinimumBudget, resolveAutoSampler } from './sampler-choice.ts';
import { mulberry32 } from './sampler-math.ts';

const SPACE: KnobSpec[] = [
  { name: 'act', file: 'c.json', key: 'act', type: 'categorical', choices: ['relu', 'gelu', 'silu'] },
  { name: 'depth', file: 'c.json', key: 'depth', type: 'int', low: 1, high: 3 },
  { name: 'lr', file: 'c.json', key: 'lr', type: 'float', low: 1e-4, high: 1e-1, log: true },
];

describe('grid sampler', () => {
  it('lays out axes: all choices, all integers of a short range, evenly spaced floats (log when declared)', () => {
    expect(gridAxes(SPACE, 4)).toEqual([['relu', 'gelu', 'silu'], [1, 2, 3], [0.0001, 0.001, 0.01, 0.1]]);
    expect(gridAxes([{ name: 'w', file: 'c.json', key: 'w', type: 'int', low: 0, high: 100 }], 5)).toEqual([[0, 25, 50, 75, 100]]);
    expect(gridAxes([{ name: 'p', file: 'c.json', key: 'p', type: 'float', low: 0, high: 0.3 }], 4)).toEqual([[0, 0.1, 0.2, 0.3]]);
  });

  it('visits every grid point once, skipping tried and pending points, then returns the incumbent', () => {
    const sampler = createGridSampler({ points: 4 });
    const random = mulberry32(2);
    const incumbent = { act: 'relu', depth: 1, lr: 0.0001 };
    const history: KnobObservation[] = [{ trialId: 0, values: incumbent, status: 'kept', score: 1 }];
    const pending = [{ act: 'gelu', depth: 2, lr: 0.01 }];
    const seen = new Set<string>([knobValuesKey(SPACE, incumbent), knobValuesKey(SPACE, pending[0]!)]);
    for (let trial = 1; trial <= 34; trial += 1) {
      const values = sampler.sample(SPACE, history, incumbent, random, { direction: 'minimize', pending });
      const key = knobValuesKey(SPACE, values);
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      history.push({ trialId: trial, values, status: 'discarded', score: 2 });
    }
    expect(seen.size).toBe(36);
    expect(sampler.sample(SPACE, history, incumbent, random, { direction: 'minimize', pending })).toEqual(incumbent);
  });

  it('refuses grids too large to walk', () => {
    const wide: KnobSpec[] = Array.from({ length: 9 }, (_, index) => ({ name: `x${index}`, file: 'c.json', key: `x${index}`, type: 'float', low: 0, high: 1 }));
    expect(() => checkGridSpace(wide, 5)).toThrow(/has 1953125 points, more than 1000000/);
    expect(checkGridSpace(SPACE, 5)).toBe(45);
  });
});

describe('the auto rule', () => {
  const floats: KnobSpec[] = ['a', 'b', 'c'].map((name) => ({ name, file: 'c.json', key: name, type: 'float', low: 0, high: 1 }));
  it('picks grid when a discrete grid fits the budget, cmaes for numeric knobs and a large budget, tpe otherwise', () => {
    const discrete = SPACE.slice(0, 2);
    expect(resolveAutoSampler(discrete, 9).sampler).toBe('grid');
    expect(resolveAutoSampler(discrete, 8).sampler).toBe('tpe');
    expect(resolveAutoSampler(discrete, undefined).sampler).toBe('tpe');
    expect(resolveAutoSampler(floats, 250).sampler).toBe('cmaes');
    expect(resolveAutoSampler(floats, 249).sampler).toBe('tpe');
    expect(resolveAutoSampler(floats, undefined)).toEqual({ sampler: 'tpe', reason: 'the trial budget is unknown' });
    expect(resolveAutoSampler(SPACE, 10_000)).toEqual({ sampler: 'tpe', reason: 'some knobs are categorical' });
    expect(cmaesMinimumBudget(10)).toBe(400);
  });
});
