import { describe, expect, it } from 'vitest';
import { expectedImprovement, gainPerSecond, gainsAtLevel, normalCdf, predictedClimbCostMs } from './gain-per-cost.ts';
import { decidePromotion } from './promotion.ts';

describe('expected gain per unit of predicted cost', () => {
  it('the normal CDF and the expected improvement match their closed forms', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
    // EI at d = 0 is sigma * phi(0).
    expect(expectedImprovement({ mean: 1, std: 0.1 }, 1, 'minimize')).toBeCloseTo(0.1 / Math.sqrt(2 * Math.PI), 6);
    expect(expectedImprovement({ mean: 1, std: 0 }, 1.2, 'minimize')).toBeCloseTo(0.2, 12);
    expect(expectedImprovement({ mean: 1.3, std: 0 }, 1.2, 'minimize')).toBe(0);
    expect(expectedImprovement({ mean: 0.9, std: 0 }, 0.8, 'maximize')).toBeCloseTo(0.1, 12);
    // A doubtful trial (worse mean, wide spread) keeps a small positive expected gain.
    const doubtful = expectedImprovement({ mean: 1.1, std: 0.1 }, 1, 'minimize');
    expect(doubtful).toBeGreaterThan(0);
    expect(doubtful).toBeLessThan(0.01);
  });

  it("scales a trial's climb by its own speed at the level, within x0.5..x2", () => {
    expect(predictedClimbCostMs(3000, 120, 100)).toBeCloseTo(3600, 9);
    expect(predictedClimbCostMs(3000, 1000, 100)).toBe(6000);
    expect(predictedClimbCostMs(3000, 1, 100)).toBe(1500);
    expect(predictedClimbCostMs(3000, null, 100)).toBe(3000);
  });

  it('ranks the trials at a level by gain per second: a slower trial with the same prediction ranks after a faster one', () => {
    const records = [
      { trialId: 1, level: 0, status: 'scored' as const, score: 1.5, runMs: 100 },
      { trialId: 2, level: 0, status: 'scored' as const, score: 1.5, runMs: 300 },
      { trialId: 3, level: 0, status: 'scored' as const, score: 1.9, runMs: 200 },
      { trialId: 4, level: 0, status: 'failed' as const, score: null, runMs: 50 },
      { trialId: 1, level: 1, status: 'scored' as const, score: 1.2, runMs: 900 },
    ];
    const predictions = new Map([
      [1, { mean: 1.0, std: 0.05 }],
      [2, { mean: 1.0, std: 0.05 }],
      [3, null],
    ]);
    const gains = gainsAtLevel({ direction: 'minimize', level: 0, records, predictions, incumbent: 1.1, climbMs: 2000 });
    expect(gains.map((entry) => entry.trialId)).toEqual([1, 2]);
    expect(gains[0]!.costMs).toBeCloseTo(1000, 9); // mean run 200 ms at s: trial 1 is twice as fast
    expect(gains[1]!.costMs).toBeCloseTo(3000, 9);
    expect(gainPerSecond(gains[0]!)).toBeCloseTo(3 * gainPerSecond(gains[1]!), 9);
  });
});

describe('the gain_per_cost promotion rule on scripted outcomes', () => {
  const rule = { rule: 'gain_per_cost', eta: 3 } as const;
  const peers = [1, 2, 3, 4, 5, 6].map((trialId) => ({ trialId, score: 2 }));
  // Six trials at s: 1-3 promising but 2 and 3 predicted costly, 4 as promising and cheap, 5 and 6 expected to gain nothing.
  const gains = [
    { trialId: 1, gain: 0.05, costMs: 1000 },
    { trialId: 2, gain: 0.06, costMs: 4000 },
    { trialId: 3, gain: 0.02, costMs: 2000 },
    { trialId: 4, gain: 0.04, costMs: 500 },
    { trialId: 5, gain: 0, costMs: 500 },
    { trialId: 6, gain: 0, costMs: 100 },
  ];
  const decide = (trialId: number, withGains = gains) => decidePromotion({ rule, direction: 'minimize', trialId, score: 2, levelName: 's', peers, gains: withGains });

  it('promotes the top floor(n / eta) by expected gain per second, not by gain alone', () => {
    expect([1, 2, 3, 4, 5, 6].filter((id) => decide(id).promote)).toEqual([1, 4]);
    expect(decide(4).reason).toMatch(/expected gain 0\.04 over the incumbent for a predicted 0\.5 s climb \(0\.08\/s\), rank 1 of 6; the best 2 \(1\/3\) climb/);
    // Trial 2 expects the most gain, but for four times the cost.
    expect(decide(2).reason).toMatch(/\(0\.015\/s\), rank 3 of 6/);
  });

  it('never promotes a trial that is expected to gain nothing, and falls back to successive halving without a prediction', () => {
    expect(decide(6, [{ trialId: 6, gain: 0, costMs: 100 }])).toEqual({ promote: false, reason: expect.stringMatching(/no gain expected/) });
    const fallback = decidePromotion({ rule, direction: 'minimize', trialId: 7, score: 1, levelName: 's', peers: [...peers, { trialId: 7, score: 1 }], gains });
    expect(fallback.promote).toBe(true);
    expect(fallback.reason).toMatch(/rank 1 of 7 at s; the best 2 \(1\/3\) climb/);
  });
});
