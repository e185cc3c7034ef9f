import { describe, expect, it } from 'vitest';
import { judgeCandidate, wouldCrown, type AcceptanceSamples, type Noise } from './acceptance.ts';
import { summarize } from './statistics.ts';
import type { AcceptanceSpec, Objective } from './task.ts';

/** A seeded normal generator (mulberry32 + Box-Muller). */
function normals(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const objective: Objective = { metric: 'loss', direction: 'minimize' };
const welch: AcceptanceSpec = { rule: 'welch', margin: 0, alpha: 0.01, minEffect: 0, verify: 3 };

/**
 * A study in miniature, through the same decisions the engine makes: each trial measures
 * `repeats` samples of its true mean plus noise; a would-be incumbent gets `verify` fresh
 * repeats; the verdict decides; a kept trial becomes the incumbent.
 */
export function simulate(trueMeans: number[], options: { repeats: number; sigma: number; seed: number; rule?: AcceptanceSpec }) {
  const draw = normals(options.seed);
  const rule = options.rule ?? welch;
  const measure = (mean: number, n: number) => Array.from({ length: n }, () => mean + options.sigma * draw());
  const baselineSamples = measure(trueMeans[0]!, 5);
  const calibrated = summarize(baselineSamples);
  const noise: Noise = { std: calibrated.std, df: calibrated.n - 1 };
  let incumbent: AcceptanceSamples & { trial: number } = { trial: 0, samples: baselineSamples, verification: [] };
  const crowned: number[] = [];
  for (let trial = 1; trial < trueMeans.length; trial++) {
    const samples = measure(trueMeans[trial]!, options.repeats);
    const verification = wouldCrown(rule, objective, samples, incumbent, noise) ? measure(trueMeans[trial]!, rule.verify ?? 0) : [];
    const verdict = judgeCandidate(rule, objective, { samples, verification }, incumbent, noise);
    if (verdict.keep) {
      incumbent = { trial, samples, verification };
      crowned.push(trial);
    }
  }
  return crowned;
}

describe('acceptance under noise', () => {
  it('promotes no incumbent at alpha 0.01 when every trial is the baseline plus noise (150 trials, 5 studies)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const crowned = simulate(Array.from({ length: 151 }, () => 10), { repeats: 3, sigma: 0.5, seed });
      expect(crowned).toEqual([]);
    }
  });

  it('would crown lucky trials under the strict-best rule (the failure it prevents)', () => {
    const crowned = simulate(Array.from({ length: 151 }, () => 10), { repeats: 3, sigma: 0.5, seed: 1, rule: { rule: 'better', margin: 0 } });
    expect(crowned.length).toBeGreaterThan(3);
  });

  it('finds a real improvement of a few sigma among noise', () => {
    const means = Array.from({ length: 101 }, (_, trial) => (trial === 40 ? 10 - 4 * 0.5 : 10));
    for (const seed of [1, 2, 3]) {
      expect(simulate(means, { repeats: 3, sigma: 0.5, seed })).toEqual([40]);
    }
  });

  it('records the evidence and labels a weak improvement not_significant', () => {
    const incumbent = { samples: [10, 10.2, 9.8], verification: [] };
    const weak = judgeCandidate(welch, objective, { samples: [9.9, 10.1, 9.85], verification: [] }, incumbent, { std: 0.2, df: 4 });
    expect(weak).toMatchObject({ keep: false, label: 'not_significant' });
    expect(weak.metrics!.p_value).toBeGreaterThan(0.01);
    const strong = judgeCandidate(welch, objective, { samples: [8, 8.1, 7.9], verification: [8.05, 7.95, 8] }, incumbent, { std: 0.2, df: 4 });
    expect(strong).toMatchObject({ keep: true });
    expect(strong.metrics).toMatchObject({ n: 3, incumbent_n: 3, verify_n: 3 });
    expect(strong.metrics!.verify_p_value).toBeLessThan(0.01);
  });
});
