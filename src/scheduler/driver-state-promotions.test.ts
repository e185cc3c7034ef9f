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
});
