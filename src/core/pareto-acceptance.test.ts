import { describe, expect, it } from 'vitest';
import { frontOfKept, judgeParetoCandidate, type ParetoSamples } from './pareto-acceptance.ts';
import type { AcceptanceSpec, ParetoObjective } from './task.ts';

const objectives: ParetoObjective[] = [{ metric: 'bpb', direction: 'minimize' }, { metric: 'bytes', direction: 'minimize' }];
const better: AcceptanceSpec = { rule: 'better', margin: 0 };
const welch: AcceptanceSpec = { rule: 'welch', margin: 0, alpha: 0.05 };

function trial(id: number, ...columns: number[][]): ParetoSamples {
  return { id, samples: columns.map((samples) => ({ samples, verification: [] })) };
}

describe('judgeParetoCandidate with rule better', () => {
  const kept = [trial(0, [3], [3]), trial(1, [1], [5]), trial(2, [2], [2])];

  it('recomputes the front from the kept trials', () => {
    expect(frontOfKept(objectives, kept).map((member) => member.id)).toEqual([1, 2]);
  });

  it('keeps a trade-off, refuses a dominated or duplicate trial and names the blocker', () => {
    expect(judgeParetoCandidate(better, objectives, trial(3, [1.5], [3]), kept, []).keep).toBe(true);
    const dominated = judgeParetoCandidate(better, objectives, trial(3, [2.5], [2.5]), kept, []);
    expect(dominated).toMatchObject({ keep: false, detail: 'dominated by trial #2' });
    expect(judgeParetoCandidate(better, objectives, trial(3, [2], [2]), kept, []).keep).toBe(false);
  });

  it('keeps the first trial of a study and never a non-finite one', () => {
    expect(judgeParetoCandidate(better, objectives, trial(0, [9], [9]), [], []).keep).toBe(true);
    expect(judgeParetoCandidate(better, objectives, trial(3, [Number.NaN], [0]), kept, []).keep).toBe(false);
  });

  it('applies each objective\'s margin', () => {
    const withMargin: ParetoObjective[] = [{ ...objectives[0]!, margin: 0.1 }, objectives[1]!];
    expect(judgeParetoCandidate(better, withMargin, trial(3, [1.95], [2]), [trial(2, [2], [2])], []).keep).toBe(false);
    expect(judgeParetoCandidate(better, withMargin, trial(3, [1.85], [2]), [trial(2, [2], [2])], []).keep).toBe(true);
  });
});

describe('judgeParetoCandidate with rule welch', () => {
  const kept = [trial(1, [1.0, 1.01, 0.99, 1.0], [10, 10.1, 9.9, 10])];

  it('keeps a candidate significantly better in one objective', () => {
    const verdict = judgeParetoCandidate(welch, objectives, trial(2, [0.8, 0.81, 0.79, 0.8], [12, 12.1, 11.9, 12]), kept, []);
    expect(verdict.keep).toBe(true);
    expect(verdict.metrics?.p_value).toBeLessThan(0.025);
  });

  it('labels a lucky trade-off not_significant', () => {
    const verdict = judgeParetoCandidate(welch, objectives, trial(2, [0.99, 1.02, 0.97, 1.0], [12, 12.1, 11.9, 12]), kept, []);
    expect(verdict).toMatchObject({ keep: false, label: 'not_significant' });
    expect(verdict.detail).toContain('trial #1');
    expect(verdict.detail).toContain('bpb');
  });

  it('discards a trial worse on average everywhere without a label', () => {
    const verdict = judgeParetoCandidate(welch, objectives, trial(2, [1.1, 1.1], [11, 11]), kept, []);
    expect(verdict.keep).toBe(false);
    expect(verdict.label).toBeUndefined();
  });

  it('splits alpha over the objectives (Bonferroni)', () => {
    // one repeat each, calibrated noise std 0.1 (df 4): a gain of 0.28 gives p between 0.025 and 0.05
    const single = [trial(1, [1.0], [10])];
    const noise = [{ std: 0.1, df: 4 }, { std: 1, df: 4 }];
    const verdict = judgeParetoCandidate(welch, objectives, trial(2, [0.72], [12]), single, noise);
    expect(verdict.metrics?.p_value).toBeGreaterThan(0.025);
    expect(verdict.metrics?.p_value).toBeLessThan(0.05);
    expect(verdict).toMatchObject({ keep: false, label: 'not_significant' });
  });

  it('asks for verification when configured', () => {
    const verify: AcceptanceSpec = { ...welch, verify: 2 };
    const good = [0.8, 0.81, 0.79, 0.8];
    const unverified = judgeParetoCandidate(verify, objectives, trial(2, good, [12, 12, 12, 12]), kept, []);
    expect(unverified).toMatchObject({ keep: false, label: 'not_significant' });
    const verified: ParetoSamples = { id: 2, samples: [{ samples: good, verification: [0.8, 0.8] }, { samples: [12, 12, 12, 12], verification: [12, 12] }] };
    expect(judgeParetoCandidate(verify, objectives, verified, kept, []).keep).toBe(true);
    const failed: ParetoSamples = { id: 2, samples: [{ samples: good, verification: [1.05, 1.06] }, { samples: [12, 12, 12, 12], verification: [12, 12] }] };
    expect(judgeParetoCandidate(verify, objectives, failed, kept, [])).toMatchObject({ keep: false, label: 'not_significant' });
  });
});
