import { afterEach, describe, expect, it } from 'vitest';
import { addSpan, engineProfile, lapTimer } from './engine-profile.ts';

afterEach(() => {
  engineProfile({ enable: false, reset: true });
});

describe('engineProfile', () => {
  it('keeps nothing while off', () => {
    addSpan(1, 'start', 5);
    lapTimer(1)('run.files');
    expect(engineProfile().size).toBe(0);
  });

  it('sums the parts of each trial while on, and empties on reset', () => {
    engineProfile({ enable: true });
    addSpan(1, 'run.executor', 5);
    addSpan(1, 'run.executor', 2.5);
    addSpan(2, 'seal', 1);
    const parts = engineProfile({ reset: true });
    expect(parts.get(1)).toEqual({ 'run.executor': 7.5 });
    expect(parts.get(2)).toEqual({ seal: 1 });
    expect(engineProfile().size).toBe(0);
  });

  it('times laps from the previous one, and skips what lap(null) passes over', async () => {
    engineProfile({ enable: true });
    const lap = lapTimer(3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    lap(null);
    lap('gates');
    await new Promise((resolve) => setTimeout(resolve, 20));
    lap('start');
    const parts = engineProfile().get(3)!;
    expect(parts.gates).toBeLessThan(15);
    expect(parts.start).toBeGreaterThanOrEqual(15);
  });
});
