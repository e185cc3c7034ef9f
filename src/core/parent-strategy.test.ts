import { describe, expect, it } from 'vitest';
import { makeTrial } from '../testing/trial-fixture.ts';
import { chooseParent, featureCell, islandOf, parentNoteLine, type ParentChoiceInput } from './parent-strategy.ts';
import { seededRandom } from './random.ts';
import type { TrialRecord } from './trial.ts';

const objective = { metric: 'loss', direction: 'minimize' as const };

function input(trials: TrialRecord[], extra: Partial<ParentChoiceInput> = {}): ParentChoiceInput {
  const kept = trials.filter((trial) => trial.status === 'kept');
  return { trials, incumbent: kept.at(-1) ?? trials[0]!, objective, specialist: 'coder', random: seededRandom(1), ...extra };
}

const baseline = makeTrial({ id: 0, status: 'kept', score: 10, specialist: 'baseline', parent: null });

describe('chooseParent', () => {
  it('incumbent: the incumbent', () => {
    const trials = [baseline, makeTrial({ id: 1, status: 'kept', score: 8, parent: 0 })];
    expect(chooseParent({ strategy: 'incumbent' }, input(trials)).trial.id).toBe(1);
  });

  it('front: the front member this specialist built on least; a single objective falls back to the incumbent', () => {
    const objectives = [objective, { metric: 'bytes', direction: 'minimize' as const }];
    const trials = [
      makeTrial({ ...baseline, metrics: { loss: 10, bytes: 10 } }),
      makeTrial({ id: 1, status: 'kept', score: 5, metrics: { loss: 5, bytes: 20 }, parent: 0 }),
      makeTrial({ id: 2, status: 'kept', score: 20, metrics: { loss: 20, bytes: 5 }, parent: 0 }),
      makeTrial({ id: 3, status: 'discarded', score: 30, metrics: { loss: 30, bytes: 30 }, parent: 1, specialist: 'coder' }),
      makeTrial({ id: 4, status: 'discarded', score: 30, metrics: { loss: 30, bytes: 31 }, parent: 0, specialist: 'coder' }),
    ];
    const choice = chooseParent({ strategy: 'front' }, input(trials, { objectives }));
    expect(choice.trial.id).toBe(2); // #0 and #1 were each built on once, #2 never
    expect(choice.reason).toContain('3 on the front');
    expect(chooseParent({ strategy: 'front' }, input(trials)).trial.id).toBe(2); // the incumbent (the most recently kept)
  });

  it('tournament: the best of `size` scored trials drawn at random, never a failed one', () => {
    const trials = [
      baseline,
      makeTrial({ id: 1, status: 'kept', score: 8, parent: 0 }),
      makeTrial({ id: 2, status: 'discarded', score: 9, parent: 0 }),
      makeTrial({ id: 3, status: 'failed', score: null, label: 'crash', parent: 0 }),
      makeTrial({ id: 4, status: 'discarded', score: 12, parent: 1 }),
    ];
    const all = chooseParent({ strategy: 'tournament', size: 10 }, input(trials));
    expect(all.trial.id).toBe(1);
    expect(all.reason).toMatch(/tournament of 4 scored trials/);
    const picks = new Set<number>();
    const random = seededRandom(3);
    for (let i = 0; i < 60; i += 1) picks.add(chooseParent({ strategy: 'tournament', size: 2 }, input(trials, { random })).trial.id);
    expect([...picks].sort()).toEqual([0, 1, 2]); // #4 never wins a pair (it is the worst); #3 never enters
  });

  it('islands: round robin from the baseline, each island from its own best, migrants every `migration` trials', () => {
    const spec = { strategy: 'islands' as const, islands: 3, migration: 2 };
    const trials: TrialRecord[] = [baseline];
    const first = chooseParent(spec, input(trials));
    expect(first).toMatchObject({ island: 0, trial: { id: 0 } });
    // island 0 got a good trial, island 1 a poor one, island 2 a middling one
    trials.push(makeTrial({ id: 1, status: 'kept', score: 2, parent: 0, notes: parentNoteLine(first) }));
    trials.push(makeTrial({ id: 2, status: 'discarded', score: 11, parent: 0, notes: 'parent #0 by strategy islands [island 1]: …' }));
    trials.push(makeTrial({ id: 3, status: 'discarded', score: 9, parent: 0, notes: 'parent #0 by strategy islands [island 2]: …' }));
    expect(islandOf(trials[1]!)).toBe(0);
    const next = chooseParent(spec, input(trials));
    expect(next).toMatchObject({ island: 0, trial: { id: 1 } }); // all have 1 trial: island 0, its best
    trials.push(makeTrial({ id: 4, status: 'discarded', score: 3, parent: 1, notes: 'x [island 0]' }));
    // island 1 has 1 trial (the fewest), its best is #2
    expect(chooseParent(spec, input(trials))).toMatchObject({ island: 1, trial: { id: 2 } });
    trials.push(makeTrial({ id: 5, status: 'discarded', score: 12, parent: 2, notes: 'x [island 1]' }));
    // island 2 has 1 trial: its best is #3
    expect(chooseParent(spec, input(trials))).toMatchObject({ island: 2, trial: { id: 3 } });
    trials.push(makeTrial({ id: 6, status: 'discarded', score: 9.5, parent: 3, notes: 'x [island 2]' }));
    // every island has 2 trials: island 0's turn; a migration turn, but island 2's best (9) does not beat island 0's (2)
    expect(chooseParent(spec, input(trials))).toMatchObject({ island: 0, trial: { id: 1 } });
    trials.push(makeTrial({ id: 7, status: 'discarded', score: 4, parent: 1, notes: 'x [island 0]' }));
    // island 1 (2 trials, best 11): a migration turn; island 0's best (2) beats it: a migrant
    const migrant = chooseParent(spec, input(trials));
    expect(migrant).toMatchObject({ island: 1, trial: { id: 1 } });
    expect(migrant.reason).toContain('a migrant, the best of island 0');
    expect(parentNoteLine(migrant)).toMatch(/^parent #1 by strategy islands \[island 1\]: /);
  });

  it('map_elites: the elite of a filled feature cell, drawn at random; every cell gets its turn', () => {
    const spec = { strategy: 'map_elites' as const, bins: { seconds: [10, 30] } };
    expect(chooseParent(spec, input([baseline]))).toMatchObject({ trial: { id: 0 }, strategy: 'map_elites' });
    expect(chooseParent(spec, input([baseline])).reason).toContain('no scored trial reports seconds');
    const trials = [
      makeTrial({ ...baseline, metrics: { loss: 10, seconds: 20 } }),
      makeTrial({ id: 1, status: 'kept', score: 5, metrics: { loss: 5, seconds: 50 }, parent: 0 }), // slow cell's elite
      makeTrial({ id: 2, status: 'discarded', score: 12, metrics: { loss: 12, seconds: 5 }, parent: 0 }),
      makeTrial({ id: 3, status: 'discarded', score: 11, metrics: { loss: 11, seconds: 6 }, parent: 2 }), // fast cell's elite
      makeTrial({ id: 4, status: 'discarded', score: 9, metrics: { loss: 9, seconds: 60 }, parent: 1 }),
      makeTrial({ id: 5, status: 'failed', score: null, metrics: { seconds: 1 }, parent: 0 }),
      makeTrial({ id: 6, status: 'discarded', score: 1, metrics: { loss: 1 }, parent: 0 }), // no seconds: not binned
    ];
    const random = seededRandom(7);
    const picked = new Set<number>();
    for (let draw = 0; draw < 30; draw += 1) picked.add(chooseParent(spec, input(trials, { random })).trial.id);
    expect([...picked].sort()).toEqual([0, 1, 3]); // middle cell: the baseline; slow: #1; fast: #3
    const choice = chooseParent(spec, input(trials, { random: () => 0.99 }));
    expect(choice.reason).toMatch(/the elite of the cell (seconds < 10|10 <= seconds < 30|seconds >= 30), drawn at random among the 3 filled cells of 3/);
    expect(featureCell(spec.bins, { seconds: 10 })).toEqual([1]);
    expect(featureCell({ a: [1], b: [0, 2] }, { a: 0, b: 5 })).toEqual([0, 2]);
    expect(featureCell(spec.bins, {})).toBeNull();
  });
});
