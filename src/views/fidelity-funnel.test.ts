import { describe, expect, it } from 'vitest';
import type { TrialLevelRecord } from '../core/fidelity.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { fidelityFunnel } from './fidelity-funnel.ts';

const NAMES = ['s', 'm', 'full'];
const rec = (trialId: number, level: number, score: number | null, runMs: number): TrialLevelRecord => ({
  trialId,
  level,
  levelName: NAMES[level]!,
  status: score === null ? 'failed' : 'scored',
  label: score === null ? 'crash' : null,
  score,
  metrics: {},
  samples: [],
  runMs,
  measuredAt: '',
});

describe('the fidelity funnel', () => {
  it('counts per level the trials measured, failed, stopped, waiting and climbed, and the run time each level cost', () => {
    const trials = [
      makeTrial({ id: 0, status: 'kept' }),
      makeTrial({ id: 1, status: 'kept' }), // s -> m -> full
      makeTrial({ id: 2, status: 'failed', label: 'pruned' }), // stopped at s
      makeTrial({ id: 3, status: 'failed', label: 'pruned' }), // stopped at m
      makeTrial({ id: 4, status: 'failed', label: 'crash' }), // crashed at s
      makeTrial({ id: 5, status: 'pending', finishedAt: null }), // scored at s, waits for m
    ];
    const records = [
      ...[0, 1, 2].map((level) => rec(0, level, 3 - level, 1000 * 3 ** level)),
      rec(1, 0, 2.5, 1000), rec(1, 1, 1.5, 3000), rec(1, 2, 0.9, 9000),
      rec(2, 0, 2.9, 1000),
      rec(3, 0, 2.6, 1000), rec(3, 1, 2.2, 3000),
      rec(4, 0, null, 500),
      rec(5, 0, 2.0, 1000),
    ];
    const funnel = fidelityFunnel({ levels: [{ name: 's', scale: 0.1 }, { name: 'm', scale: 0.3 }, { name: 'full', scale: 1 }] }, 'minimize', trials, records);
    expect(funnel.levels.map(({ name, measured, scored, failed, stopped, waiting, climbed }) => ({ name, measured, scored, failed, stopped, waiting, climbed }))).toEqual([
      { name: 's', measured: 5, scored: 4, failed: 1, stopped: 1, waiting: 1, climbed: 2 },
      { name: 'm', measured: 2, scored: 2, failed: 0, stopped: 1, waiting: 0, climbed: 1 },
      { name: 'full', measured: 1, scored: 1, failed: 0, stopped: 0, waiting: 0, climbed: 1 },
    ]);
    expect(funnel.levels.map((level) => level.best)).toEqual([2.0, 1.5, 0.9]);
    expect(funnel.levels.map((level) => level.runSeconds)).toEqual([4.5, 6, 9]);
    expect(funnel.levels[2]!.meanRunSeconds).toBe(9);
    expect(funnel.runSeconds).toBe(19.5);
    // Five trials measured; at full alone each would have cost 9 s.
    expect(funnel.fullOnlySeconds).toBe(45);
  });

  it('has no full-only estimate before a full-level run, and best follows the direction', () => {
    const funnel = fidelityFunnel({ levels: [{ name: 's' }, { name: 'full' }] }, 'maximize', [makeTrial({ id: 1, status: 'pending', finishedAt: null })], [rec(1, 0, 2, 10), rec(0, 0, 3, 10)]);
    expect(funnel.fullOnlySeconds).toBeNull();
    expect(funnel.levels[0]).toMatchObject({ measured: 1, best: 3, scale: null, waiting: 1 });
  });
});
