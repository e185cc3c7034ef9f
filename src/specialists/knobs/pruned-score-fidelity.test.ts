import { describe, expect, it } from 'vitest';
import { PREDICTED_FULL_METRIC } from '../../core/fidelity.ts';
import { prunedScore } from './knob-history.ts';

describe('prunedScore of a trial stopped on a fidelity ladder', () => {
  it('is its predicted full-level score, not a lower level\'s score; a plain pruned run keeps its last intermediate value', () => {
    expect(prunedScore({ label: 'pruned', curve: [], metrics: { loss: 3.4, fidelity_level: 0, [PREDICTED_FULL_METRIC]: 2.31 } }, 'loss')).toBe(2.31);
    expect(prunedScore({ label: 'pruned', curve: [{ repeat: 0, step: 5, name: 'loss', value: 4 }], metrics: { loss: 3.4 } }, 'loss')).toBe(4);
    expect(prunedScore({ label: 'crash', curve: [], metrics: { [PREDICTED_FULL_METRIC]: 2 } }, 'loss')).toBeNull();
  });
});
