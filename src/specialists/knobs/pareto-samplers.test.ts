/**
 * Multi-objective knob search on small real problems: the Pareto order, MOTPE (TPE over
 * the ranked history) and NSGA-II beat random search on hypervolume over several seeds,
 * and keep the declared constraints and the feasibility learning of single-objective search.
 */
import { describe, expect, it } from 'vitest';
import { hypervolume } from '../../core/hypervolume.ts';
import type { KnobSpec } from '../../core/task.ts';
import { compileSurfaceConstraints } from './declared-constraints.ts';
import type { KnobObservation } from './knob-sampler.ts';
import { createMotpeSampler } from './motpe-sampler.ts';
import { createNsga2Sampler } from './nsga2-sampler.ts';
import { paretoOrder, rankByPareto, withParetoRanking } from './pareto-ranking.ts';
import { createRandomSampler } from './random-sampler.ts';
import { mulberry32 } from './sampler-math.ts';
import { createTpeSampler } from './tpe-sampler.ts';
import { medianOf, searchTwoObjectives, TWO_OBJECTIVES } from '../../testing/two-objective-search.ts';

const OBJECTIVES = TWO_OBJECTIVES;
const SPACE: KnobSpec[] = Array.from({ length: 6 }, (_, i) => ({ name: `x${i}`, file: 'p.json', key: `x${i}`, type: 'float', low: 0, high: 1 }));

/** ZDT1 on six variables. */
function zdt1(values: Record<string, unknown>): number[] {
  const x = SPACE.map((knob) => values[knob.name] as number);
  const g = 1 + (9 * x.slice(1).reduce((sum, value) => sum + value, 0)) / (x.length - 1);
  return [x[0]!, g * (1 - Math.sqrt(x[0]! / g))];
}



describe('the Pareto order', () => {
  it('ranks by front, then hypervolume contribution', () => {
    // rank 0: [1,5], [2,2], [5,1]; [2,2] contributes most; rank 1: [3,3]
    expect(paretoOrder([[1, 5], [2, 2], [3, 3], [5, 1]])).toEqual([1, 0, 3, 2]);
  });

  it('replaces scores by places and ignores trials lacking an objective', () => {
    const history: KnobObservation[] = [
      { trialId: 1, values: {}, status: 'kept', score: 3, metrics: { f1: 3, f2: 3 } },
      { trialId: 2, values: {}, status: 'kept', score: 1, metrics: { f1: 1, f2: 1 } },
      { trialId: 3, values: {}, status: 'discarded', score: 1, metrics: { f1: 1 } },
      { trialId: 4, values: {}, status: 'failed', score: null, label: 'crash' },
    ];
    expect(rankByPareto(history, OBJECTIVES, 'f1').map((observation) => observation.score)).toEqual([1, 0, null, null]);
  });
});

describe('multi-objective samplers on ZDT1 (6 variables, 60 trials, 5 seeds)', () => {
  const seeds = [1, 2, 3, 4, 5];
  const random = medianOf(seeds.map((seed) => searchTwoObjectives(createRandomSampler({ maxChanged: 6, globalProbability: 1 }), SPACE, zdt1, seed, 60)));

  it('MOTPE beats random search', () => {
    expect(medianOf(seeds.map((seed) => searchTwoObjectives(withParetoRanking(createTpeSampler()), SPACE, zdt1, seed, 60)))).toBeGreaterThan(random);
  });

  it('NSGA-II beats random search', () => {
    expect(medianOf(seeds.map((seed) => searchTwoObjectives(createNsga2Sampler(), SPACE, zdt1, seed, 60)))).toBeGreaterThan(random);
  });
});

describe('feasibility in multi-objective search', () => {
  it('never proposes what a declared constraint forbids', () => {
    const constraints = compileSurfaceConstraints({ name: 'p', knobs: SPACE, constraints: ['x0 + x1 <= 1'] });
    for (const sampler of [withParetoRanking(createTpeSampler()), createMotpeSampler(), createNsga2Sampler()]) {
      const random = mulberry32(3);
      const history: KnobObservation[] = [];
      for (let t = 1; t <= 30; t += 1) {
        const values = sampler.sample(SPACE, history, Object.fromEntries(SPACE.map((knob) => [knob.name, 0.2])), random, { direction: 'minimize', objectives: OBJECTIVES, primaryMetric: 'f1', constraints });
        expect((values.x0 as number) + (values.x1 as number)).toBeLessThanOrEqual(1);
        const f = zdt1(values);
        history.push({ trialId: t, values, status: 'kept', score: f[0]!, metrics: { f1: f[0]!, f2: f[1]! } });
      }
    }
  });

  it('learns where trials crash and avoids it', () => {
    for (const sampler of [withParetoRanking(createTpeSampler()), createMotpeSampler(), createNsga2Sampler()]) {
      const random = mulberry32(5);
      const history: KnobObservation[] = [];
      let crashesLate = 0;
      for (let t = 1; t <= 60; t += 1) {
        const values = sampler.sample(SPACE, history, Object.fromEntries(SPACE.map((knob) => [knob.name, 0.2])), random, { direction: 'minimize', objectives: OBJECTIVES, primaryMetric: 'f1' });
        if ((values.x2 as number) > 0.6) {
          if (t > 30) crashesLate += 1;
          history.push({ trialId: t, values, status: 'failed', score: null, label: 'crash', failure: 'RuntimeError: x2 too large' });
          continue;
        }
        const f = zdt1(values);
        history.push({ trialId: t, values, status: 'kept', score: f[0]!, metrics: { f1: f[0]!, f2: f[1]! } });
      }
      // uniform draws would crash 40% of the time (12 of the last 30)
      expect(crashesLate).toBeLessThan(6);
    }
  });
});
