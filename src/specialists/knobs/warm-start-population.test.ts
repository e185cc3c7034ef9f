import { describe, expect, it } from 'vitest';
import type { KnobSpec } from '../../core/task.ts';
import { encodeSpace, encodeValues } from './knob-encoding.ts';
import { knobValuesKey } from './knob-value.ts';
import { mulberry32 } from './sampler-math.ts';
import { createPopulationArm, warmDistribution } from './warm-start-population.ts';

const SPACE: KnobSpec[] = [
  { name: 'a', file: 'p.json', key: 'a', type: 'float', low: 0, high: 1 },
  { name: 'b', file: 'p.json', key: 'b', type: 'float', low: 0, high: 1 },
  { name: 'c', file: 'p.json', key: 'c', type: 'float', low: 0, high: 1 },
];
const encoded = encodeSpace(SPACE);

/** A bowl with a ripple of local dips (period 1/3), as a recipe's response often has. */
const rippled = (centre: readonly number[]) => (u: readonly number[]) => u.reduce((sum, x, i) => sum + (x - centre[i]!) ** 2 + 0.02 * (1 - Math.cos(6 * Math.PI * (x - centre[i]!))), 0);

/** An earlier study of `f`: 40 random trials, best first. */
function earlier(f: (u: readonly number[]) => number, seed: number) {
  const random = mulberry32(seed);
  const points = Array.from({ length: 40 }, () => [random(), random(), random()]);
  return { points: points.map((point) => ({ point, loss: f(point) })).sort((x, y) => x.loss - y.loss) };
}

describe('warm-start population', () => {
  it("starts from the earlier study's promising region: the mean of its best 10%, their spread plus 0.1 per knob", () => {
    const source = { points: [[0.3, 0.3, 0.3], [0.32, 0.28, 0.3], [0.28, 0.32, 0.3], [0.3, 0.3, 0.34], ...Array.from({ length: 36 }, () => [0.9, 0.9, 0.9])].map((point) => ({ point })) };
    const start = warmDistribution(encoded, [{ source, weight: 1 }])!;
    expect(start.dims).toEqual([0, 1, 2]);
    start.mean.forEach((value, k) => expect(value).toBeCloseTo([0.3, 0.3, 0.31][k]!, 2));
    // Σ = α²I + the spread of the best 4: σ = det(Σ)^(1/6) ≈ 0.1, C = Σ / σ² has determinant 1.
    expect(start.sigma).toBeGreaterThan(0.1);
    expect(start.sigma).toBeLessThan(0.12);
    expect(start.covariance[0]![0]! * start.sigma ** 2).toBeCloseTo(0.01 + 0.0002, 4);
    expect(warmDistribution(encoded, [])).toBeNull();
  });

  it("recovers an optimum that moved beyond the earlier region, across the ripple's local dips", () => {
    let reached = 0;
    for (let seed = 0; seed < 6; seed += 1) {
      const source = earlier(rippled([0.3, 0.6, 0.5]), seed);
      const f = rippled([0.3, 0.6, 0.15]); // one knob moved by 0.35, about one period of the ripple
      const arm = createPopulationArm(warmDistribution(encoded, [{ source, weight: 1 }])!);
      const random = mulberry32(seed + 100);
      const measured: Array<{ point: number[]; loss: number; key: string }> = [];
      for (let trial = 0; trial < 60; trial += 1) {
        const keys = new Set(measured.map((entry) => entry.key));
        const best = measured.reduce((x, y) => (y.loss < x.loss ? y : x), measured[0] ?? { point: [0.5, 0.5, 0.5], loss: Infinity, key: '' });
        const values = arm.propose(SPACE, encoded, measured, keys, keys, best.point, random)!;
        const point = encodeValues(encoded, values)!;
        measured.push({ point, loss: f(point), key: knobValuesKey(SPACE, values) });
      }
      const best = measured.reduce((x, y) => (y.loss < x.loss ? y : x));
      // Crossed to the moved knob (the earlier optimum's dip there is 0.35 away) and close on all three.
      if (Math.abs(best.point[2]! - 0.15) < 0.08 && best.loss < 0.03) reached += 1;
      expect(arm.generation).toBeGreaterThanOrEqual(7);
    }
    // The earlier optimum's own loss here is 0.1225; the moved optimum's 0.
    expect(reached).toBeGreaterThanOrEqual(5);
  });

  it('proposes only untried settings and tells failed proposals as the worst of their generation', () => {
    const source = earlier(rippled([0.5, 0.5, 0.5]), 1);
    const arm = createPopulationArm(warmDistribution(encoded, [{ source, weight: 1 }])!);
    const random = mulberry32(4);
    const settled = new Set<string>();
    for (let trial = 0; trial < 7; trial += 1) {
      const values = arm.propose(SPACE, encoded, [], settled, settled, [0.5, 0.5, 0.5], random)!;
      const key = knobValuesKey(SPACE, values);
      expect(settled.has(key)).toBe(false);
      settled.add(key); // failed: settled but never measured
    }
    arm.propose(SPACE, encoded, [], settled, settled, [0.5, 0.5, 0.5], random);
    expect(arm.generation).toBe(1);
  });
});
