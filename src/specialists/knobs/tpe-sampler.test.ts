import { describe, expect, it } from 'vitest';
import type { KnobSpec } from '../../core/task.ts';
import type { FailureLabel, TrialStatus } from '../../core/trial.ts';
import type { KnobObservation, KnobSampler } from './knob-sampler.ts';
import type { KnobValues } from './knob-value.ts';
import { createRandomSampler } from './random-sampler.ts';
import { median, mulberry32 } from './sampler-math.ts';
import { createTpeSampler, defaultGamma, optunaGamma } from './tpe-sampler.ts';

const QUADRATIC_SPACE: KnobSpec[] = ['a', 'b', 'c'].map((name) => ({ name, file: 'c.json', key: name, type: 'float', low: -5, high: 5 }));
const quadratic = (values: KnobValues) => ((values.a as number) - 1.3) ** 2 + ((values.b as number) + 2.1) ** 2 + ((values.c as number) - 0.4) ** 2;

/** Runs a sequential search of `trials` proposals; returns the best loss found. */
function search(sampler: KnobSampler, space: KnobSpec[], loss: (values: KnobValues) => number, trials: number, seed: number): number {
  const random = mulberry32(seed);
  const history: KnobObservation[] = [];
  let incumbent: KnobValues = { a: 0, b: 0, c: 0 };
  let best = loss(incumbent);
  history.push({ trialId: 0, values: incumbent, status: 'kept', score: best });
  for (let trial = 1; trial < trials; trial += 1) {
    const values = sampler.sample(space, history, incumbent, random, { direction: 'minimize' });
    const value = loss(values);
    history.push({ trialId: trial, values, status: value < best ? 'kept' : 'discarded', score: value });
    if (value < best) {
      best = value;
      incumbent = values;
    }
  }
  return best;
}

describe('TPE sampler', () => {
  it('beats random search on a quadratic within 40 trials (median over 9 seeds)', () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const tpe = seeds.map((seed) => search(createTpeSampler(), QUADRATIC_SPACE, quadratic, 40, seed));
    const random = seeds.map((seed) => search(createRandomSampler(), QUADRATIC_SPACE, quadratic, 40, seed));
    // Measured: TPE about 0.3, random about 1.6; the assertion leaves room for neither luck.
    expect(median(tpe)).toBeLessThan(0.6 * median(random));
  });

  it('reads the direction: maximising a score is minimising its negation', () => {
    const history: KnobObservation[] = Array.from({ length: 20 }, (_, index) => {
      const values = createRandomSampler().sample(QUADRATIC_SPACE, [], { a: 0, b: 0, c: 0 }, mulberry32(index + 10));
      return { trialId: index, values, status: 'discarded' as TrialStatus, score: quadratic(values) };
    });
    const negated = history.map((observation) => ({ ...observation, score: -(observation.score as number) }));
    const minimised = createTpeSampler().sample(QUADRATIC_SPACE, history, { a: 0, b: 0, c: 0 }, mulberry32(3), { direction: 'minimize' });
    const maximised = createTpeSampler().sample(QUADRATIC_SPACE, negated, { a: 0, b: 0, c: 0 }, mulberry32(3), { direction: 'maximize' });
    expect(maximised).toEqual(minimised);
    const wrongWay = createTpeSampler().sample(QUADRATIC_SPACE, negated, { a: 0, b: 0, c: 0 }, mulberry32(3), { direction: 'minimize' });
    expect(wrongWay).not.toEqual(minimised);
  });

  it('with the constant liar, spreads parallel proposals apart', () => {
    const space: KnobSpec[] = [
      { name: 'x', file: 'c.json', key: 'x', type: 'float', low: 0, high: 1 },
      { name: 'y', file: 'c.json', key: 'y', type: 'float', low: 0, high: 1 },
    ];
    const loss = (values: KnobValues) => ((values.x as number) - 0.7) ** 2 + ((values.y as number) - 0.2) ** 2;
    const spread = (constantLiar: boolean, seed: number): { distinct: number; meanDistance: number } => {
      const random = mulberry32(seed);
      const history: KnobObservation[] = [];
      for (let trial = 0; trial < 20; trial += 1) {
        const values = { x: random(), y: random() };
        history.push({ trialId: trial, values, status: 'discarded', score: loss(values) });
      }
      const sampler = createTpeSampler({ constantLiar });
      const proposals: KnobValues[] = [];
      // Four slots: each proposal is made while the previous ones are in flight.
      for (let slot = 0; slot < 4; slot += 1) {
        const values = sampler.sample(space, history, { x: 0.5, y: 0.5 }, random, { direction: 'minimize' });
        proposals.push(values);
        history.push({ trialId: 20 + slot, values, status: 'running', score: null });
      }
      let total = 0;
      let pairs = 0;
      for (let i = 0; i < 4; i += 1) {
        for (let j = i + 1; j < 4; j += 1) {
          total += Math.hypot((proposals[i]!.x as number) - (proposals[j]!.x as number), (proposals[i]!.y as number) - (proposals[j]!.y as number));
          pairs += 1;
        }
      }
      return { distinct: new Set(proposals.map((values) => JSON.stringify(values))).size, meanDistance: total / pairs };
    };
    const seeds = Array.from({ length: 12 }, (_, index) => index + 1);
    const lying = seeds.map((seed) => spread(true, seed));
    const honest = seeds.map((seed) => spread(false, seed));
    for (const result of lying) expect(result.distinct).toBe(4);
    expect(median(lying.map((result) => result.meanDistance))).toBeGreaterThan(1.3 * median(honest.map((result) => result.meanDistance)));
  });

  it('treats failed trials as bad regions: it learns to avoid a region that always crashes', () => {
    // The loss falls towards x = 1, but every trial with x > 0.6 crashes.
    const space: KnobSpec[] = [
      { name: 'x', file: 'c.json', key: 'x', type: 'float', low: 0, high: 1 },
      { name: 'y', file: 'c.json', key: 'y', type: 'float', low: 0, high: 1 },
    ];
    const run = (failureLabel: FailureLabel, seed: number): number => {
      const random = mulberry32(seed);
      const sampler = createTpeSampler();
      const history: KnobObservation[] = [];
      let crashesLate = 0;
      for (let trial = 0; trial < 50; trial += 1) {
        const values = sampler.sample(space, history, { x: 0.1, y: 0.5 }, random, { direction: 'minimize' });
        const x = values.x as number;
        if (x > 0.6) {
          if (trial >= 20) crashesLate += 1;
          history.push({ trialId: trial, values, status: 'failed', score: null, label: failureLabel });
        } else {
          history.push({ trialId: trial, values, status: 'discarded', score: (1 - x) ** 2 + ((values.y as number) - 0.5) ** 2 });
        }
      }
      return crashesLate;
    };
    const seeds = [1, 2, 3, 4, 5, 6];
    const asBad = seeds.reduce((sum, seed) => sum + run('crash', seed), 0);
    // The same trials labelled `interrupted` say nothing about the region, so TPE keeps going there.
    const asMissing = seeds.reduce((sum, seed) => sum + run('interrupted', seed), 0);
    // Measured: 3 of 180 late proposals crash (the feasibility model learns `x > 0.6` from
    // the failures, and the guard keeps proposals on the safe side of the boundary, where the
    // best settings are); 45 of 180 with failures only in TPE's bad group (before the
    // model); with the label ignored, all 180 do.
    expect(asBad).toBeLessThan(0.5 * asMissing);
    expect(asBad / (seeds.length * 30)).toBeLessThan(0.1);
  });

  it('uses uniform draws for the first startup trials and the model after', () => {
    const space: KnobSpec[] = [{ name: 'x', file: 'c.json', key: 'x', type: 'float', low: 0, high: 1 }];
    // Nine trials measured near x = 0.1 are the best: with startup 10 the draw is still uniform.
    const history: KnobObservation[] = Array.from({ length: 9 }, (_, index) => ({ trialId: index, values: { x: 0.05 + index * 0.1 }, status: 'discarded' as TrialStatus, score: index }));
    const draws = (sampler: KnobSampler, observations: KnobObservation[]) => {
      const random = mulberry32(8);
      return Array.from({ length: 200 }, () => sampler.sample(space, observations, { x: 0.5 }, random, { direction: 'minimize' }).x as number);
    };
    const early = draws(createTpeSampler(), history);
    expect(median(early)).toBeGreaterThan(0.35);
    const late = draws(createTpeSampler(), [...history, { trialId: 9, values: { x: 0.95 }, status: 'discarded', score: 9 }]);
    expect(median(late)).toBeLessThan(0.25);
  });

  it('counts the good group as documented', () => {
    expect([1, 10, 11, 60, 167, 500].map(defaultGamma)).toEqual([1, 2, 2, 9, 25, 25]);
    expect([1, 10, 11, 60, 500].map(optunaGamma)).toEqual([1, 1, 2, 6, 25]);
  });

  it('handles log, int and categorical knobs: it finds the best choice and the right decade', () => {
    const space: KnobSpec[] = [
      { name: 'lr', file: 'c.json', key: 'lr', type: 'float', low: 1e-6, high: 1, log: true },
      { name: 'layers', file: 'c.json', key: 'layers', type: 'int', low: 1, high: 12 },
      { name: 'act', file: 'c.json', key: 'act', type: 'categorical', choices: ['relu', 'gelu', 'tanh', 'silu', 'elu'] },
    ];
    const loss = (values: KnobValues) => (Math.log10(values.lr as number) + 4) ** 2 + ((values.layers as number) - 7) ** 2 / 4 + (values.act === 'tanh' ? 0 : 1);
    const found = [1, 2, 3, 4, 5].map((seed) => {
      const random = mulberry32(seed);
      const sampler = createTpeSampler();
      const history: KnobObservation[] = [];
      let best: { loss: number; values: KnobValues } = { loss: Infinity, values: {} };
      for (let trial = 0; trial < 50; trial += 1) {
        const values = sampler.sample(space, history, best.values, random, { direction: 'minimize' });
        const value = loss(values);
        history.push({ trialId: trial, values, status: 'discarded', score: value });
        if (value < best.loss) best = { loss: value, values };
      }
      return best.values;
    });
    const right = found.filter((values) => values.act === 'tanh' && Math.abs(Math.log10(values.lr as number) + 4) < 0.5 && Math.abs((values.layers as number) - 7) <= 1);
    expect(right.length).toBeGreaterThanOrEqual(4);
  });
});
