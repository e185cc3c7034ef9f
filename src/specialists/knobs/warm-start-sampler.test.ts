import { describe, expect, it } from 'vitest';
import type { KnobSpec } from '../../core/task.ts';
import type { KnobPriorObservation } from '../../core/technique-card.ts';
import { encodeSpace } from './knob-encoding.ts';
import type { KnobObservation } from './knob-sampler.ts';
import { mulberry32 } from './sampler-math.ts';
import { createTpeSampler } from './tpe-sampler.ts';
import { createWarmStartSampler, priorSimilarity, priorStudies, spearman } from './warm-start-sampler.ts';
import { regionScale, regionSteps, sampleRegion } from './warm-start-region.ts';

const SPACE: KnobSpec[] = [
  { name: 'a', file: 'p.json', key: 'a', type: 'float', low: 0, high: 1 },
  { name: 'b', file: 'p.json', key: 'b', type: 'float', low: 0, high: 1 },
];
const SPACE_JSON = { a: { type: 'float', low: 0, high: 1 }, b: { type: 'float', low: 0, high: 1 } };

function bowl(a0: number, b0: number) {
  return (a: number, b: number) => (a - a0) ** 2 + (b - b0) ** 2;
}

function priorsOf(f: (a: number, b: number) => number, n = 40): KnobPriorObservation[] {
  const random = mulberry32(7);
  return Array.from({ length: n }, (_, trialId) => {
    const a = random();
    const b = random();
    return { study: 'earlier', trialId, fingerprint: 'fp', metric: 'loss', direction: 'minimize' as const, values: { a, b }, score: f(a, b), space: SPACE_JSON };
  });
}

function observe(values: Array<[number, number]>, f: (a: number, b: number) => number): KnobObservation[] {
  return values.map(([a, b], trialId) => ({ trialId, values: { a, b }, status: 'discarded' as const, score: f(a, b) }));
}

describe('warm-start sampler', () => {
  it("ranks an earlier study's trials, keeps only those that fit the knob space", () => {
    const priors = priorsOf(bowl(0.3, 0.3), 10);
    priors.push({ ...priors[0]!, trialId: 99, space: { a: { type: 'int' }, b: SPACE_JSON.b } });
    priors.push({ ...priors[0]!, trialId: 98, score: null });
    const [study] = priorStudies(SPACE, priors);
    expect(study!.points).toHaveLength(10);
    expect(study!.points[0]!.quantile).toBe(0);
    expect(study!.points.at(-1)!.quantile).toBe(1);
  });

  it('spearman is 1 for the same order, -1 for the reverse, 0 below three points', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    expect(spearman([1, 2], [1, 2])).toBe(0);
  });

  it('trusts a related earlier study and drops an unrelated one as this study measures', () => {
    const encoded = encodeSpace(SPACE);
    const [earlier] = priorStudies(SPACE, priorsOf(bowl(0.3, 0.3)));
    const points: Array<[number, number]> = [[0.1, 0.1], [0.9, 0.9], [0.35, 0.3], [0.6, 0.2], [0.2, 0.7], [0.8, 0.5], [0.5, 0.5], [0.1, 0.9], [0.95, 0.1], [0.4, 0.4]];
    const measured = (f: (a: number, b: number) => number) => points.map(([a, b]) => ({ point: [a, b], loss: f(a, b) }));
    expect(priorSimilarity(encoded, earlier!, [])).toBeCloseTo(0.5);
    expect(priorSimilarity(encoded, earlier!, measured(bowl(0.35, 0.3)))).toBeGreaterThan(0.6);
    expect(priorSimilarity(encoded, earlier!, measured(bowl(0.9, 0.9)))).toBeLessThan(0.2);
  });

  it("first tries the earlier study's best settings, then searches; with an unrelated study it leaves the inner sampler alone", () => {
    const f = bowl(0.3, 0.3);
    const priors = priorsOf(f);
    const bestPrior = [...priors].sort((x, y) => x.score! - y.score!)[0]!;
    const sampler = createWarmStartSampler(createTpeSampler(), priors, { enqueue: 1 });
    const random = mulberry32(1);
    const history = observe([[0.5, 0.5]], f);
    expect(sampler.sample(SPACE, history, { a: 0.5, b: 0.5 }, random)).toEqual(bestPrior.values);
    expect(sampler.name).toBe('tpe+warm');
    // Then TPE models from the second trial on (no random start-up): its proposals stay near the earlier optimum.
    const grown = observe([[0.5, 0.5], [bestPrior.values.a as number, bestPrior.values.b as number]], f);
    const distances = Array.from({ length: 10 }, () => {
      const next = sampler.sample(SPACE, grown, { a: 0.5, b: 0.5 }, random);
      return Math.hypot((next.a as number) - 0.3, (next.b as number) - 0.3);
    });
    expect(distances.sort((x, y) => x - y)[5]).toBeLessThan(0.3);
    // An unrelated study: once this study's measurements contradict it, it is dropped.
    const unrelated = createWarmStartSampler(createTpeSampler(), priorsOf(bowl(0.9, 0.9)));
    const g = bowl(0.1, 0.1);
    const contradicting = observe([[0.1, 0.1], [0.9, 0.9], [0.2, 0.1], [0.8, 0.8], [0.5, 0.5], [0.3, 0.2], [0.7, 0.9], [0.15, 0.3]], g);
    unrelated.sample(SPACE, contradicting, { a: 0.1, b: 0.1 }, random);
    expect(unrelated.similarities.get('earlier')).toBeLessThan(0.2);
  });
});

describe('warm-start trust region', () => {
  it('widens on improvement, narrows otherwise, and is spent after 13 trials in a row without one', () => {
    expect(regionScale([3, 2, 2.5, 2.4, 2.2])).toBeCloseTo(2 ** (0.6 - 0.75));
    expect(regionScale([3, 2, 1, 0.5, 0.25])).toBe(2);
    expect(regionScale([1, ...new Array<number>(12).fill(2)])).toBeCloseTo(1 / 8);
    expect(regionScale([1, ...new Array<number>(13).fill(2)])).toBeNull();
  });

  it("takes its steps from the spread of an earlier study's good trials, never below the regularisation", () => {
    const encoded = encodeSpace(SPACE);
    const [tight] = priorStudies(SPACE, priorsOf(bowl(0.3, 0.3), 40));
    const steps = regionSteps(encoded, [{ source: tight!, weight: 1 }]);
    for (const step of steps) {
      expect(step).toBeGreaterThanOrEqual(0.1);
      expect(step).toBeLessThanOrEqual(0.3);
    }
    const clustered = { points: Array.from({ length: 10 }, (_, index) => ({ point: [0.5, 0.5], quantile: index / 9 })) };
    expect(regionSteps(encoded, [{ source: clustered, weight: 1 }])).toEqual([0.1, 0.1]);
  });

  it('draws untried value sets in range around the centre, moving one knob across its range half the time', () => {
    const encoded = encodeSpace(SPACE);
    const random = mulberry32(3);
    const history = observe([[0.5, 0.5]], bowl(0.5, 0.5));
    const draws = Array.from({ length: 200 }, () => sampleRegion(SPACE, encoded, [0.5, 0.5], [0.05, 0.05], 1, history, { a: 0.5, b: 0.5 }, random)!);
    for (const values of draws) {
      expect(values.a as number).toBeGreaterThanOrEqual(0);
      expect(values.a as number).toBeLessThanOrEqual(1);
      expect(values).not.toEqual({ a: 0.5, b: 0.5 });
    }
    const oneKnobFar = draws.filter((values) => Math.abs((values.a as number) - 0.5) > 0.25 || Math.abs((values.b as number) - 0.5) > 0.25);
    expect(oneKnobFar.length).toBeGreaterThan(40);
    expect(oneKnobFar.every((values) => values.a === 0.5 || values.b === 0.5)).toBe(true);
  });

  it("steps towards a related study's moved optimum with the earlier shape once this study has trials around its best", () => {
    const priors = priorsOf(bowl(0.3, 0.3));
    const sampler = createWarmStartSampler(createTpeSampler(), priors);
    const target = bowl(0.5, 0.45);
    // the earlier best two (enqueued first) and a few trials across the space, measured on the moved bowl
    const enqueued = priorStudies(SPACE, priors)[0]!.points.slice(0, 2).map((entry): [number, number] => [Number(entry.values.a), Number(entry.values.b)]);
    const history = observe([[0.2, 0.2], ...enqueued, [0.9, 0.9], [0.1, 0.8], [0.8, 0.1], [0.62, 0.3], [0.3, 0.6], [0.7, 0.7]], target);
    const best = history.reduce((x, y) => (y.score! < x.score! ? y : x));
    const next = sampler.sample(SPACE, history, best.values, mulberry32(3), { direction: 'minimize' });
    const distance = (a: number, b: number) => Math.hypot(a - 0.5, b - 0.45);
    expect(distance(Number(next.a), Number(next.b))).toBeLessThan(distance(Number(best.values.a), Number(best.values.b)) / 2);
    expect(sampler.similarities.get('earlier')).toBeGreaterThan(0.35);
  });
});

describe('warm-start proposers under the bandit', () => {
  /** A study of `steps` proposals on `f`, the sampler proposing and `f` measuring. */
  function study(sampler: ReturnType<typeof createWarmStartSampler>, f: (a: number, b: number) => number, steps: number, seed: number): KnobObservation[] {
    const random = mulberry32(seed);
    const history = observe([[0.5, 0.5]], f);
    for (let trial = 1; trial <= steps; trial += 1) {
      const best = history.reduce((x, y) => (y.score! < x.score! ? y : x));
      const values = sampler.sample(SPACE, history, best.values, random, { direction: 'minimize' });
      history.push({ trialId: trial, values, status: 'discarded', score: f(Number(values.a), Number(values.b)) });
    }
    return history;
  }

  it('credits each measured proposal to the proposer that made it, and the study improves on the earlier optimum', () => {
    const sampler = createWarmStartSampler(createTpeSampler(), priorsOf(bowl(0.3, 0.3)), { proposers: 'bandit', banditArms: ['shape', 'region', 'population', 'inner'] });
    const f = bowl(0.45, 0.35);
    const history = study(sampler, f, 30, 5);
    const tally = sampler.proposerTally();
    const settled = Object.values(tally).reduce((sum, { paid, unpaid }) => sum + paid + unpaid, 0);
    // 30 proposals, 2 of them the earlier best settings (not credited); each proposer's window keeps its latest 6.
    expect(settled).toBeGreaterThan(10);
    expect(Object.values(tally).some(({ paid }) => paid > 0)).toBe(true);
    expect(Math.min(...history.map((entry) => entry.score!))).toBeLessThan(f(0.3, 0.3) / 4);
  });

  it("with the population among the proposers, its first draws lie in the earlier study's promising region", () => {
    const sampler = createWarmStartSampler(createTpeSampler(), priorsOf(bowl(0.3, 0.3)), { proposers: 'bandit', banditArms: ['population'], localShare: 0 });
    const history = study(sampler, bowl(0.3, 0.3), 8, 6);
    // After the baseline and the two earlier best settings (the region off, the shape's step needs d + 5 trials), the population proposes (σ ≈ 0.1 around the earlier best 10%).
    for (const entry of history.slice(3)) expect(Math.hypot(Number(entry.values.a) - 0.3, Number(entry.values.b) - 0.3)).toBeLessThan(0.45);
    expect(sampler.proposerTally().population!.paid + sampler.proposerTally().population!.unpaid).toBeGreaterThan(3);
  });
});
