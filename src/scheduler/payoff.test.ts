import { describe, expect, it } from 'vitest';
import type { Objective } from '../core/task.ts';
import type { FailureLabel, TrialRecord, TrialStatus } from '../core/trial.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { banditScore, specialistPayoffs } from './payoff.ts';

const MINIMIZE: Objective = { metric: 'loss', direction: 'minimize' };

/** A history builder: trials finish in the order they are added. */
function history(baselineScore = 10) {
  const trials: TrialRecord[] = [];
  const add = (specialist: string, status: TrialStatus, score: number | null, extra: { label?: FailureLabel; usd?: number; totalMs?: number } = {}): TrialRecord => {
    const id = trials.length;
    const trial = makeTrial({
      id,
      specialist,
      status,
      score,
      label: extra.label ?? (status === 'failed' ? 'crash' : null),
      timings: { totalMs: extra.totalMs ?? 1000 },
      cost: extra.usd === undefined ? null : { usd: extra.usd, inputTokens: 0, outputTokens: 0, cachedTokens: 0 },
      ...(status === 'pending' || status === 'running' ? { finishedAt: null } : {}),
    });
    trials.push(trial);
    return trial;
  };
  add('baseline', 'kept', baselineScore);
  return { trials, add };
}

describe('specialistPayoffs', () => {
  it("computes OpenTuner's AUC credit: later successes weigh more, all successes give 1", () => {
    const { trials, add } = history();
    let best = 10;
    const outcome = (name: string, success: boolean) => (success ? add(name, 'kept', --best) : add(name, 'discarded', 20));
    [true, false, false].forEach((success) => outcome('early', success));
    [false, false, true].forEach((success) => outcome('late', success));
    [true, true].forEach((success) => outcome('always', success));
    [false, false].forEach((success) => outcome('never', success));
    const rows = Object.fromEntries(specialistPayoffs(trials, MINIMIZE).rows.map((row) => [row.specialist, row]));
    expect(rows['early']!.payoff).toBeCloseTo((1 * 2) / (3 * 4));
    expect(rows['late']!.payoff).toBeCloseTo((3 * 2) / (3 * 4));
    expect(rows['always']!.payoff).toBe(1);
    expect(rows['never']!.payoff).toBe(0);
    expect(rows['early']!.uses).toBe(3);
  });

  it('shares the improvement over the baseline among the specialists whose kept trials made it', () => {
    const { trials, add } = history(10);
    add('a', 'kept', 8); // +2
    add('b', 'kept', 5); // +3
    add('a', 'discarded', 6);
    add('c', 'failed', null, { usd: 0.25 });
    add('c', 'running', null, { usd: 0.5 });
    const table = specialistPayoffs(trials, MINIMIZE);
    expect(table.totalImprovement).toBe(5);
    const rows = Object.fromEntries(table.rows.map((row) => [row.specialist, row]));
    expect(rows['a']).toMatchObject({ trials: 2, kept: 1, failed: 0, improvement: 2, share: 0.4, computeMs: 2000 });
    expect(rows['b']).toMatchObject({ trials: 1, kept: 1, share: 0.6 });
    expect(rows['c']).toMatchObject({ trials: 1, kept: 0, failed: 1, inFlight: 1, share: 0, costUsd: 0.75 });
    expect(table.rows.map((row) => row.specialist)).toEqual(['a', 'b', 'c']);
  });

  it('maximising: the improvement is signed by the direction', () => {
    const { trials, add } = history(0.5);
    add('a', 'kept', 0.7);
    add('b', 'kept', 0.8);
    const table = specialistPayoffs(trials, { metric: 'acc', direction: 'maximize' });
    expect(table.totalImprovement).toBeCloseTo(0.3);
    expect(table.rows.find((row) => row.specialist === 'a')!.share).toBeCloseTo(2 / 3);
  });

  it('counts only the window for the payoff, and never the machine’s failures', () => {
    const { trials, add } = history();
    add('a', 'kept', 9);
    add('a', 'kept', 8);
    for (let i = 0; i < 4; i++) add('a', 'discarded', 20);
    add('b', 'failed', null, { label: 'infra_error' });
    add('b', 'failed', null, { label: 'interrupted' });
    const table = specialistPayoffs(trials, MINIMIZE, 4);
    const a = table.rows.find((row) => row.specialist === 'a')!;
    expect(a).toMatchObject({ trials: 6, kept: 2, uses: 4, payoff: 0 });
    expect(table.rows.find((row) => row.specialist === 'b')).toMatchObject({ trials: 1, failed: 1, uses: 0, payoff: 0 }); // the infra_error trial is not b's (its retry is)
    expect(table.windowResults).toBe(4);
  });

  it('is a pure function of the trials (order of the input does not matter)', () => {
    const { trials, add } = history();
    add('a', 'kept', 9);
    add('b', 'discarded', 11);
    add('a', 'discarded', 12);
    add('b', 'kept', 7);
    expect(specialistPayoffs([...trials].reverse(), MINIMIZE)).toEqual(specialistPayoffs(trials, MINIMIZE));
  });
});

describe('banditScore', () => {
  it('is infinite without results, and the exploration bonus shrinks with uses', () => {
    expect(banditScore(0, 0, 10, 0.25)).toBe(Infinity);
    expect(banditScore(0.5, 4, 16, 0.25)).toBeCloseTo(0.5 + 0.25 * Math.sqrt((2 * 4) / 4));
    expect(banditScore(0, 2, 16, 0.25)).toBeGreaterThan(banditScore(0, 8, 16, 0.25));
    expect(banditScore(0.3, 1, 1, 0.25)).toBe(0.3);
  });
});
