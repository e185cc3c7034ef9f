import { describe, expect, it } from 'vitest';
import type { TrialLevelRecord } from './fidelity.ts';
import { modelLevel, modelLevelScores } from './fidelity-model-level.ts';

const NAMES = ['s', 'm', 'full'];
const rec = (trialId: number, level: number, score: number | null, status: 'scored' | 'failed' = 'scored'): TrialLevelRecord => ({
  trialId,
  level,
  levelName: NAMES[level]!,
  status,
  label: status === 'failed' ? 'crash' : null,
  score,
  metrics: {},
  samples: [],
  runMs: 1,
  measuredAt: '2026-01-01T00:00:00.000Z',
});

describe('the model level of a multi-fidelity sampler (BOHB)', () => {
  // Six trials at s, three climbed to m, one to full.
  const records = [
    ...[5, 3, 4, 1, 2, 6].map((score, id) => rec(id, 0, score)),
    rec(3, 1, 0.8),
    rec(4, 1, 1.5),
    rec(1, 1, 2.5),
    rec(3, 2, 0.5),
    rec(5, 0, null, 'failed'),
  ];

  it('is the highest level with enough scored trials, else the lowest scored one', () => {
    expect(modelLevel(records, 3)).toBe(1);
    expect(modelLevel(records, 1)).toBe(2);
    expect(modelLevel(records, 4)).toBe(0);
    expect(modelLevel(records, 99)).toBe(0);
    expect(modelLevel([rec(1, 0, null, 'failed')], 1)).toBeNull();
  });

  it('ranks trials by their score at the model level, then those that stopped below it, by level and score there', () => {
    const result = modelLevelScores(records, 'minimize', 3)!;
    expect(result.level).toBe(1);
    expect(result.measuredAtLevel).toBe(3);
    const ranked = [...result.scores].sort((a, b) => a[1] - b[1]).map(([id]) => id);
    // At m: #3 (0.8), #4 (1.5), #1 (2.5); stopped at s: #0 (5), #2 (4), #5 (6) ranked by their s scores.
    expect(ranked).toEqual([3, 4, 1, 2, 0, 5]);
    expect(result.scores.get(3)).toBe(0.8); // a trial at the model level keeps its own score there
    // Never a lower level's raw score mixed in: #2's 4 at s does not beat #1's 2.5 at m.
    expect(result.scores.get(2)!).toBeGreaterThan(2.5);
  });

  it('mirrors for maximize, and ranks a trial that stopped lower after one that stopped higher', () => {
    const up = [rec(0, 0, 1), rec(1, 0, 9), rec(2, 0, 5), rec(1, 1, 10), rec(2, 1, 7), rec(1, 2, 12), rec(2, 2, 11)];
    const result = modelLevelScores(up, 'maximize', 2)!;
    expect(result.level).toBe(2);
    const ranked = [...result.scores].sort((a, b) => b[1] - a[1]).map(([id]) => id);
    expect(ranked).toEqual([1, 2, 0]);
    expect(result.scores.get(0)!).toBeLessThan(11);
    const three = [rec(0, 0, 3), rec(1, 0, 1), rec(2, 0, 2), rec(1, 1, 1), rec(2, 1, 2), rec(1, 2, 1), rec(2, 2, 1.5), rec(3, 0, 9), rec(3, 1, 8)];
    const deep = modelLevelScores(three, 'minimize', 2)!;
    expect(deep.level).toBe(2);
    expect(deep.scores.get(0)!).toBeGreaterThan(deep.scores.get(3)!); // stopped at s ranks after stopped at m, whatever its s score
  });
});
