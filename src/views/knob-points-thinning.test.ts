import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import type { KnobAnalysis, KnobPoint } from './knob-analysis.ts';
import { KNOB_POINTS, thinKnobPoints } from './knob-points-thinning.ts';

function randomView(n: number, seed: number, direction: 'minimize' | 'maximize'): KnobAnalysis {
  const random = seededRandom(seed);
  const points: KnobPoint[] = [];
  for (let id = 0; id < n; id++) {
    const roll = random();
    const status = id === 0 ? 'kept' : roll < 0.02 ? 'kept' : roll < 0.8 ? 'discarded' : 'failed';
    const score = status === 'failed' && random() < 0.8 ? null : 3 + random() * 2;
    const group = status === 'failed' ? Math.floor(random() ** 4 * 9) : -1;
    points.push([id, status, score, group, [10 ** (-4 + 3 * random()), Math.floor(random() * 2000), ['relu', 'gelu'][Math.floor(random() * 2)]!]]);
  }
  const kept = points.filter((p) => p[1] === 'kept');
  return {
    objective: { metric: 'loss', direction },
    knobs: [
      { name: 'lr', surface: 's', type: 'float', log: true, low: 1e-4, high: 0.1, choices: null },
      { name: 'warmup', surface: 's', type: 'int', log: false, low: 0, high: 2000, choices: null },
      { name: 'act', surface: 's', type: 'categorical', log: false, low: null, high: null, choices: ['relu', 'gelu'] },
    ],
    points,
    groups: Array.from({ length: 9 }, (_, i) => ({ kind: 'label' as const, key: `g${i}`, label: 'crash' as const, summary: `g${i}`, count: 1 })),
    baseline: 0,
    incumbent: kept.at(-1)![0],
    unknown: 0,
    importance: { unavailable: 'test' },
  };
}

describe('thinning the knobs view', () => {
  it('sends a small view as it is', () => {
    const view = randomView(500, 1, 'minimize');
    expect(thinKnobPoints(view, new Set([0]))).toBe(view);
  });

  it('keeps the baseline, the chain, every kept trial, the best, the extremes and every failure group, within the budget', () => {
    for (const [n, seed, direction] of [[5000, 2, 'minimize'], [40_000, 3, 'maximize'], [12_000, 4, 'minimize']] as const) {
      const view = randomView(n, seed, direction);
      const chain = new Set([0, 17, 230, view.incumbent!]);
      const sent = thinKnobPoints(view, chain);
      expect(sent.points.length).toBeLessThanOrEqual(KNOB_POINTS);
      expect(sent.thinned).toBe(n - sent.points.length);
      const ids = sent.points.map((p) => p[0]);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const sentIds = new Set(ids);
      for (const id of chain) if (view.points.some((p) => p[0] === id)) expect(sentIds.has(id)).toBe(true);
      for (const point of view.points) if (point[1] === 'kept') expect(sentIds.has(point[0])).toBe(true);
      const sign = direction === 'maximize' ? -1 : 1;
      const best = view.points.filter((p) => p[2] !== null).sort((a, b) => sign * (a[2]! - b[2]!)).slice(0, 100);
      for (const point of best) expect(sentIds.has(point[0])).toBe(true);
      for (let group = 0; group < 9; group++) if (view.points.some((p) => p[3] === group)) expect(sent.points.some((p) => p[3] === group)).toBe(true);
      for (const index of [0, 1]) {
        const values = view.points.map((p) => p[4][index] as number);
        const shown = sent.points.map((p) => p[4][index] as number);
        expect(Math.min(...shown)).toBe(Math.min(...values));
        expect(Math.max(...shown)).toBe(Math.max(...values));
      }
      // The rest is an even sample: each tenth of the ids keeps about a tenth of the points sent.
      const tenths = Array.from({ length: 10 }, (_, t) => ids.filter((id) => Math.floor((id * 10) / n) === t).length);
      for (const count of tenths) expect(count).toBeGreaterThan(sent.points.length / 20);
    }
  });
});
