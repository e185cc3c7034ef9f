import { describe, expect, it } from 'vitest';
import { gainsAtLevel } from './gain-per-cost.ts';
import { decidePromotion, normalQuantile, rankAmong, type LevelScore } from './promotion.ts';

/** Each trial decided the moment it is measured (`min_rung: 1`, the earlier behaviour). */
const sh = { rule: 'successive_halving', eta: 3, minRung: 1 } as const;

/** Feeds scripted level scores one by one, as trials finish a level, and returns the promoted ids. */
function replay(scores: number[], rule: Parameters<typeof decidePromotion>[0]['rule'], direction: 'minimize' | 'maximize' = 'minimize'): number[] {
  const peers: LevelScore[] = [];
  const promoted: number[] = [];
  scores.forEach((score, index) => {
    const trialId = index + 1;
    peers.push({ trialId, score });
    if (decidePromotion({ rule, direction, trialId, score, levelName: 's', peers }).promote) promoted.push(trialId);
  });
  return promoted;
}

/**
 * As the driver does: each arrival is decided (or waits), and once an arrival is not left
 * waiting the trials waiting at the level are decided again against the grown level.
 */
function replayDeferred(scores: number[], rule: Parameters<typeof decidePromotion>[0]['rule'], baseline: LevelScore[] = []): { promoted: number[]; pruned: number[]; waiting: number[] } {
  const peers: LevelScore[] = [...baseline];
  const outcome = { promoted: [] as number[], pruned: [] as number[], waiting: [] as number[] };
  const decide = (trialId: number) => {
    const decision = decidePromotion({ rule, direction: 'minimize', trialId, score: peers.find((peer) => peer.trialId === trialId)!.score, levelName: 's', peers });
    if (decision.wait === true) outcome.waiting.push(trialId);
    else (decision.promote ? outcome.promoted : outcome.pruned).push(trialId);
    return decision.wait !== true;
  };
  scores.forEach((score, index) => {
    peers.push({ trialId: index + 1, score });
    if (!decide(index + 1)) return;
    for (const trialId of outcome.waiting.splice(0)) decide(trialId);
  });
  for (const list of Object.values(outcome)) list.sort((a, b) => a - b);
  return outcome;
}

describe('decidePromotion', () => {
  it('successive halving: the best so far climbs while fewer than eta are measured, then the top 1/eta at each arrival', () => {
    // 1: alone, best -> up. 2: worse -> no. 3: n=3, top 1 -> 3 is best -> up. 4: n=4 top 1, rank 3 -> no.
    // 5: n=5 top 1, rank 1 -> up. 6: n=6 top 2, rank 2 -> up.
    expect(replay([5, 6, 4, 4.5, 1, 2], sh)).toEqual([1, 3, 5, 6]);
  });

  it('successive halving follows the direction', () => {
    expect(replay([5, 6, 4, 4.5, 1, 2], sh, 'maximize')).toEqual([1, 2]);
  });

  it('top_k promotes a trial ranked within the best k so far', () => {
    expect(replay([5, 6, 7, 4, 8, 1], { rule: 'top_k', k: 2, minRung: 1 })).toEqual([1, 2, 4, 6]);
  });

  it('predicted promotes when the optimistic prediction beats the incumbent, else explains why not', () => {
    const base = { rule: { rule: 'predicted', eta: 3, confidence: 0.9, minRung: 1 } as const, direction: 'minimize' as const, trialId: 7, score: 3, levelName: 's', peers: [{ trialId: 7, score: 3 }] };
    const near = decidePromotion({ ...base, prediction: { mean: 2.05, std: 0.1 }, incumbentFullScore: 2 });
    expect(near.promote).toBe(true);
    const far = decidePromotion({ ...base, prediction: { mean: 2.5, std: 0.1 }, incumbentFullScore: 2 });
    expect(far).toMatchObject({ promote: false });
    expect(far.reason).toMatch(/cannot beat the incumbent's 2/);
  });

  it('predicted with a cost model: expected gain per second of climb, never a trial whose chance of beating the incumbent is under 1 - confidence', () => {
    const rule = { rule: 'predicted', eta: 3, confidence: 0.8, minRung: 1 } as const;
    // Incumbent 2.0 at full. Trial 1 likely beats it but climbs slowly; trial 2 is a coin flip on a cheap climb; trial 3 is hopeless.
    const predictions = new Map([
      [1, { mean: 1.9, std: 0.1 }],
      [2, { mean: 2.0, std: 0.1 }],
      [3, { mean: 2.3, std: 0.1 }],
      [4, { mean: 1.95, std: 0.1 }],
      [5, { mean: 2.05, std: 0.1 }],
      [6, { mean: 2.08, std: 0.1 }],
    ]);
    const costs = new Map([[1, 4000], [2, 1000], [3, 1000], [4, 2000], [5, 1000], [6, 1000]]);
    const records = [...predictions.keys()].map((trialId) => ({ trialId, level: 0, status: 'scored' as const, score: 3, runMs: costs.get(trialId)! }));
    const gains = gainsAtLevel({ direction: 'minimize', level: 0, records, predictions, incumbent: 2, climbMs: 1000 });
    expect(gains.find((entry) => entry.trialId === 2)!.chance).toBeCloseTo(0.5, 6);
    const decide = (trialId: number) => decidePromotion({ rule, direction: 'minimize', trialId, score: 3, levelName: 's', peers: records.map((r) => ({ trialId: r.trialId, score: 3 })), prediction: predictions.get(trialId)!, incumbentFullScore: 2, gains });
    // Six at the level: the best 2 by expected gain per second climb. Costs are the climb (1 s) times the trial's speed at s (×½..×2 of the mean 1.67 s).
    // EI/s: 1 → 0.108/2 = 0.054; 2 → 0.040/0.6 = 0.066; 3 → ~0; 4 → 0.070/1.2 = 0.058; 5 → 0.020/0.6 = 0.033; 6 → 0.013/0.6 = 0.021.
    expect([1, 2, 3, 4, 5, 6].filter((id) => decide(id).promote)).toEqual([2, 4]);
    expect(decide(3).reason).toMatch(/chance 0\.00[0-9]* of beating the incumbent's 2, under 0\.2$/);
    expect(decide(1).reason).toMatch(/chance 0\.84\d* of beating the incumbent's 2; expected gain 0\.10\d* for a predicted 2 s climb .*rank 3 of 6; the best 2 \(1\/3\) climb/);
    // A trial under the bar never climbs, whatever its rank: alone at its level, 6 (chance 0.21) climbs at confidence 0.8 (bar 0.2) but not at 0.75 (bar 0.25).
    const alone = (confidence: number) => decidePromotion({ rule: { ...rule, confidence }, direction: 'minimize', trialId: 6, score: 3, levelName: 's', peers: [{ trialId: 6, score: 3 }], prediction: predictions.get(6)!, incumbentFullScore: 2, gains: gains.filter((entry) => entry.trialId === 6) });
    expect(alone(0.75).promote).toBe(false);
    expect(alone(0.8).promote).toBe(true);
  });

  it('predicted against a weak incumbent: every chance is near 1, so the rank follows the expected gain, not the run time', () => {
    const rule = { rule: 'predicted', eta: 3, confidence: 0.8, minRung: 1 } as const;
    // Incumbent 1.7; trial 9 is predicted far better than the rest but ran slowest at s (the case on bench:fidelity's seed 2, where ranking by chance per second promoted the fast runs).
    const predictions = new Map([[7, { mean: 1.45, std: 0.3 }], [8, { mean: 1.42, std: 0.3 }], [9, { mean: 1.0, std: 0.3 }]]);
    const records = [[7, 900], [8, 800], [9, 1600]].map(([trialId, runMs]) => ({ trialId: trialId!, level: 0, status: 'scored' as const, score: 2, runMs: runMs! }));
    const gains = gainsAtLevel({ direction: 'minimize', level: 0, records, predictions, incumbent: 1.7, climbMs: 1000 });
    for (const entry of gains) expect(entry.chance).toBeGreaterThan(0.75);
    const promoted = [7, 8, 9].filter((trialId) => decidePromotion({ rule, direction: 'minimize', trialId, score: 2, levelName: 's', peers: records.map((r) => ({ trialId: r.trialId, score: 2 })), prediction: predictions.get(trialId)!, incumbentFullScore: 1.7, gains }).promote);
    expect(promoted).toEqual([9]);
  });

  it('predicted falls back to successive halving without a prediction', () => {
    expect(replay([5, 6, 4, 4.5, 1, 2], { rule: 'predicted', eta: 3, confidence: 0.9, minRung: 1 })).toEqual([1, 3, 5, 6]);
  });

  it('ranks share ties and count the trial once', () => {
    expect(rankAmong(2, [{ trialId: 1, score: 1 }, { trialId: 2, score: 2 }, { trialId: 3, score: 2 }], 'minimize')).toBe(2);
    expect(decidePromotion({ rule: sh, direction: 'minimize', trialId: 9, score: 0, levelName: 's', peers: [] })).toMatchObject({ promote: true });
  });

  it('min_rung (default eta): no decision while the level holds fewer results; waiting trials are decided when it fills', () => {
    // 1, 2 wait (1 and 2 of 3 results). 3 fills the level: 3 is best -> up, then 1 (rank 2) and 2 (rank 3) are pruned.
    // 4: rank 2 of 4, top 1 -> no. 5: best -> up. 6: rank 2 of 6, top 2 -> up.
    expect(replayDeferred([5, 6, 4, 4.5, 1, 2], { rule: 'successive_halving', eta: 3 })).toEqual({ promoted: [3, 5, 6], pruned: [1, 2, 4], waiting: [] });
    // A level that never fills leaves its trials waiting; decideNow (the study stops) decides them as the level stands.
    expect(replayDeferred([5, 6], { rule: 'successive_halving', eta: 3 })).toEqual({ promoted: [], pruned: [], waiting: [1, 2] });
    const peers = [{ trialId: 1, score: 5 }, { trialId: 2, score: 6 }];
    expect(decidePromotion({ rule: { rule: 'successive_halving', eta: 3 }, direction: 'minimize', trialId: 1, score: 5, levelName: 's', peers, decideNow: true })).toMatchObject({ promote: true });
    expect(decidePromotion({ rule: { rule: 'successive_halving', eta: 3 }, direction: 'minimize', trialId: 2, score: 6, levelName: 's', peers })).toMatchObject({ promote: false, wait: true, reason: 'waits: 2 of the 3 results at s a promotion is decided against' });
  });

  it('min_rung counts the baseline and applies to every rule (top_k decides at once unless given one)', () => {
    // The baseline (id 0, score 3) is at the level: the first trial waits for one more result, then the better of the two climbs.
    expect(replayDeferred([4, 2, 5], { rule: 'successive_halving', eta: 3 }, [{ trialId: 0, score: 3 }])).toEqual({ promoted: [2], pruned: [1, 3], waiting: [] });
    expect(replayDeferred([5, 6, 7, 4, 8, 1], { rule: 'top_k', k: 2, minRung: 3 })).toEqual({ promoted: [1, 2, 4, 6], pruned: [3, 5], waiting: [] });
    expect(replayDeferred([5, 6, 7], { rule: 'top_k', k: 2 })).toEqual({ promoted: [1, 2], pruned: [3], waiting: [] });
    expect(replayDeferred([5, 6, 4, 4.5, 1, 2, 3, 0.5, 7], { rule: 'successive_halving', eta: 3, minRung: 6 })).toEqual({ promoted: [5, 6, 8], pruned: [1, 2, 3, 4, 7, 9], waiting: [] });
  });

  it('normalQuantile matches known values', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
  });
});
