import { describe, expect, it } from 'vitest';
import { decidePromotion, normalQuantile, rankAmong, type LevelScore } from './promotion.ts';

const sh = { rule: 'successive_halving', eta: 3 } as const;

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
    expect(replay([5, 6, 7, 4, 8, 1], { rule: 'top_k', k: 2 })).toEqual([1, 2, 4, 6]);
  });

  it('predicted promotes when the optimistic prediction beats the incumbent, else explains why not', () => {
    const base = { rule: { rule: 'predicted', eta: 3, confidence: 0.9 } as const, direction: 'minimize' as const, trialId: 7, score: 3, levelName: 's', peers: [{ trialId: 7, score: 3 }] };
    const near = decidePromotion({ ...base, prediction: { mean: 2.05, std: 0.1 }, incumbentFullScore: 2 });
    expect(near.promote).toBe(true);
    const far = decidePromotion({ ...base, prediction: { mean: 2.5, std: 0.1 }, incumbentFullScore: 2 });
    expect(far).toMatchObject({ promote: false });
    expect(far.reason).toMatch(/cannot beat the incumbent's 2/);
  });

  it('predicted falls back to successive halving without a prediction', () => {
    expect(replay([5, 6, 4, 4.5, 1, 2], { rule: 'predicted', eta: 3, confidence: 0.9 })).toEqual([1, 3, 5, 6]);
  });

  it('ranks share ties and count the trial once', () => {
    expect(rankAmong(2, [{ trialId: 1, score: 1 }, { trialId: 2, score: 2 }, { trialId: 3, score: 2 }], 'minimize')).toBe(2);
    expect(decidePromotion({ rule: sh, direction: 'minimize', trialId: 9, score: 0, levelName: 's', peers: [] })).toMatchObject({ promote: true });
  });

  it('normalQuantile matches known values', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
  });
});
