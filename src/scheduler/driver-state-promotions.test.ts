import { describe, expect, it } from 'vitest';
import { createDriverState, isIdle, takePromotion } from './driver-state.ts';

describe('promotions in the driver state', () => {
  it('takes the highest level first, then the oldest, only while a slot is free, and counts no trial', () => {
    const state = createDriverState([], 0);
    state.promotions.push({ trialId: 4, level: 1 }, { trialId: 2, level: 2 }, { trialId: 7, level: 1 }, { trialId: 3, level: 2 });
    expect(isIdle(state)).toBe(false);
    expect(takePromotion(state, 2)).toEqual({ trialId: 2, level: 2 });
    expect(takePromotion(state, 2)).toEqual({ trialId: 3, level: 2 });
    state.running.add({ trialId: 2, done: Promise.resolve() });
    state.running.add({ trialId: 3, done: Promise.resolve() });
    expect(takePromotion(state, 2)).toBeNull();
    state.running.clear();
    expect(takePromotion(state, 2)).toEqual({ trialId: 4, level: 1 });
    expect(takePromotion(state, 2)).toEqual({ trialId: 7, level: 1 });
    expect(takePromotion(state, 2)).toBeNull();
    expect(state.studyTrials).toBe(0);
    expect(isIdle(state)).toBe(true);
  });

  it('takes the highest expected gain per second of predicted cost first (gain_per_cost), a cheap promising climb before a costly doubtful one', () => {
    const state = createDriverState([], 0);
    state.promotions.push({ trialId: 5, level: 2, gainPerSecond: 0.001 }, { trialId: 6, level: 1, gainPerSecond: 0.05 }, { trialId: 8, level: 1, gainPerSecond: 0.01 }, { trialId: 9, level: 2 });
    expect(takePromotion(state, 1)?.trialId).toBe(6);
    expect(takePromotion(state, 1)?.trialId).toBe(8);
    expect(takePromotion(state, 1)?.trialId).toBe(5);
    expect(takePromotion(state, 1)?.trialId).toBe(9); // no measure (the model could not predict it): after those that have one
  });
});
