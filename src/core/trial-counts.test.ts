import { describe, expect, it } from 'vitest';
import { makeTrial } from '../testing/trial-fixture.ts';
import { countTrials, describeTrialCounts } from './trial-counts.ts';

describe('trial counts', () => {
  it('leave the baseline out, as budget.trials does', () => {
    const counts = countTrials([
      makeTrial({ id: 0, specialist: 'baseline', status: 'kept', score: 3 }),
      makeTrial({ id: 1, status: 'kept', score: 2 }),
      makeTrial({ id: 2, status: 'discarded', score: 4 }),
      makeTrial({ id: 3, status: 'failed', label: 'crash' }),
      makeTrial({ id: 4, status: 'running' }),
    ]);
    expect(counts).toEqual({ total: 4, kept: 1, discarded: 1, failed: 1, running: 1, byLabel: { crash: 1 } });
    expect(describeTrialCounts(counts)).toBe('4 trials (1 kept, 1 discarded, 1 failed: crash 1, 1 running; the baseline not counted)');
  });

  it('count nothing for a study with only its baseline', () => {
    expect(describeTrialCounts(countTrials([makeTrial({ id: 0, specialist: 'baseline', status: 'kept', score: 3 })]))).toBe('0 trials (0 kept, 0 discarded, 0 failed; the baseline not counted)');
  });
});
