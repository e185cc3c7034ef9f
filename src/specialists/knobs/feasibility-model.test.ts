/**
 * The feasibility model on histories of uniform random trials, one hidden constraint
 * each: it must name the rule and predict the feasibility of fresh value sets.
 */
import { describe, expect, it } from 'vitest';
import type { KnobSpec } from '../../core/task.ts';
import type { FailureLabel } from '../../core/trial.ts';
import { fitFeasibilityModel } from './feasibility-model.ts';
import type { KnobObservation } from './knob-sampler.ts';
import type { KnobValues } from './knob-value.ts';
import { createRandomSampler } from './random-sampler.ts';
import { mulberry32 } from './sampler-math.ts';

const int = (name: string, low: number, high: number, log = false): KnobSpec => ({ name, file: 'c.json', key: name, type: 'int', low, high, log });
const float = (name: string, low: number, high: number, log = false): KnobSpec => ({ name, file: 'c.json', key: name, type: 'float', low, high, log });
const categorical = (name: string, choices: string[]): KnobSpec => ({ name, file: 'c.json', key: name, type: 'categorical', choices });

interface Case {
  kind: string;
  space: KnobSpec[];
  fails: (values: KnobValues) => boolean;
  rule: RegExp;
}

const CASES: Case[] = [
  { kind: 'int lattice', space: [int('d_model', 64, 512), int('n_heads', 1, 16), float('lr', 1e-4, 0.1, true)], fails: (v) => (v.d_model as number) % (v.n_heads as number) !== 0, rule: /^d_model % n_heads != 0$/ },
  { kind: 'product ceiling', space: [int('batch', 8, 512, true), int('width', 32, 2048, true), float('lr', 1e-4, 0.1, true)], fails: (v) => (v.batch as number) * (v.width as number) > 65536, rule: /^batch \* width > / },
  { kind: 'categorical pair', space: [categorical('optimizer', ['sgd', 'adam', 'lion']), categorical('schedule', ['constant', 'cosine', 'onecycle']), float('lr', 1e-4, 0.1, true)], fails: (v) => v.optimizer === 'lion' && v.schedule === 'onecycle', rule: /^\(optimizer, schedule\) in \{\("lion", "onecycle"\)\}$/ },
  { kind: 'learning-rate edge', space: [float('lr', 1e-5, 1, true), float('dropout', 0, 0.5), int('depth', 1, 8)], fails: (v) => (v.lr as number) > 0.03, rule: /^lr > 0\.0[23]/ },
];

function history(space: KnobSpec[], fails: (values: KnobValues) => boolean, count: number, seed: number, label: FailureLabel = 'crash'): KnobObservation[] {
  const random = mulberry32(seed);
  const sampler = createRandomSampler({ globalProbability: 1, maxChanged: space.length });
  return Array.from({ length: count }, (_, trialId) => {
    const values = sampler.sample(space, [], {}, random);
    const failed = fails(values);
    return failed
      ? { trialId, values, status: 'failed', score: null, label, failure: `${label} AssertionError at model.py: assert ...` }
      : { trialId, values, status: 'discarded', score: 1 };
  });
}

describe('fitFeasibilityModel', () => {
  it.each(CASES)('learns a $kind from 60 random trials', ({ space, fails, rule }) => {
    const model = fitFeasibilityModel(space, history(space, fails, 60, 7));
    expect(model.active).toBe(true);
    expect(model.causes[0]?.rule).toMatch(rule);
    expect(model.causes[0]?.probability).toBeGreaterThan(0.5);
    const random = mulberry32(99);
    const sampler = createRandomSampler({ globalProbability: 1, maxChanged: space.length });
    let right = 0;
    for (let index = 0; index < 300; index += 1) {
      const values = sampler.sample(space, [], {}, random);
      if ((model.feasibility(values) > 0.5) === !fails(values)) right += 1;
    }
    expect(right / 300).toBeGreaterThan(0.9);
  });

  it('is inactive without informative failures', () => {
    const space = CASES[0]!.space;
    expect(fitFeasibilityModel(space, history(space, () => false, 30, 1)).active).toBe(false);
    const uninformative = history(space, CASES[0]!.fails, 30, 1, 'infra_error');
    const model = fitFeasibilityModel(space, uninformative);
    expect(model.active).toBe(false);
    expect(model.feasibility({ d_model: 100, n_heads: 3, lr: 0.01 })).toBe(1);
  });

  it('learns one rule per failure signature', () => {
    const space = [int('d_model', 64, 512), int('n_heads', 1, 16), float('lr', 1e-5, 1, true)];
    const random = mulberry32(5);
    const sampler = createRandomSampler({ globalProbability: 1, maxChanged: space.length });
    const observations: KnobObservation[] = Array.from({ length: 80 }, (_, trialId) => {
      const values = sampler.sample(space, [], {}, random);
      if ((values.d_model as number) % (values.n_heads as number) !== 0) return { trialId, values, status: 'failed', score: null, label: 'crash', failure: 'crash AssertionError at model.py: assert d_model % n_heads == <n>' };
      if ((values.lr as number) > 0.05) return { trialId, values, status: 'failed', score: null, label: 'crash', failure: 'crash FloatingPointError: loss is nan at train.py:40' };
      return { trialId, values, status: 'discarded', score: 1 };
    });
    const model = fitFeasibilityModel(space, observations);
    const rules = Object.fromEntries(model.causes.map((cause) => [cause.cause, cause.rule]));
    expect(rules['crash AssertionError at model.py: assert d_model % n_heads == <n>']).toBe('d_model % n_heads != 0');
    expect(rules['crash FloatingPointError: loss is nan at train.py:40']).toMatch(/^lr > 0\.0[45]/);
    expect(model.feasibility({ d_model: 384, n_heads: 6, lr: 0.001 })).toBeGreaterThan(0.8);
    expect(model.feasibility({ d_model: 384, n_heads: 5, lr: 0.001 })).toBeLessThan(0.1);
    expect(model.feasibility({ d_model: 384, n_heads: 6, lr: 0.5 })).toBeLessThan(0.2);
  });

  it("models a missed gate's metric from the trials that recorded it, passes and misses alike", () => {
    const space = [int('depth', 1, 16), int('width', 64, 1024), float('lr', 1e-4, 0.1, true)];
    const bytes = (values: KnobValues): number => 2 * (values.depth as number) * 12 * (values.width as number) ** 2 + 4096;
    const random = mulberry32(3);
    const sampler = createRandomSampler({ globalProbability: 1, maxChanged: space.length });
    const observations: KnobObservation[] = Array.from({ length: 12 }, (_, trialId) => {
      const values = sampler.sample(space, [], {}, random);
      const metrics = { val_loss: 2, artifact_bytes: bytes(values) };
      return bytes(values) > 16e6
        ? { trialId, values, status: 'failed', score: null, label: 'gate_miss', failure: 'gate_miss artifact_bytes <= 16000000', metrics }
        : { trialId, values, status: 'discarded', score: 2, metrics };
    });
    const model = fitFeasibilityModel(space, observations);
    expect(model.causes[0]?.rule).toBe('predicted artifact_bytes > 16000000 (a regression of log artifact_bytes on the knobs)');
    // Near the boundary, on both sides: 8 * 12 * 400^2 * 2 = 30.7 MB misses, 4 * 12 * 400^2 * 2 = 15.4 MB passes.
    expect(model.feasibility({ depth: 8, width: 400, lr: 0.01 })).toBeLessThan(0.05);
    expect(model.feasibility({ depth: 4, width: 400, lr: 0.01 })).toBeGreaterThan(0.6);
  });

  it('takes the rule a failing assertion states from very few trials', () => {
    const space = CASES[0]!.space;
    const observations: KnobObservation[] = [
      { trialId: 0, values: { d_model: 128, n_heads: 4, lr: 0.01 }, status: 'kept', score: 2 },
      { trialId: 1, values: { d_model: 300, n_heads: 7, lr: 0.01 }, status: 'failed', score: null, label: 'crash', failure: 'crash AssertionError at model.py: assert d_model % n_heads == <n>', failureText: 'assert d_model % n_heads == 0' },
      { trialId: 2, values: { d_model: 200, n_heads: 5, lr: 0.003 }, status: 'discarded', score: 2.1 },
    ];
    const model = fitFeasibilityModel(space, observations);
    expect(model.causes[0]?.rule).toBe('not (d_model % n_heads == 0)');
    const violating = model.feasibility({ d_model: 500, n_heads: 3, lr: 0.01 });
    const satisfying = model.feasibility({ d_model: 501, n_heads: 3, lr: 0.01 });
    expect(violating).toBeLessThan(0.35);
    expect(satisfying).toBeGreaterThan(1.5 * violating);
  });
});
