/**
 * Declared `step` lattices and `constraints:` are never violated, by any sampler, while
 * the history grows with scored and failed trials (so the learned model is active too),
 * even from an incumbent that violates them.
 */
import { describe, expect, it } from 'vitest';
import { AutolabError } from '../../core/errors.ts';
import { knobConstraintHolds } from '../../core/knob-constraint.ts';
import type { KnobSpec } from '../../core/task.ts';
import { createCmaEsSampler } from './cmaes-sampler.ts';
import { compileSurfaceConstraints } from './declared-constraints.ts';
import { createGridSampler } from './grid-sampler.ts';
import type { KnobObservation, KnobSampler } from './knob-sampler.ts';
import type { KnobValues } from './knob-value.ts';
import { createRandomSampler } from './random-sampler.ts';
import { createKnobSampler } from './sampler-choice.ts';
import { mulberry32 } from './sampler-math.ts';
import { createTpeSampler } from './tpe-sampler.ts';

const SPACE: KnobSpec[] = [
  { name: 'd_model', file: 'c.json', key: 'd_model', type: 'int', low: 32, high: 512, step: 8 },
  { name: 'n_heads', file: 'c.json', key: 'n_heads', type: 'int', low: 1, high: 16 },
  { name: 'dropout', file: 'c.json', key: 'dropout', type: 'float', low: 0, high: 0.5, step: 0.05 },
  { name: 'lr', file: 'c.json', key: 'lr', type: 'float', low: 1e-4, high: 1, log: true },
  { name: 'act', file: 'c.json', key: 'act', type: 'categorical', choices: ['relu', 'gelu', 'tanh'] },
];
const CONSTRAINTS = compileSurfaceConstraints({ name: 'model', knobs: SPACE, constraints: ['d_model % n_heads == 0', "act != 'tanh' or lr <= 0.01", 'd_model * (1 - dropout) >= 64'] });

const SAMPLERS: Array<[string, () => KnobSampler]> = [
  ['random', () => createRandomSampler()],
  ['tpe', () => createTpeSampler()],
  ['cmaes', () => createCmaEsSampler()],
  ['grid', () => createGridSampler({ points: 4 })],
  ['auto', () => createKnobSampler({ sampler: 'auto' }, SPACE, 60)],
];

function loss(values: KnobValues): number {
  return (Math.log2(values.d_model as number) - 8.5) ** 2 + (Math.log10(values.lr as number) + 2) ** 2 + (values.act === 'gelu' ? 0 : 0.2);
}

/** Changed values off their step (an unchanged knob keeps the incumbent's value, as with bounds), and violated constraints (the whole value set). */
function problems(values: KnobValues, incumbent: KnobValues): string[] {
  const found: string[] = [];
  const dModel = values.d_model as number;
  if (dModel !== incumbent.d_model && (dModel - 32) % 8 !== 0) found.push(`d_model ${dModel} is off its step`);
  const dropout = values.dropout as number;
  if (dropout !== incumbent.dropout && Math.abs(dropout / 0.05 - Math.round(dropout / 0.05)) > 1e-9) found.push(`dropout ${dropout} is off its step`);
  for (const constraint of CONSTRAINTS) if (!knobConstraintHolds(constraint, values)) found.push(`violates ${constraint.source}: ${JSON.stringify(values)}`);
  return found;
}

describe.each(SAMPLERS)('%s sampler with declared constraints', (_name, make) => {
  it('never changes a knob off its step nor proposes a value set violating a constraint, from a violating incumbent too', () => {
    const sampler = make();
    const random = mulberry32(11);
    const history: KnobObservation[] = [];
    const found: string[] = [];
    let incumbent: KnobValues = { d_model: 100, n_heads: 3, dropout: 0.1, lr: 0.1, act: 'tanh' };
    for (let trial = 0; trial < 60; trial += 1) {
      const values = sampler.sample(SPACE, history, incumbent, random, { direction: 'minimize', constraints: CONSTRAINTS });
      found.push(...problems(values, incumbent));
      // Something the constraints do not say also fails: a learned model is active alongside.
      if ((values.lr as number) > 0.3) history.push({ trialId: trial, values, status: 'failed', score: null, label: 'crash', failure: 'crash FloatingPointError at train.py: raise FloatingPointError("diverged")' });
      else history.push({ trialId: trial, values, status: 'discarded', score: loss(values) });
      if (trial === 5) incumbent = values;
    }
    expect(found).toEqual([]);
  });
});

describe('compileSurfaceConstraints', () => {
  it('refuses a constraint over an unknown knob with a TaskFileError naming it', () => {
    let error: unknown;
    try {
      compileSurfaceConstraints({ name: 'model', knobs: SPACE, constraints: ['d_model % heads == 0'] });
    } catch (thrown) {
      error = thrown;
    }
    expect(AutolabError.is(error) && error.name).toBe('TaskFileError');
    expect((error as Error).message).toMatch(/surface 'model', constraint "d_model % heads == 0", column 11: unknown knob 'heads'/);
  });
});
