/**
 * autolab's multi-objective TPE: the ridge surrogate, the predicted hypervolume
 * improvement, and the sampler on small real studies (ZDT1 and a mixed space with a
 * categorical knob), against MOTPE without the acquisition, over several seeds.
 */
import { describe, expect, it } from 'vitest';
import { hypervolume } from '../../core/hypervolume.ts';
import type { KnobSpec } from '../../core/task.ts';
import { hypervolumeImprovementScore } from './hypervolume-acquisition.ts';
import { encodeSpace, encodeValues } from './knob-encoding.ts';
import type { KnobObservation, KnobSampler } from './knob-sampler.ts';
import { createMotpeSampler } from './motpe-sampler.ts';
import { fitRidgeSurrogate, solveSymmetric } from './ridge-surrogate.ts';
import { mulberry32 } from './sampler-math.ts';
import { createTpeSampler } from './tpe-sampler.ts';
import { medianOf, searchTwoObjectives, TWO_OBJECTIVES } from '../../testing/two-objective-search.ts';

const OBJECTIVES = TWO_OBJECTIVES;
const FLOATS: KnobSpec[] = Array.from({ length: 6 }, (_, i) => ({ name: `x${i}`, file: 'p.json', key: `x${i}`, type: 'float', low: 0, high: 1 }));
const MIXED: KnobSpec[] = [...FLOATS.slice(0, 4), { name: 'mode', file: 'p.json', key: 'mode', type: 'categorical', choices: ['slow', 'fast', 'broken'] }];

function zdt1(x: readonly number[]): number[] {
  const g = 1 + (9 * x.slice(1).reduce((sum, value) => sum + value, 0)) / (x.length - 1);
  return [x[0]!, g * (1 - Math.sqrt(x[0]! / g))];
}

/** ZDT1 on four floats, and a mode: `fast` halves g's excess, `broken` doubles it. */
function mixed(values: Record<string, unknown>): number[] {
  const x = MIXED.slice(0, 4).map((knob) => values[knob.name] as number);
  const [f1, f2] = zdt1(x);
  const factor = values.mode === 'fast' ? 0.5 : values.mode === 'broken' ? 2 : 1;
  return [f1!, 1 + (f2! - 1) * factor];
}



describe('the ridge surrogate', () => {
  it('solves a symmetric positive definite system', () => {
    const x = solveSymmetric([[4, 1, 0], [1, 3, 1], [0, 1, 2]], [5, 5, 3]);
    expect(x.map((value) => Number(value.toFixed(9)))).toEqual([1, 1, 1]);
  });

  it('recovers a separable quadratic and a categorical effect', () => {
    const encoded = encodeSpace(MIXED);
    const random = mulberry32(7);
    const truth = (p: readonly number[]) => 2 * p[0]! - 3 * (p[1]! - 0.5) ** 2 + (p[4] === 2 ? 1 : 0);
    const points = Array.from({ length: 60 }, () => [random(), random(), random(), random(), Math.floor(random() * 3)]);
    const predict = fitRidgeSurrogate(encoded, points, points.map(truth), 1e-4);
    for (const probe of [[0.1, 0.5, 0.3, 0.3, 0], [0.9, 0.0, 0.7, 0.2, 2], [0.5, 1.0, 0.5, 0.5, 1]]) expect(predict(probe).mean).toBeCloseTo(truth(probe), 1);
  });
});

describe('the predicted hypervolume improvement', () => {
  const encoded = encodeSpace(FLOATS);
  const random = mulberry32(11);
  const history: KnobObservation[] = Array.from({ length: 30 }, (_, t) => {
    const values = Object.fromEntries(FLOATS.map((knob) => [knob.name, 0.2 + 0.8 * random()]));
    const f = zdt1(FLOATS.map((knob) => values[knob.name] as number));
    return { trialId: t + 1, values, status: 'kept', score: f[0]!, metrics: { f1: f[0]!, f2: f[1]! } };
  });

  it('scores a point beyond the front above one behind it', () => {
    const score = hypervolumeImprovementScore(encoded, history, OBJECTIVES, 'f1')!;
    const ahead = encodeValues(encoded, { x0: 0.3, x1: 0.05, x2: 0.05, x3: 0.05, x4: 0.05, x5: 0.05 })!;
    const behind = encodeValues(encoded, { x0: 0.9, x1: 0.95, x2: 0.95, x3: 0.95, x4: 0.95, x5: 0.95 })!;
    expect(score(ahead)).toBeGreaterThan(0);
    expect(score(behind)).toBeLessThan(0);
  });

  it('needs a few scored trials first', () => {
    expect(hypervolumeImprovementScore(encoded, history.slice(0, 5), OBJECTIVES, 'f1')).toBeNull();
  });
});

describe('MOTPE with the acquisition on small real studies (60 trials, 5 seeds)', () => {
  const seeds = [1, 2, 3, 4, 5];
  const zdt = (values: Record<string, unknown>) => zdt1(FLOATS.map((knob) => values[knob.name] as number));

  it('beats MOTPE without it on ZDT1 (six floats)', () => {
    const plain = medianOf(seeds.map((seed) => searchTwoObjectives(createMotpeSampler({ hypervolumeAcquisition: false }), FLOATS, zdt, seed, 60)));
    expect(medianOf(seeds.map((seed) => searchTwoObjectives(createMotpeSampler(), FLOATS, zdt, seed, 60)))).toBeGreaterThan(plain);
  });

  it('beats MOTPE without it on a mixed space with a categorical knob', () => {
    const plain = medianOf(seeds.map((seed) => searchTwoObjectives(createMotpeSampler({ hypervolumeAcquisition: false }), MIXED, mixed, seed, 60)));
    expect(medianOf(seeds.map((seed) => searchTwoObjectives(createMotpeSampler(), MIXED, mixed, seed, 60)))).toBeGreaterThan(plain);
  });

  it('is plain TPE in a single-objective study', () => {
    const run = (sampler: KnobSampler) => {
      const history: KnobObservation[] = [];
      const random = mulberry32(2);
      for (let t = 1; t <= 20; t += 1) {
        const values = sampler.sample(FLOATS, history, {}, random, { direction: 'minimize' });
        history.push({ trialId: t, values, status: 'kept', score: zdt(values)[1]! });
      }
      return history.map((observation) => observation.values);
    };
    expect(run(createMotpeSampler())).toEqual(run(createTpeSampler()));
  });
});
