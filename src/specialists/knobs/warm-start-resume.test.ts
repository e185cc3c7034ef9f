import { describe, expect, it } from 'vitest';
import type { KnobSpec } from '../../core/task.ts';
import type { KnobPriorObservation } from '../../core/technique-card.ts';
import type { KnobObservation } from './knob-sampler.ts';
import type { KnobValues } from './knob-value.ts';
import { mulberry32 } from './sampler-math.ts';
import { createTpeSampler } from './tpe-sampler.ts';
import { createWarmStartSampler, type WarmSource, type WarmStartOptions } from './warm-start-sampler.ts';

/** Three numeric knobs (the shape step needs d + 5 trials) and one categorical. */
const SPACE: KnobSpec[] = [
  { name: 'lr', file: 'p.json', key: 'lr', type: 'float', low: 1e-4, high: 1, log: true },
  { name: 'width', file: 'p.json', key: 'width', type: 'int', low: 16, high: 512, log: true },
  { name: 'dropout', file: 'p.json', key: 'dropout', type: 'float', low: 0, high: 0.5 },
  { name: 'act', file: 'p.json', key: 'act', type: 'categorical', choices: ['relu', 'gelu'] },
];
const BASELINE: KnobValues = { lr: 0.01, width: 90, dropout: 0.25, act: 'relu' };
const SPACE_JSON = {
  lr: { type: 'float', low: 1e-4, high: 1, log: true },
  width: { type: 'int', low: 16, high: 512, log: true },
  dropout: { type: 'float', low: 0, high: 0.5 },
  act: { type: 'categorical', choices: ['relu', 'gelu'] },
};

/** A bowl in unit coordinates centred at `centre` with a ripple (local minima), gelu a very little better. */
function bowl(centre: readonly [number, number, number]) {
  return (values: KnobValues): number => {
    const unit = [Math.log(Number(values.lr) / 1e-4) / Math.log(1e4), Math.log(Number(values.width) / 16) / Math.log(32), Number(values.dropout) / 0.5];
    return unit.reduce((sum, value, index) => sum + (value - centre[index]!) ** 2 + 0.02 * (1 - Math.cos(6 * Math.PI * (value - centre[index]!))), 0) + (values.act === 'gelu' ? 0 : 0.002);
  };
}

/** The earlier study: TPE's 40 trials on `f` (its trials gather around its optimum, as a real study's do). */
function priorsOf(f: (values: KnobValues) => number): KnobPriorObservation[] {
  const sampler = createTpeSampler();
  const history: KnobObservation[] = [{ trialId: 0, values: BASELINE, status: 'kept', score: f(BASELINE) }];
  const random = mulberry32(5);
  for (let trial = 1; trial < 40; trial += 1) {
    const values = sampler.sample(SPACE, history, incumbentOf(history), random, { direction: 'minimize' });
    history.push({ trialId: trial, values, status: 'discarded', score: f(values) });
  }
  return history.map((entry) => ({ study: 'earlier', trialId: entry.trialId, fingerprint: 'fp', metric: 'loss', direction: 'minimize' as const, values: entry.values, score: entry.score, space: SPACE_JSON }));
}

/**
 * A study of `steps` proposals: each proposal's random stream is seeded by its trial number
 * (so a resumed sampler can be given the same stream), every seventh trial fails (a crash:
 * a bad region), the rest are measured on `f`.
 */
function runStudy(options: WarmStartOptions, f: (values: KnobValues) => number, steps: number): { history: KnobObservation[]; proposals: KnobValues[]; sources: Array<WarmSource | null> } {
  const sampler = createWarmStartSampler(createTpeSampler(), EARLIER, options);
  const sources: Array<WarmSource | null> = [];
  const history: KnobObservation[] = [{ trialId: 0, values: BASELINE, status: 'kept', score: f(BASELINE) }];
  const proposals: KnobValues[] = [];
  for (let trial = 1; trial <= steps; trial += 1) {
    const values = sampler.sample(SPACE, history, incumbentOf(history), mulberry32(1000 + trial), { direction: 'minimize' });
    proposals.push(values);
    sources.push(sampler.lastProposer);
    // The knobs specialist records the proposer in the trial's notes; the history reader gives it back.
    const proposer = sampler.lastProposer ?? undefined;
    history.push(trial % 7 === 0 ? { trialId: trial, values, status: 'failed', score: null, label: 'crash', proposer } : { trialId: trial, values, status: 'discarded', score: f(values), proposer });
  }
  return { history, proposals, sources };
}

function incumbentOf(history: readonly KnobObservation[]): KnobValues {
  return history.filter((entry) => entry.score !== null).reduce((a, b) => (b.score! < a.score! ? b : a)).values;
}

const EARLIER = priorsOf(bowl([0.3, 0.6, 0.5]));

describe('warm-start sampler, resumed', () => {
  // A related study (the optimum moved on every knob and far on one) and an unrelated one.
  const targets = { related: bowl([0.35, 0.55, 0.45]), unrelated: bowl([0.9, 0.1, 0.9]) };
  const cases: Array<[string, (values: KnobValues) => number, WarmStartOptions]> = [
    ['related', targets.related, {}],
    ['unrelated', targets.unrelated, {}],
    // The bandit's record (which proposer paid) is rebuilt from the proposers the trials' notes name.
    ['related, the bandit choosing the proposers,', targets.related, { proposers: 'bandit' }],
  ];
  for (const [name, f, options] of cases) {
    it(`a fresh sampler given a ${name} study's trials proposes what the running sampler proposed next, at every trial`, () => {
      const { history, proposals } = runStudy(options, f, 40);
      for (let trial = 1; trial <= 40; trial += 1) {
        // A resumed study: a new sampler (nothing cached, the shape step's radius and the bandit's record unknown) sees the trials so far.
        const resumed = createWarmStartSampler(createTpeSampler(), EARLIER, options);
        const prefix = history.slice(0, trial);
        expect(resumed.sample(SPACE, prefix, incumbentOf(prefix), mulberry32(1000 + trial), { direction: 'minimize' }), `trial ${trial}`).toEqual(proposals[trial - 1]);
      }
    });
  }

  it("the studies above went through the fixed order's proposers, so the resume covers them", () => {
    const used = (f: (values: KnobValues) => number) => new Set(runStudy({}, f, 40).sources);
    // The related study: the earlier best settings, the shape's steps (more than one: the radius carries over), the trust region and the inner sampler with the earlier trials.
    expect(runStudy({}, targets.related, 40).sources.filter((source) => source === 'shape').length).toBeGreaterThan(2);
    for (const source of ['enqueued', 'region', 'inner'] as const) expect(used(targets.related).has(source), source).toBe(true);
    // The unrelated one: the earlier study dropped once this study's trials contradict it, the inner sampler alone.
    expect(used(targets.unrelated).has('dropped')).toBe(true);
  });
});
