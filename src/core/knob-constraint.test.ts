import { describe, expect, it } from 'vitest';
import { compileKnobConstraint, knobConstraintHolds, type KnobValueType } from './knob-constraint.ts';

const KNOBS: Record<string, KnobValueType> = { d_model: 'number', n_heads: 'number', batch: 'number', width: 'number', lr: 'number', optimizer: 'string', schedule: 'string', 'warm-up': 'number', bias: 'boolean' };

function compile(source: string) {
  const result = compileKnobConstraint(source, KNOBS);
  if (!result.ok) throw new Error(result.problems.map((problem) => `${problem.column}: ${problem.message}`).join('; '));
  return result.constraint;
}

describe('knob constraints', () => {
  it('evaluates divisibility, products, categorical pairs and membership', () => {
    const divisible = compile('d_model % n_heads == 0');
    expect(divisible.names.sort()).toEqual(['d_model', 'n_heads']);
    expect(knobConstraintHolds(divisible, { d_model: 384, n_heads: 6 })).toBe(true);
    expect(knobConstraintHolds(divisible, { d_model: 384, n_heads: 5 })).toBe(false);
    expect(knobConstraintHolds(divisible, { d_model: 384, n_heads: 0 })).toBe(false);
    const ceiling = compile('batch * width <= 65536');
    expect(knobConstraintHolds(ceiling, { batch: 256, width: 256 })).toBe(true);
    expect(knobConstraintHolds(ceiling, { batch: 256, width: 257 })).toBe(false);
    const pair = compile("not (optimizer == 'lion' and schedule == \"onecycle\")");
    expect(knobConstraintHolds(pair, { optimizer: 'lion', schedule: 'onecycle' })).toBe(false);
    expect(knobConstraintHolds(pair, { optimizer: 'lion', schedule: 'cosine' })).toBe(true);
    const member = compile("optimizer not in ['sgd', 'lion'] || lr < 1e-2");
    expect(knobConstraintHolds(member, { optimizer: 'sgd', lr: 0.1 })).toBe(false);
    expect(knobConstraintHolds(member, { optimizer: 'adam', lr: 0.1 })).toBe(true);
  });

  it('follows Python for precedence, chained comparisons, floor division and modulo', () => {
    expect(knobConstraintHolds(compile('1 <= n_heads <= 8 and d_model // n_heads >= 32'), { n_heads: 4, d_model: 130 })).toBe(true);
    expect(knobConstraintHolds(compile('1 <= n_heads <= 8'), { n_heads: 9 })).toBe(false);
    expect(knobConstraintHolds(compile('-1 % 8 == 7'), {})).toBe(true);
    expect(knobConstraintHolds(compile('2 ** 3 ** 2 == 512'), {})).toBe(true);
    expect(knobConstraintHolds(compile('-2 ** 2 == -4'), {})).toBe(true);
    expect(knobConstraintHolds(compile('log2(width) + max(1, batch) < 20 and !bias'), { width: 1024, batch: 4, bias: false })).toBe(true);
    expect(knobConstraintHolds(compile('`warm-up` * lr <= 1'), { 'warm-up': 100, lr: 0.02 })).toBe(false);
  });

  it('reports syntax errors, unknown knobs and type errors with their column', () => {
    const problems = (source: string) => {
      const result = compileKnobConstraint(source, KNOBS);
      return result.ok ? [] : result.problems.map((problem) => `${problem.column}: ${problem.message}`);
    };
    expect(problems('d_model % n_heads = 0')).toEqual(['19: unexpected character "=" (use == to compare)']);
    expect(problems('d_model % n_head == 0')).toEqual([expect.stringMatching(/^11: unknown knob 'n_head' \(knobs of this surface: d_model, n_heads/)]);
    expect(problems('d_model % n_heads')).toEqual([expect.stringMatching(/^1: a constraint must be true or false, this one gives a number/)]);
    expect(problems("optimizer > 'adam'")).toEqual(["1: '>' compares numbers, got a string", "13: '>' compares numbers, got a string"]);
    expect(problems('(batch * width <= 4')).toEqual(["20: expected ')'"]);
    expect(problems('sqrt(batch, width) < 3')).toEqual(['1: sqrt() takes one argument']);
    expect(problems('pow(batch) < 3')).toEqual([expect.stringMatching(/^1: unknown function 'pow'/)]);
    expect(problems("optimizer == 'adam")).toEqual(['14: unterminated string (no closing \')']);
  });

  it('counts a value of the wrong type at run time as not satisfied', () => {
    const constraint = compile('d_model % n_heads == 0');
    expect(knobConstraintHolds(constraint, { d_model: 'big', n_heads: 2 })).toBe(false);
    expect(knobConstraintHolds(constraint, { d_model: 64 })).toBe(false);
  });
});
