import { describe, expect, it } from 'vitest';
import { mulberry32 } from './sampler-math.ts';
import { betaDraw, createProposerBandit } from './warm-start-bandit.ts';

/** How often each proposer comes first over `draws` rankings. */
function firstShares(bandit: ReturnType<typeof createProposerBandit>, draws: number, seed: number): Record<string, number> {
  const random = mulberry32(seed);
  const counts: Record<string, number> = {};
  for (let i = 0; i < draws; i += 1) {
    const first = bandit.order(random)[0]!;
    counts[first] = (counts[first] ?? 0) + 1 / draws;
  }
  return counts;
}

describe('warm-start proposer bandit', () => {
  it('draws Beta(a, b) with its mean a / (a + b)', () => {
    const random = mulberry32(1);
    const draws = Array.from({ length: 4000 }, () => betaDraw(2, 6, random));
    expect(draws.reduce((sum, x) => sum + x, 0) / draws.length).toBeCloseTo(0.25, 1);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThanOrEqual(1);
  });

  it('shares proposals evenly at first, favours a proposer that pays, and drops it once it stops paying', () => {
    const bandit = createProposerBandit(['population', 'region', 'inner']);
    const even = firstShares(bandit, 3000, 2);
    for (const arm of ['population', 'region', 'inner']) expect(even[arm]).toBeCloseTo(1 / 3, 1);

    for (let i = 0; i < 4; i += 1) bandit.record('population', true);
    bandit.record('region', true);
    for (let i = 0; i < 3; i += 1) bandit.record('region', false);
    for (let i = 0; i < 4; i += 1) bandit.record('inner', false);
    bandit.record('inner', true);
    expect(firstShares(bandit, 3000, 3).population).toBeGreaterThan(0.6);

    // The population stops paying: its last 6 proposals improve nothing, while the region pays now and then.
    for (let i = 0; i < 6; i += 1) bandit.record('population', false);
    bandit.record('region', true);
    expect(bandit.tally().population).toEqual({ paid: 0, unpaid: 6 });
    const after = firstShares(bandit, 3000, 4);
    expect(after.population ?? 0).toBeLessThan(0.15);
    expect(after.region).toBeGreaterThan(0.4);

    // It wins its share back once it pays again.
    for (let i = 0; i < 3; i += 1) bandit.record('population', true);
    expect(firstShares(bandit, 3000, 5).population).toBeGreaterThan(0.3);
  });

  it('ignores proposers it does not know', () => {
    const bandit = createProposerBandit(['inner']);
    bandit.record('unknown', true);
    expect(bandit.tally()).toEqual({ inner: { paid: 0, unpaid: 0 } });
  });
});
