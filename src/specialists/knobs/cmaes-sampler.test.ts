import { describe, expect, it } from 'vitest';
import type { KnobSpec } from '../../core/task.ts';
import { createCmaEsSampler, replayCma } from './cmaes-sampler.ts';
import { createCmaState, sampleCma, tellCma } from './cmaes-state.ts';
import type { KnobObservation } from './knob-sampler.ts';
import type { KnobValues } from './knob-value.ts';
import { mulberry32 } from './sampler-math.ts';

function runSampler(space: KnobSpec[], loss: (values: KnobValues) => number, trials: number, seed: number, start: KnobValues) {
  const sampler = createCmaEsSampler();
  const random = mulberry32(seed);
  const history: KnobObservation[] = [{ trialId: 0, values: start, status: 'kept', score: loss(start) }];
  let best = { loss: loss(start), values: start };
  for (let trial = 1; trial < trials; trial += 1) {
    const values = sampler.sample(space, history, best.values, random, { direction: 'minimize' });
    const value = loss(values);
    history.push({ trialId: trial, values, status: 'discarded', score: value });
    if (value < best.loss) best = { loss: value, values };
  }
  return { sampler, history, best };
}

describe('CMA-ES', () => {
  it('converges on a shifted sphere in 4-D', () => {
    const space: KnobSpec[] = ['a', 'b', 'c', 'd'].map((name) => ({ name, file: 'c.json', key: name, type: 'float', low: -5, high: 5 }));
    const centre = { a: 1.2, b: -0.7, c: 2.0, d: 0.3 };
    const sphere = (values: KnobValues) => Object.entries(centre).reduce((sum, [name, c]) => sum + ((values[name] as number) - c) ** 2, 0);
    for (const seed of [1, 2]) {
      const { best } = runSampler(space, sphere, 320, seed, { a: -4, b: 4, c: -4, d: 4 });
      expect(best.loss).toBeLessThan(5e-3);
    }
  });

  it('the pure state converges on an ill-conditioned ellipsoid (covariance adaptation)', () => {
    const random = mulberry32(3);
    const state = createCmaState([0.2, 0.8, 0.3], 0.2);
    const loss = (x: number[]) => 1e4 * (x[0]! - 0.5) ** 2 + 1e2 * (x[1]! - 0.5) ** 2 + (x[2]! - 0.5) ** 2;
    for (let generation = 0; generation < 150; generation += 1) {
      const points = Array.from({ length: state.lambda }, () => sampleCma(state, random));
      tellCma(state, points, points.map(loss));
    }
    expect(loss(state.mean)).toBeLessThan(1e-8);
    // The covariance learned the scales: the widest axis is far wider than the narrowest.
    expect(Math.max(...state.scales) / Math.min(...state.scales)).toBeGreaterThan(30);
  });

  it('restarts (IPOP) with a doubled population once int knobs have converged, and finds the optimum', () => {
    const space: KnobSpec[] = [
      { name: 'x', file: 'c.json', key: 'x', type: 'int', low: 0, high: 20 },
      { name: 'y', file: 'c.json', key: 'y', type: 'int', low: 0, high: 20 },
    ];
    const loss = (values: KnobValues) => ((values.x as number) - 13) ** 2 + ((values.y as number) - 7) ** 2;
    const { sampler, history, best } = runSampler(space, loss, 220, 4, { x: 2, y: 18 });
    expect(best.values).toEqual({ x: 13, y: 7 });
    const replay = sampler.replay(space, history, { direction: 'minimize' });
    expect(replay).not.toBeNull();
    expect(replay!.restarts).toBeGreaterThanOrEqual(1);
    expect(replay!.state.lambda).toBe(6 * 2 ** replay!.restarts);
  });

  it('injects failed trials as the worst of their generation', () => {
    const points = [[0.1], [0.2], [0.3], [0.9]];
    // The point at 0.9 would be best, but it failed: the mean moves towards the low points.
    const failed = replayCma(points, [3, 2, 1, Infinity], [1e-5], { populationSize: 4 });
    expect(failed.state.mean[0]).toBeLessThan(0.4);
    const scored = replayCma(points, [3, 2, 1, 0], [1e-5], { populationSize: 4 });
    expect(scored.state.mean[0]).toBeGreaterThan(failed.state.mean[0]!);
  });

  it('chooses categorical knobs with TPE', () => {
    const space: KnobSpec[] = [
      { name: 'x', file: 'c.json', key: 'x', type: 'float', low: 0, high: 1 },
      { name: 'y', file: 'c.json', key: 'y', type: 'float', low: 0, high: 1 },
      { name: 'kind', file: 'c.json', key: 'kind', type: 'categorical', choices: ['a', 'b', 'c', 'd'] },
    ];
    const loss = (values: KnobValues) => ((values.x as number) - 0.3) ** 2 + ((values.y as number) - 0.6) ** 2 + (values.kind === 'c' ? 0 : 0.5);
    const { history } = runSampler(space, loss, 80, 6, { x: 0.9, y: 0.1, kind: 'a' });
    const late = history.slice(-20).filter((observation) => observation.values.kind === 'c').length;
    expect(late).toBeGreaterThanOrEqual(12);
  });
});
