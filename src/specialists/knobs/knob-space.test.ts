import { describe, expect, it } from 'vitest';
import { AutolabError } from '../../core/errors.ts';
import type { KnobSpec } from '../../core/task.ts';
import { gridAxes } from './grid-sampler.ts';
import { fromUnit, knobLattice, snapToLattice, toUnit, validateKnobSpace, type NumericKnob } from './knob-space.ts';
import { resolveAutoSampler } from './sampler-choice.ts';

const stepped: NumericKnob = { name: 'd_model', file: 'c.json', key: 'd', type: 'int', low: 32, high: 510, step: 8 };
const dropout: NumericKnob = { name: 'dropout', file: 'c.json', key: 'p', type: 'float', low: 0, high: 0.5, step: 0.05 };

describe('step lattices', () => {
  it('maps the unit interval onto low + k * step, every value an equal share, within the bounds', () => {
    expect(knobLattice(stepped)).toEqual({ step: 8, count: 60 });
    const counts = new Map<number, number>();
    for (let index = 0; index < 60_000; index += 1) {
      const value = fromUnit(stepped, (index + 0.5) / 60_000);
      expect((value - 32) % 8).toBe(0);
      expect(value).toBeLessThanOrEqual(504);
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    expect(counts.size).toBe(60);
    expect(Math.min(...counts.values())).toBe(1000);
    for (let k = 0; k < 60; k += 1) expect(fromUnit(stepped, toUnit(stepped, 32 + 8 * k))).toBe(32 + 8 * k);
  });

  it('keeps stepped floats on their lattice, rounded as written', () => {
    const values = new Set(Array.from({ length: 1000 }, (_, index) => fromUnit(dropout, index / 999)));
    expect([...values].sort((a, b) => a - b)).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]);
    expect(snapToLattice(dropout, 0.2749)).toBe(0.25);
    expect(snapToLattice(stepped, 1000)).toBe(504);
  });

  it('puts grid axes on the lattice, and lets auto pick grid for a small stepped space', () => {
    expect(gridAxes([dropout], 11)[0]).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]);
    expect(gridAxes([stepped], 4)[0]?.every((value) => ((value as number) - 32) % 8 === 0)).toBe(true);
    const small: KnobSpec[] = [{ name: 'p', file: 'c.json', key: 'p', type: 'float', low: 0, high: 0.4, step: 0.1 }];
    expect(resolveAutoSampler(small, 20).sampler).toBe('grid');
  });

  it('refuses a step with log, a fractional step on an int and a step wider than the range', () => {
    const refuse = (knob: KnobSpec) => {
      try {
        validateKnobSpace([knob], 'surface s');
      } catch (error) {
        return AutolabError.is(error) ? error.message : String(error);
      }
      return 'accepted';
    };
    expect(refuse({ ...stepped, log: true, low: 32 })).toMatch(/step cannot be combined with log/);
    expect(refuse({ ...stepped, step: 2.5 })).toMatch(/whole number step/);
    expect(refuse({ ...dropout, step: 1 })).toMatch(/larger than high - low/);
    expect(refuse(stepped)).toBe('accepted');
  });
});
