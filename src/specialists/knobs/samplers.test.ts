/**
 * The KnobSampler contract, run against every sampler: values in bounds and of the right
 * type, at least one knob changed, tried value sets avoided, replay from a seed, and the
 * history read the same way (failed, in-flight and uninformative trials).
 */
import { describe, expect, it } from 'vitest';
import type { KnobSpec } from '../../core/task.ts';
import type { FailureLabel, TrialStatus } from '../../core/trial.ts';
import { createCmaEsSampler } from './cmaes-sampler.ts';
import { createGridSampler } from './grid-sampler.ts';
import type { KnobObservation, KnobSampler } from './knob-sampler.ts';
import { knobValuesKey, roundKnobFloat, type KnobValues } from './knob-value.ts';
import { createRandomSampler } from './random-sampler.ts';
import { mulberry32 } from './sampler-math.ts';
import { createTpeSampler } from './tpe-sampler.ts';
import { createNsga2Sampler } from './nsga2-sampler.ts';

const SPACE: KnobSpec[] = [
  { name: 'lr', file: 'c.json', key: 'lr', type: 'float', low: 1e-4, high: 1, log: true },
  { name: 'dropout', file: 'c.json', key: 'dropout', type: 'float', low: 0, high: 0.5 },
  { name: 'width', file: 'c.json', key: 'width', type: 'int', low: 16, high: 1024, log: true },
  { name: 'depth', file: 'c.json', key: 'depth', type: 'int', low: 1, high: 4 },
  { name: 'act', file: 'c.json', key: 'act', type: 'categorical', choices: ['relu', 'gelu', 'silu'] },
  { name: 'bias', file: 'c.json', key: 'bias', type: 'categorical', choices: [true, false] },
];
const INCUMBENT: KnobValues = { lr: 0.01, dropout: 0.1, width: 64, depth: 2, act: 'relu', bias: true };

export const SAMPLERS: Array<[string, () => KnobSampler]> = [
  ['random', () => createRandomSampler()],
  ['tpe', () => createTpeSampler()],
  ['cmaes', () => createCmaEsSampler()],
  ['grid', () => createGridSampler({ points: 4 })],
  ['nsga2', () => createNsga2Sampler()],
];

/** Problems with a value set: out of bounds, wrong type, unrounded floats, unknown choices. */
export function problemsOf(space: readonly KnobSpec[], values: KnobValues): string[] {
  const problems: string[] = [];
  if (Object.keys(values).length !== space.length) problems.push(`${Object.keys(values).length} values for ${space.length} knobs`);
  for (const knob of space) {
    const value = values[knob.name];
    if (knob.type === 'categorical') {
      if (!knob.choices?.includes(value as string)) problems.push(`${knob.name}=${String(value)} is no choice`);
    } else if (typeof value !== 'number' || value < (knob.low as number) || value > (knob.high as number)) problems.push(`${knob.name}=${String(value)} out of bounds`);
    else if (knob.type === 'int' && !Number.isInteger(value)) problems.push(`${knob.name}=${value} is not an integer`);
    else if (knob.type === 'float' && roundKnobFloat(value) !== value) problems.push(`${knob.name}=${value} is not rounded`);
  }
  return problems;
}

function observation(trialId: number, values: KnobValues, status: TrialStatus, score: number | null, label: FailureLabel | null = null): KnobObservation {
  return { trialId, values, status, score, label };
}

/** A toy objective over SPACE, lower is better. */
function toyLoss(values: KnobValues): number {
  return (Math.log10(values.lr as number) + 2.5) ** 2 + ((values.dropout as number) - 0.2) ** 2 + (Math.log2(values.width as number) - 7) ** 2 / 10 + (values.act === 'gelu' ? 0 : 0.3);
}

describe.each(SAMPLERS)('%s sampler contract', (_name, make) => {
  it('stays within bounds and types, and changes a knob, while learning from a growing history', () => {
    const sampler = make();
    const random = mulberry32(1);
    const history: KnobObservation[] = [];
    const problems: string[] = [];
    let incumbent = INCUMBENT;
    let best = Infinity;
    for (let trial = 1; trial <= 60; trial += 1) {
      const values = sampler.sample(SPACE, history, incumbent, random, { direction: 'minimize' });
      problems.push(...problemsOf(SPACE, values).map((problem) => `trial ${trial}: ${problem}`));
      if (knobValuesKey(SPACE, values) === knobValuesKey(SPACE, incumbent)) problems.push(`trial ${trial}: nothing changed`);
      // Every fifth trial crashes, every seventh is still running: the history is mixed.
      const loss = toyLoss(values);
      if (trial % 5 === 0) history.push(observation(trial, values, 'failed', null, 'crash'));
      else if (trial % 7 === 0) history.push(observation(trial, values, 'running', null));
      else {
        history.push(observation(trial, values, loss < best ? 'kept' : 'discarded', loss));
        if (loss < best) {
          best = loss;
          incumbent = values;
        }
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('avoids value sets in the history and in context.pending', () => {
    const space: KnobSpec[] = [
      { name: 'depth', file: 'c.json', key: 'depth', type: 'int', low: 1, high: 3 },
      { name: 'act', file: 'c.json', key: 'act', type: 'categorical', choices: ['relu', 'gelu'] },
    ];
    const all = [1, 2, 3].flatMap((depth) => ['relu', 'gelu'].map((act) => ({ depth, act })));
    const history = all.slice(0, 3).map((values, index) => observation(index + 1, values, 'discarded', index));
    const pending = [all[3]!, all[4]!];
    const random = mulberry32(5);
    for (let index = 0; index < 40; index += 1) {
      expect(make().sample(space, history, all[0]!, random, { direction: 'minimize', pending })).toEqual(all[5]);
    }
  });

  it('replays from the same seed and the same history', () => {
    const history = Array.from({ length: 15 }, (_, index) => {
      const values = createRandomSampler().sample(SPACE, [], INCUMBENT, mulberry32(100 + index));
      return observation(index + 1, values, 'discarded', toyLoss(values));
    });
    const run = () => {
      const random = mulberry32(42);
      const sampler = make();
      return Array.from({ length: 5 }, () => knobValuesKey(SPACE, sampler.sample(SPACE, history, INCUMBENT, random, { direction: 'minimize' })));
    };
    expect(run()).toEqual(run());
  });
});
