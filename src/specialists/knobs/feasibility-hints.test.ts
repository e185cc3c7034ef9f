import { describe, expect, it } from 'vitest';
import type { KnobSpec } from '../../core/task.ts';
import { failureHints, statedCondition } from './feasibility-hints.ts';

const SPACE: KnobSpec[] = [
  { name: 'n_embd', file: 'c.json', key: 'n_embd', type: 'int', low: 32, high: 512 },
  { name: 'n_head', file: 'c.json', key: 'n_head', type: 'int', low: 1, high: 16 },
  { name: 'lr', file: 'c.json', key: 'lr', type: 'float', low: 1e-4, high: 1, log: true },
  { name: 'optimizer', file: 'c.json', key: 'optimizer', type: 'categorical', choices: ['sgd', 'adam', 'lion'] },
];

describe('statedCondition', () => {
  it('reads the condition of Python and JavaScript checks, and on which side they fail', () => {
    expect(statedCondition('assert d_model % n_heads == 0')).toEqual({ expression: 'd_model % n_heads == 0', failsWhen: false });
    expect(statedCondition('assert config.n_embd % config.n_head == 0, f"bad {x}, {y}"')).toEqual({ expression: 'config.n_embd % config.n_head == 0', failsWhen: false });
    expect(statedCondition('if lr > 1.0: raise ValueError("lr too high")')).toEqual({ expression: 'lr > 1.0', failsWhen: true });
    expect(statedCondition('if (cfg.d % cfg.h !== 0) throw new Error(`bad ${cfg.d}`);')).toEqual({ expression: 'cfg.d % cfg.h !== 0', failsWhen: true });
    expect(statedCondition("assert.strictEqual(a % b, 0, 'must divide');")).toEqual({ expression: '(a % b) == (0)', failsWhen: false });
    expect(statedCondition('assert(x > 0)')).toEqual({ expression: 'x > 0', failsWhen: false });
    expect(statedCondition('return bytes(batch * width)')).toBeNull();
  });
});

describe('failureHints', () => {
  it("turns nanoGPT's assertion into a rule over the knobs", () => {
    const hints = failureHints(['assert config.n_embd % config.n_head == 0'], SPACE);
    expect(hints.rules.map((rule) => rule.rule)).toEqual(['not (n_embd % n_head == 0)']);
    const [rule] = hints.rules;
    expect(rule?.strikes({ n_embd: 384, n_head: 5 })).toBe(true);
    expect(rule?.strikes({ n_embd: 384, n_head: 6 })).toBe(false);
    expect([...hints.mentioned].sort()).toEqual(['n_embd', 'n_head']);
  });

  it('reads cfg["name"] and a one-line if/raise', () => {
    const hints = failureHints(['if cfg["lr"] * cfg["n_head"] > 2: raise FloatingPointError("diverged")'], SPACE);
    expect(hints.rules[0]?.rule).toBe('lr * n_head > 2');
    expect(hints.rules[0]?.strikes({ lr: 0.5, n_head: 8 })).toBe(true);
  });

  it('leaves conditions over names that are not knobs, and names knobs a message or a choice mentions', () => {
    const hints = failureHints(['assert x.shape[0] == batch', 'loss became inf at step 3; training diverged (lr 0.3)', '"lion_update_cuda" not implemented for \'Half\''], SPACE);
    expect(hints.rules).toEqual([]);
    expect([...hints.mentioned].sort()).toEqual(['lr', 'optimizer']);
  });
});
