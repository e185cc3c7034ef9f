import { seededRandom } from '../../core/random.ts';
import { describe, expect, it } from 'vitest';
import type { KnobSpec } from '../../core/task.ts';
import type { KnobObservation } from './knob-sampler.ts';
import { fromUnit, toUnit, validateKnobSpace, type NumericKnob } from './knob-space.ts';
import { formatKnobNumber, knobValuesKey, roundKnobFloat } from './knob-value.ts';
import { createRandomSampler } from './random-sampler.ts';

const SPACE: KnobSpec[] = [
  { name: 'lr', file: 'c.json', key: 'lr', type: 'float', low: 1e-4, high: 1, log: true },
  { name: 'dropout', file: 'c.json', key: 'dropout', type: 'float', low: 0, high: 0.5 },
  { name: 'width', file: 'c.json', key: 'width', type: 'int', low: 16, high: 1024, log: true },
  { name: 'depth', file: 'c.json', key: 'depth', type: 'int', low: 1, high: 4 },
  { name: 'act', file: 'c.json', key: 'act', type: 'categorical', choices: ['relu', 'gelu', 'silu'] },
];
const INCUMBENT = { lr: 0.01, dropout: 0.1, width: 64, depth: 2, act: 'relu' };

describe('random sampler', () => {
  const sampler = createRandomSampler();

  it('stays within bounds, keeps ints integral and changes one to three knobs, over 10k samples', () => {
    const random = seededRandom(1);
    const changedCounts = new Set<number>();
    const problems: string[] = [];
    for (let index = 0; index < 10_000; index += 1) {
      const values = sampler.sample(SPACE, [], INCUMBENT, random);
      if (Object.keys(values).length !== SPACE.length) problems.push(`sample ${index} has ${Object.keys(values).length} values`);
      for (const knob of SPACE) {
        const value = values[knob.name];
        if (knob.type === 'categorical') {
          if (!knob.choices?.includes(value as string)) problems.push(`${knob.name}=${String(value)} is no choice`);
          continue;
        }
        if (typeof value !== 'number' || value < (knob.low as number) || value > (knob.high as number)) problems.push(`${knob.name}=${String(value)} out of bounds`);
        else if (knob.type === 'int' && !Number.isInteger(value)) problems.push(`${knob.name}=${value} is not an integer`);
        else if (knob.type === 'float' && roundKnobFloat(value) !== value) problems.push(`${knob.name}=${value} is not rounded`);
      }
      const changed = SPACE.filter((knob) => values[knob.name] !== INCUMBENT[knob.name as keyof typeof INCUMBENT]).length;
      if (changed < 1 || changed > 3) problems.push(`sample ${index} changed ${changed} knobs`);
      changedCounts.add(changed);
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect([...changedCounts].sort()).toEqual([1, 2, 3]);
  });

  it('draws log-uniformly over the whole range: the median over [1e-4, 1] is near 1e-2', () => {
    const lrOnly: KnobSpec[] = [{ name: 'lr', file: 'c.json', key: 'lr', type: 'float', low: 1e-4, high: 1, log: true }];
    const globalOnly = createRandomSampler({ globalProbability: 1 });
    const random = seededRandom(7);
    const draws: number[] = [];
    for (let index = 0; index < 4001; index += 1) draws.push(globalOnly.sample(lrOnly, [], { lr: 0.5 }, random).lr as number);
    draws.sort((a, b) => a - b);
    const median = draws[2000] as number;
    expect(median).toBeGreaterThan(10 ** -2.3);
    expect(median).toBeLessThan(10 ** -1.7);
    // A quarter of the mass per decade-pair: about 25% below 1e-3.
    const belowMilli = draws.filter((value) => value < 1e-3).length / draws.length;
    expect(belowMilli).toBeGreaterThan(0.2);
    expect(belowMilli).toBeLessThan(0.3);
  });

  it('nudges locally around the incumbent when not drawing globally', () => {
    const dropout: KnobSpec[] = [{ name: 'dropout', file: 'c.json', key: 'dropout', type: 'float', low: 0, high: 1 }];
    const localOnly = createRandomSampler({ globalProbability: 0 });
    const random = seededRandom(3);
    const steps: number[] = [];
    for (let index = 0; index < 2000; index += 1) steps.push(Math.abs((localOnly.sample(dropout, [], { dropout: 0.5 }, random).dropout as number) - 0.5));
    const meanStep = steps.reduce((sum, step) => sum + step, 0) / steps.length;
    // |N(0, 0.15)| has mean 0.15 * sqrt(2 / pi), about 0.12.
    expect(meanStep).toBeGreaterThan(0.1);
    expect(meanStep).toBeLessThan(0.14);
  });

  it('always changes a categorical knob and an int knob with a two-value range', () => {
    const space: KnobSpec[] = [
      { name: 'act', file: 'a.py', marker: 'act', type: 'categorical', choices: ['relu', 'gelu'] },
      { name: 'bits', file: 'a.py', marker: 'bits', type: 'int', low: 7, high: 8 },
    ];
    const random = seededRandom(11);
    for (let index = 0; index < 500; index += 1) {
      const values = sampler.sample(space, [], { act: 'relu', bits: 8 }, random);
      const changed = (values.act !== 'relu' ? 1 : 0) + (values.bits !== 8 ? 1 : 0);
      expect(changed).toBeGreaterThanOrEqual(1);
      if (values.act !== 'relu') expect(values.act).toBe('gelu');
      if (values.bits !== 8) expect(values.bits).toBe(7);
    }
  });

  it('changes a knob whose incumbent sits on a bound', () => {
    const one: KnobSpec[] = [{ name: 'dropout', file: 'c.json', key: 'dropout', type: 'float', low: 0, high: 0.5 }];
    const random = seededRandom(5);
    for (let index = 0; index < 500; index += 1) expect(sampler.sample(one, [], { dropout: 0.5 }, random).dropout).not.toBe(0.5);
  });

  it('avoids value sets already in the history', () => {
    const space: KnobSpec[] = [{ name: 'depth', file: 'c.json', key: 'depth', type: 'int', low: 1, high: 4 }];
    const history: KnobObservation[] = [1, 3].map((depth, index) => ({ trialId: index + 1, values: { depth }, status: 'discarded', score: 1 }));
    const random = seededRandom(9);
    for (let index = 0; index < 300; index += 1) expect(sampler.sample(space, history, { depth: 2 }, random).depth).toBe(4);
  });

  it('replays with the same seed', () => {
    const first = Array.from({ length: 20 }, ((random) => () => sampler.sample(SPACE, [], INCUMBENT, random))(seededRandom(42)));
    const second = Array.from({ length: 20 }, ((random) => () => sampler.sample(SPACE, [], INCUMBENT, random))(seededRandom(42)));
    expect(first.map((sample) => knobValuesKey(SPACE, sample))).toEqual(second.map((sample) => knobValuesKey(SPACE, sample)));
  });
});

describe('knob space', () => {
  it('maps values to the unit interval and back', () => {
    const lr = SPACE[0] as NumericKnob;
    expect(toUnit(lr, 0.01)).toBeCloseTo(0.5, 10);
    expect(fromUnit(lr, 0.5)).toBe(0.01);
    const depth = SPACE[3] as NumericKnob;
    const counts = new Map<number, number>();
    for (let index = 0; index < 4000; index += 1) {
      const value = fromUnit(depth, (index + 0.5) / 4000);
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    expect([...counts.entries()].sort()).toEqual([[1, 1000], [2, 1000], [3, 1000], [4, 1000]]);
    expect(fromUnit(depth, toUnit(depth, 3))).toBe(3);
  });

  it('rejects knobs that cannot be searched, naming the surface and knob', () => {
    const base = { file: 'c.json', key: 'x' };
    expect(() => validateKnobSpace([{ ...base, name: 'x', type: 'float', low: 1, high: 1 }], "surface 's'")).toThrow(/surface 's', knob 'x': low \(1\) must be below high/);
    expect(() => validateKnobSpace([{ ...base, name: 'x', type: 'float', high: 1 }], "surface 's'")).toThrow(/needs numeric low and high/);
    expect(() => validateKnobSpace([{ ...base, name: 'x', type: 'float', low: 0, high: 1, log: true }], "surface 's'")).toThrow(/log scale needs low > 0/);
    expect(() => validateKnobSpace([{ ...base, name: 'x', type: 'int', low: 0.5, high: 4 }], "surface 's'")).toThrow(/integer low and high/);
    expect(() => validateKnobSpace([{ ...base, name: 'x', type: 'categorical', choices: ['a', 'a'] }], "surface 's'")).toThrow(/two distinct choices/);
    expect(() => validateKnobSpace([{ name: 'x', file: 'a.py', type: 'int', low: 0, high: 4 }], "surface 's'")).toThrow(/exactly one of key or marker/);
    expect(() => validateKnobSpace([{ ...base, name: 'x', type: 'int', low: 0, high: 4 }, { ...base, name: 'x', type: 'int', low: 0, high: 4 }], "surface 's'")).toThrow(/used twice/);
    expect(() => validateKnobSpace(SPACE, "surface 's'")).not.toThrow();
  });
});

describe('formatKnobNumber', () => {
  it('writes literals valid in JS, Python, JSON and YAML', () => {
    expect(formatKnobNumber(0.0031, 'float')).toBe('0.0031');
    expect(formatKnobNumber(0.1 + 0.2, 'float')).toBe('0.3');
    expect(formatKnobNumber(3, 'float')).toBe('3.0');
    expect(formatKnobNumber(0, 'float')).toBe('0.0');
    expect(formatKnobNumber(1e-5, 'float')).toBe('1.0e-05');
    expect(formatKnobNumber(-3.456789e-7, 'float')).toBe('-3.45679e-07');
    expect(formatKnobNumber(2.5e20, 'float')).toBe('2.5e+20');
    expect(formatKnobNumber(96.6, 'int')).toBe('97');
    expect(formatKnobNumber(0.5, 'categorical')).toBe('0.5');
    for (const text of ['1.0e-05', '-3.45679e-07', '2.5e+20', '3.0']) expect(Number.isFinite(JSON.parse(text))).toBe(true);
  });
});
