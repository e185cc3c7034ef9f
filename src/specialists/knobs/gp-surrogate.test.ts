/**
 * The Gaussian-process surrogate of the multi-objective acquisition: it recovers what
 * the ridge recovers (a separable quadratic with a categorical effect), learns an
 * interaction the ridge cannot represent, and is unsure away from its data.
 */
import { describe, expect, it } from 'vitest';
import type { KnobSpec } from '../../core/task.ts';
import { fitGpSurrogate } from './gp-surrogate.ts';
import { encodeSpace } from './knob-encoding.ts';
import { fitRidgeSurrogate } from './ridge-surrogate.ts';
import { mulberry32 } from './sampler-math.ts';

const FLOATS: KnobSpec[] = Array.from({ length: 4 }, (_, i) => ({ name: `x${i}`, file: 'p.json', key: `x${i}`, type: 'float', low: 0, high: 1 }));
const MIXED: KnobSpec[] = [...FLOATS, { name: 'mode', file: 'p.json', key: 'mode', type: 'categorical', choices: ['slow', 'fast', 'broken'] }];

function rootMeanSquare(errors: readonly number[]): number {
  return Math.sqrt(errors.reduce((sum, error) => sum + error * error, 0) / errors.length);
}

describe('the Gaussian-process surrogate', () => {
  it('recovers a separable quadratic and a categorical effect', () => {
    const encoded = encodeSpace(MIXED);
    const random = mulberry32(7);
    const truth = (p: readonly number[]) => 2 * p[0]! - 3 * (p[1]! - 0.5) ** 2 + (p[4] === 2 ? 1 : 0);
    const points = Array.from({ length: 60 }, () => [random(), random(), random(), random(), Math.floor(random() * 3)]);
    const predict = fitGpSurrogate(encoded, points, points.map(truth));
    for (const probe of [[0.1, 0.5, 0.3, 0.3, 0], [0.9, 0.0, 0.7, 0.2, 2], [0.5, 1.0, 0.5, 0.5, 1]]) expect(predict(probe).mean).toBeCloseTo(truth(probe), 1);
  });

  it('learns an interaction that the separable ridge cannot represent', () => {
    const encoded = encodeSpace(FLOATS);
    const random = mulberry32(3);
    const truth = (p: readonly number[]) => Math.cos((Math.PI / 2) * p[0]!) * Math.cos((Math.PI / 2) * p[1]!) + 0.3 * p[2]!;
    const points = Array.from({ length: 80 }, () => FLOATS.map(() => random()));
    const probes = Array.from({ length: 40 }, () => FLOATS.map(() => random()));
    const gp = fitGpSurrogate(encoded, points, points.map(truth));
    const ridge = fitRidgeSurrogate(encoded, points, points.map(truth));
    const gpError = rootMeanSquare(probes.map((probe) => gp(probe).mean - truth(probe)));
    const ridgeError = rootMeanSquare(probes.map((probe) => ridge(probe).mean - truth(probe)));
    expect(gpError).toBeLessThan(ridgeError / 2);
    expect(gp.hyperparameters.s2).toBeGreaterThan(0);
  });

  it('is less sure far from its data than at it', () => {
    const encoded = encodeSpace(FLOATS);
    const random = mulberry32(5);
    const points = Array.from({ length: 30 }, () => FLOATS.map(() => 0.4 * random()));
    const predict = fitGpSurrogate(encoded, points, points.map((p) => Math.sin(5 * p[0]!) + p[1]!));
    expect(predict([0.95, 0.95, 0.95, 0.95]).sd).toBeGreaterThan(predict(points[0]!).sd);
  });
});
