import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import type { FailureLabel, TrialRecord, TrialStatus } from '../core/trial.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { specialistPayoffs } from './payoff.ts';
import { PayoffAccumulator } from './payoff-accumulator.ts';

/** Random trials: several specialists, every status, labels the table skips, finish times out of id order and tied, costs in whole cents. */
function randomTrials(seed: number, count: number): TrialRecord[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const trials = [makeTrial({ id: 0, specialist: 'baseline', parent: null, status: 'kept', score: 10 })];
  for (let id = 1; id < count; id++) {
    const status = pick<TrialStatus>(['kept', 'kept', 'discarded', 'discarded', 'failed', 'running', 'pending']);
    const finished = status !== 'running' && status !== 'pending';
    const label = status === 'failed' ? pick<FailureLabel>(['crash', 'infra_error', 'interrupted', 'oom']) : null;
    trials.push(
      makeTrial({
        id,
        specialist: pick(['a', 'b', 'c', 'd']),
        status,
        label,
        score: status === 'kept' || status === 'discarded' ? Math.round((10 - random() * 5) * 4) / 4 : null,
        finishedAt: finished ? new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * count) * 1000).toISOString() : null,
        cost: random() < 0.5 ? { usd: Math.floor(random() * 100) / 100, inputTokens: 0, outputTokens: 0, cachedTokens: 0 } : null,
        timings: { totalMs: Math.floor(random() * 5000) },
      }),
    );
  }
  return trials;
}

describe('PayoffAccumulator', () => {
  it('gives the table specialistPayoffs computes from every trial, as trials arrive in any order, for any window', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const trials = randomTrials(seed, 40 + seed * 15);
      const window = [1, 5, 50][seed % 3]!;
      const objective = { metric: 'loss', direction: seed % 2 ? 'minimize' : 'maximize' } as const;
      const order = seededRandom(seed * 7);
      const arriving = seed % 4 === 0 ? trials : [...trials].sort(() => order() - 0.5);
      const accumulator = new PayoffAccumulator(window);
      const added: TrialRecord[] = [];
      for (const trial of arriving) {
        accumulator.add(trial);
        accumulator.add(trial); // a second add changes nothing
        added.push(trial);
        const expected = specialistPayoffs(added, objective, window);
        const actual = accumulator.table(objective);
        // Costs are summed in arrival order: equal to the cent.
        const cents = (table: typeof expected) => ({ ...table, rows: table.rows.map((row) => ({ ...row, costUsd: Math.round(row.costUsd * 100) })) });
        expect(cents(actual)).toEqual(cents(expected));
      }
      expect(accumulator.has(trials.length - 1)).toBe(true);
      expect(accumulator.has(trials.length + 5)).toBe(false);
    }
  });
});
