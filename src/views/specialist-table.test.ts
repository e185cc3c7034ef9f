import { describe, expect, it } from 'vitest';
import { makeTrial } from '../testing/trial-fixture.ts';
import { chainTo, incumbentOf } from './lineage-view.ts';
import { specialistTable } from './specialist-table.ts';

describe('specialistTable', () => {
  it('attributes the incumbent gain along the chain and computes payoff per hour', () => {
    const trials = [
      makeTrial({ id: 0, specialist: 'baseline', status: 'kept', score: 10, finishedAt: '2026-01-01T00:00:00.000Z' }),
      makeTrial({ id: 1, specialist: 'tuner', parent: 0, status: 'kept', score: 7, timings: { totalMs: 3_600_000 }, finishedAt: '2026-01-01T00:01:00.000Z' }),
      makeTrial({ id: 2, specialist: 'llm', parent: 1, status: 'kept', score: 6, timings: { totalMs: 1_800_000 }, cost: { usd: 0.5, inputTokens: 1, outputTokens: 1, cachedTokens: 0 }, finishedAt: '2026-01-01T00:02:00.000Z' }),
      makeTrial({ id: 3, specialist: 'llm', parent: 2, status: 'failed', label: 'crash', timings: { totalMs: 1_800_000 } }),
      makeTrial({ id: 4, specialist: 'tuner', parent: 2, status: 'discarded', score: 6.5, timings: { totalMs: 3_600_000 } }),
    ];
    const byId = new Map(trials.map((t) => [t.id, t]));
    const chain = chainTo(incumbentOf(trials), byId);
    expect(chain.map((t) => t.id)).toEqual([0, 1, 2]);
    const rows = specialistTable(trials, chain, { metric: 'loss', direction: 'minimize' });
    expect(rows.map((r) => r.specialist)).toEqual(['llm', 'tuner']);
    const tuner = rows.find((r) => r.specialist === 'tuner')!;
    const llm = rows.find((r) => r.specialist === 'llm')!;
    expect(tuner).toMatchObject({ trials: 2, kept: 1, discarded: 1, improvement: 3, share: 0.75, keepRate: 0.5, payoffPerHour: 1.5 });
    expect(llm).toMatchObject({ trials: 2, kept: 1, failed: 1, improvement: 1, share: 0.25, costUsd: 0.5, payoffPerHour: 1 });
  });

  it('has no share before any improvement', () => {
    const trials = [makeTrial({ id: 0, specialist: 'baseline', status: 'kept', score: 1 }), makeTrial({ id: 1, status: 'failed', label: 'oom' })];
    const rows = specialistTable(trials, chainTo(incumbentOf(trials), new Map(trials.map((t) => [t.id, t]))), { metric: 'acc', direction: 'maximize' });
    expect(rows).toEqual([expect.objectContaining({ specialist: 'tuner', share: null, improvement: 0, payoffPerHour: null })]);
  });
});
