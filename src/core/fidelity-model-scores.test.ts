import { describe, expect, it } from 'vitest';
import type { FidelitySpec, TrialLevelRecord } from './fidelity.ts';
import { multiFidelityScores } from './fidelity-model-scores.ts';

const SCALES = [0.1, 0.3, 1];
const FIDELITY = {
  levels: ['s', 'm', 'full'].map((name, index) => ({ name, scale: SCALES[index]!, timeoutMs: 1000, env: {}, slots: 1 })),
  promote: { rule: 'successive_halving', eta: 3 },
} as FidelitySpec;

const rec = (trialId: number, level: number, score: number | null, status: 'scored' | 'failed' = 'scored'): TrialLevelRecord => ({
  trialId,
  level,
  levelName: FIDELITY.levels[level]!.name,
  status,
  label: status === 'failed' ? 'crash' : null,
  score,
  metrics: {},
  samples: [],
  runMs: 1,
  measuredAt: '2026-01-01T00:00:00.000Z',
});

/** A power law in the scale: offset c, amplitude a, exponent 0.5 (the bench recipe's shape). */
const law = (c: number, a: number) => (level: number) => c + a * SCALES[level]! ** -0.5;

describe('multi-fidelity scores for a knobs sampler (BOHB with the scaling model)', () => {
  // The baseline at every level; #1 narrow (wins at s, loses at full), #2 wide (loses at s, wins at full), #3 and #4 at s only.
  const baseline = law(1.6, 0.3);
  const narrow = law(1.35, 0.3); // full 1.65
  const wide = law(1.2, 0.4); // s 2.46 (worse than narrow's 2.30), full 1.60 (better)
  const records = [
    ...[0, 1, 2].map((level) => rec(0, level, baseline(level))),
    rec(1, 0, narrow(0)),
    rec(1, 1, narrow(1)),
    rec(2, 0, wide(0)),
    rec(2, 1, wide(1)),
    rec(3, 0, 2.9),
    rec(4, 0, 3.2),
    rec(5, 0, null, 'failed'),
  ];

  it('before knobs + 1 trials reach full, ranks by the predicted full-level score: a wide model that loses at s and m ranks first', () => {
    const result = multiFidelityScores(FIDELITY, records, 'minimize', 3)!;
    expect(result.basis).toBe('predicted');
    expect(result.level).toBe(1); // the highest level with three trials: m (the baseline, #1, #2)
    // Raw at m #1 beats #2; extrapolated along their own slopes #2 wins at full.
    expect(narrow(1)).toBeLessThan(wide(1));
    expect(result.scores.get(2)!).toBeLessThan(result.scores.get(1)!);
    expect(result.scores.get(2)!).toBeCloseTo(wide(2), 2);
    expect(result.scores.get(1)!).toBeCloseTo(narrow(2), 2);
    // The baseline keeps its measured full-level score; trials at s only keep their order there; a failure is absent.
    expect(result.scores.get(0)).toBe(baseline(2));
    expect(result.scores.get(3)!).toBeLessThan(result.scores.get(4)!);
    expect(result.scores.has(5)).toBe(false);
  });

  it('once knobs + 1 trials reach full, ranks by full-level scores, those below after them (BOHB)', () => {
    const more = [...records, rec(1, 2, narrow(2)), rec(2, 2, wide(2))];
    const result = multiFidelityScores(FIDELITY, more, 'minimize', 3)!;
    expect(result.basis).toBe('level');
    expect(result.level).toBe(2);
    expect(result.scores.get(2)).toBe(wide(2));
    expect(result.scores.get(3)!).toBeGreaterThan(Math.max(narrow(2), wide(2), baseline(2)));
  });

  it('is null with nothing scored, and ranks by the first level while no trial has two levels', () => {
    expect(multiFidelityScores(FIDELITY, [rec(1, 0, null, 'failed')], 'minimize', 2)).toBeNull();
    const flat = multiFidelityScores(FIDELITY, [rec(1, 0, 2), rec(2, 0, 3)], 'minimize', 2)!;
    expect(flat.basis).toBe('level');
    expect(flat.scores.get(1)).toBe(2);
  });

  it('mirrors for maximize', () => {
    const up = records.map((record) => ({ ...record, score: record.score === null ? null : -record.score }));
    const result = multiFidelityScores(FIDELITY, up, 'maximize', 3)!;
    expect(result.scores.get(2)!).toBeGreaterThan(result.scores.get(1)!);
  });
});
