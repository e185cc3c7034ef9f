import { describe, expect, it } from 'vitest';
import { prunedScore } from './knob-history.ts';
import { observationRole } from './knob-observations.ts';

describe('pruned trials in the knobs history', () => {
  const curve = [
    { repeat: 0, step: 1, name: 'loss', value: 5 },
    { repeat: 0, step: 3, name: 'loss', value: 3 },
    { repeat: 0, step: 2, name: 'loss', value: 4 },
    { repeat: 0, step: 3, name: 'acc', value: 0.5 },
    { repeat: 1, step: 9, name: 'loss', value: 1 },
  ];

  it('are ranked by their last intermediate value of the objective', () => {
    expect(prunedScore({ label: 'pruned', curve }, 'loss')).toBe(3);
    expect(observationRole({ status: 'failed', label: 'pruned', score: 3 })).toBe('scored');
  });

  it('stay a bad region without such a value, and other failures are untouched', () => {
    expect(prunedScore({ label: 'pruned', curve }, 'val_bpb')).toBeNull();
    expect(prunedScore({ label: 'crash', curve }, 'loss')).toBeNull();
    expect(observationRole({ status: 'failed', label: 'pruned', score: null })).toBe('failed');
    expect(observationRole({ status: 'failed', label: 'crash', score: null })).toBe('failed');
  });
});
