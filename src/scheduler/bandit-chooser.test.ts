import { describe, expect, it } from 'vitest';
import type { Specialist } from '../core/specialist.ts';
import type { Objective } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { BanditChooser } from './bandit-chooser.ts';
import { seededRandom } from '../core/random.ts';

const OBJECTIVE: Objective = { metric: 'loss', direction: 'minimize' };

function specialist(name: string): Specialist {
  return { spec: { name, kind: 'knobs', surface: 's', options: {} }, propose: async () => null };
}

/**
 * A simulated study: each step the chooser picks a specialist, the specialist's trial
 * "finishes" at once and is kept with its own probability (a new best each time).
 */
function simulate(chooser: BanditChooser, specialists: Specialist[], keepRate: Record<string, number>, steps: number, seed = 7, start: TrialRecord[] = []) {
  const random = seededRandom(seed);
  const trials = [...start];
  let best = Math.min(...trials.filter((trial) => trial.score !== null).map((trial) => trial.score!), 100);
  const picks: string[] = [];
  for (let step = 0; step < steps; step++) {
    const next = chooser.next(specialists);
    expect(next).not.toBeNull();
    const name = next!.spec.name;
    chooser.markProductive(name);
    picks.push(name);
    const kept = random() < keepRate[name]!;
    const trial = makeTrial({ id: trials.length, specialist: name, status: kept ? 'kept' : 'discarded', score: kept ? --best : best + 5 });
    trials.push(trial);
    chooser.record(trial);
  }
  const count = (name: string) => picks.filter((pick) => pick === name).length;
  return { picks, count, trials };
}

describe('BanditChooser', () => {
  it('tries every specialist first, in declaration order', () => {
    const all = ['a', 'b', 'c'].map(specialist);
    const chooser = new BanditChooser(all, { objective: OBJECTIVE });
    expect([chooser.next(all), chooser.next(all), chooser.next(all)].map((s) => s!.spec.name)).toEqual(['a', 'b', 'c']);
  });

  it('prefers a specialist that keeps finding improvements, and still explores the one that never does', () => {
    const all = [specialist('never'), specialist('good')];
    const chooser = new BanditChooser(all, { objective: OBJECTIVE });
    const { count } = simulate(chooser, all, { good: 0.3, never: 0 }, 100);
    expect(count('good')).toBeGreaterThan(80);
    expect(count('never')).toBeGreaterThanOrEqual(3); // 4 to 10 over seeds 1-20
    const rows = Object.fromEntries(chooser.rows().map((row) => [row.specialist, row]));
    expect(rows['never']!.payoff).toBe(0);
    expect(rows['good']!.payoff).toBeGreaterThan(0.1);
  });

  it('moves to a specialist that starts paying off once the other saturates', () => {
    const all = [specialist('a'), specialist('b')];
    const chooser = new BanditChooser(all, { objective: OBJECTIVE, window: 30 });
    const first = simulate(chooser, all, { a: 0.5, b: 0.05 }, 60, 3);
    expect(first.count('a')).toBeGreaterThan(first.count('b'));
    const second = simulate(chooser, all, { a: 0, b: 0.5 }, 60, 4, first.trials);
    expect(second.picks.slice(-30).filter((pick) => pick === 'b').length).toBeGreaterThan(20);
  });

  it('gives a newly added specialist priority over proven ones', () => {
    const old = [specialist('a'), specialist('b')];
    const history = simulate(new BanditChooser(old, { objective: OBJECTIVE }), old, { a: 0.5, b: 0.2 }, 20);
    const all = [...old, specialist('new')];
    const chooser = new BanditChooser(all, { objective: OBJECTIVE });
    for (const trial of history.trials) chooser.record(trial);
    expect(chooser.next(all)!.spec.name).toBe('new');
    // Its proposals in flight count as uses: it does not take every free slot while they run.
    const more = [chooser.next(all), chooser.next(all), chooser.next(all)].map((s) => s!.spec.name);
    expect(more.filter((name) => name !== 'new').length).toBeGreaterThan(0);
  });

  it('is a pure function of the recorded trials: two choosers with the same history choose alike', () => {
    const all = [specialist('x'), specialist('y'), specialist('z')];
    const { trials } = simulate(new BanditChooser(all, { objective: OBJECTIVE }), all, { x: 0.1, y: 0.4, z: 0.2 }, 40, 11);
    const one = new BanditChooser(all, { objective: OBJECTIVE });
    const two = new BanditChooser(all, { objective: OBJECTIVE });
    for (const trial of trials) one.record(trial);
    for (const trial of [...trials].reverse()) two.record(trial);
    expect(one.next(all)!.spec.name).toBe(two.next(all)!.spec.name);
    expect(one.payoffs()).toEqual(two.payoffs());
  });

  it('does not ask an idle specialist again until a trial is recorded; all idle means stop', () => {
    const all = [specialist('a'), specialist('b')];
    const chooser = new BanditChooser(all, { objective: OBJECTIVE });
    expect(chooser.next(all)!.spec.name).toBe('a');
    expect(chooser.markIdle('a')).toBe(false);
    expect(chooser.next(all)!.spec.name).toBe('b');
    expect(chooser.next([all[0]!])).toBeNull(); // 'a' has had its say on this state of the study
    chooser.markProductive('b');
    chooser.record(makeTrial({ id: 1, specialist: 'b', status: 'discarded', score: 5 }));
    expect(chooser.next([all[0]!])!.spec.name).toBe('a');
    expect(chooser.markIdle('a')).toBe(false);
    expect(chooser.next(all)!.spec.name).toBe('b');
    expect(chooser.markIdle('b')).toBe(true);
  });

  it('ignores the baseline, unfinished trials and trials recorded twice', () => {
    const all = [specialist('a')];
    const chooser = new BanditChooser(all, { objective: OBJECTIVE });
    chooser.record(makeTrial({ id: 0, specialist: 'baseline', status: 'kept', score: 10 }));
    chooser.record(makeTrial({ id: 1, specialist: 'a', status: 'running', finishedAt: null }));
    const kept = makeTrial({ id: 2, specialist: 'a', status: 'kept', score: 9 });
    chooser.record(kept);
    chooser.record(kept);
    expect(chooser.payoffs().rows).toMatchObject([{ specialist: 'a', trials: 1, kept: 1, uses: 1, payoff: 1 }]);
  });
});

describe('BanditChooser: expected gain per unit of cost, not per trial', () => {
  /** Like `simulate`, each specialist's trials taking `costMs` of wall time (timings.totalMs). */
  function simulateWithCosts(chooser: BanditChooser, specialists: Specialist[], keepRate: Record<string, number>, costMs: Record<string, number>, steps: number, seed = 7) {
    const random = seededRandom(seed);
    let best = 100;
    const picks: string[] = [];
    for (let step = 0; step < steps; step++) {
      const name = chooser.next(specialists)!.spec.name;
      chooser.markProductive(name);
      picks.push(name);
      const kept = random() < keepRate[name]!;
      const trial = makeTrial({ id: step + 1, specialist: name, status: kept ? 'kept' : 'discarded', score: kept ? --best : best + 5 });
      trial.timings = { totalMs: costMs[name]! };
      chooser.record(trial);
    }
    return (name: string) => picks.filter((pick) => pick === name).length;
  }

  it('gives fewer proposals to a specialist whose trials cost 5x as much for the same keep rate', () => {
    const all = [specialist('costly'), specialist('cheap')];
    const rates = { costly: 0.3, cheap: 0.3 };
    const costs = { costly: 5_000, cheap: 1_000 };
    // Summed over 10 seeds of 100 trials: per trial the two are alike (which one locks in is luck).
    let aware = 0;
    let perTrial = 0;
    let costlyMin = Infinity;
    for (let seed = 1; seed <= 10; seed++) {
      const counted = simulateWithCosts(new BanditChooser(all, { objective: OBJECTIVE }), all, rates, costs, 100, seed);
      aware += counted('cheap');
      costlyMin = Math.min(costlyMin, counted('costly'));
      perTrial += simulateWithCosts(new BanditChooser(all, { objective: OBJECTIVE, costAware: false }), all, rates, costs, 100, seed)('cheap');
    }
    // Measured: 737 cost-aware against 501 per trial; the costly one got at least 4 of every 100.
    expect(aware).toBeGreaterThan(650);
    expect(aware).toBeGreaterThan(perTrial + 150);
    expect(costlyMin).toBeGreaterThanOrEqual(2); // still explored
  });

  it('weighs the payoff by the relative cost: 5x the cost must earn 5x the payoff to score the same', () => {
    const all = [specialist('costly'), specialist('cheap')];
    const chooser = new BanditChooser(all, { objective: OBJECTIVE });
    let id = 1;
    const record = (name: string, kept: boolean, totalMs: number) => {
      const trial = makeTrial({ id, specialist: name, status: kept ? 'kept' : 'discarded', score: kept ? 100 - id : 200 });
      trial.timings = { totalMs };
      id++;
      chooser.record(trial);
    };
    for (let i = 0; i < 4; i++) record('costly', true, 5_000);
    for (let i = 0; i < 4; i++) record('cheap', i === 3, 1_000);
    const rows = Object.fromEntries(chooser.payoffs().rows.map((row) => [row.specialist, row]));
    expect(rows['costly']!.relativeCost / rows['cheap']!.relativeCost).toBeCloseTo(5, 6);
    expect(rows['costly']!.meanCostMs).toBe(5_000);
    const rowView = Object.fromEntries(chooser.rows().map((row) => [row.specialist, row.relativeCost]));
    expect(rowView['costly']).toBeCloseTo(5 / 3, 6); // 5 s over the study's mean of 3 s
  });

  it('weighs a trial in flight at its predicted cost until its measured cost is recorded', () => {
    const all = [specialist('wide'), specialist('narrow')];
    const chooser = new BanditChooser(all, { objective: OBJECTIVE });
    const finished = (id: number, name: string, totalMs: number) => Object.assign(makeTrial({ id, specialist: name, status: 'discarded', score: 200 }), { timings: { totalMs } });
    chooser.record(finished(1, 'wide', 1_000));
    chooser.record(finished(2, 'narrow', 1_000));
    expect(chooser.payoffs().rows.map((row) => row.relativeCost)).toEqual([1, 1]);
    // wide's next trial is predicted at 9 s before it runs: its mean cost is (1 + 9) / 2 = 5 s against the study's (1 + 9 + 1) / 3.
    chooser.predictCost({ id: 3, specialist: 'wide' }, 9_000);
    const rows = Object.fromEntries(chooser.payoffs().rows.map((row) => [row.specialist, row]));
    expect(rows['wide']!.meanCostMs).toBe(5_000);
    expect(rows['wide']!.relativeCost).toBeCloseTo(5 / (11 / 3), 6);
    expect(rows['narrow']!.relativeCost).toBeCloseTo(1 / (11 / 3), 6);
    // Once recorded, the measured cost replaces the prediction (and is counted once).
    chooser.record(finished(3, 'wide', 4_000));
    expect(Object.fromEntries(chooser.payoffs().rows.map((row) => [row.specialist, row.meanCostMs]))).toEqual({ wide: 2_500, narrow: 1_000 });
  });
});
