import { describe, expect, it, vi } from 'vitest';
import type { TrialLevelRecord } from '../core/fidelity.ts';
import type { RuntimeFixture } from '../testing/runtime-fixture.ts';
import type { Driver } from './driver.ts';
import { fillSlots } from './trial-steps.ts';
import { scriptedLevelDriver, useLadderFixture, waitingProposal } from '../testing/ladder-driver.ts';

const ladder = useLadderFixture();
const proposal = waitingProposal;

/**
 * A driver on the ladder fixture (two slots; successive halving, eta 2, every decision at
 * once: min_rung 1; the baseline measured at the full level only) whose levels are "measured" by a stand-in for a worker: each level
 * waits until the test scores it (`score(trialId, loss)` records the level and hands it back).
 */
async function ladderDriver(): Promise<{ fixture: RuntimeFixture; driver: Driver; asked: number[]; score(trialId: number, loss: number): Promise<void> }> {
  const fixture = await ladder.open((task) => ({ ...task, parallel: 2, fidelity: { ...task.fidelity!, promote: { rule: 'successive_halving', eta: 2, minRung: 1 } } }));
  const { store, runtime } = fixture;
  await fixture.recordBaseline({ loss: 5, size: 10 });
  const record = (trialId: number, loss: number): Promise<TrialLevelRecord> =>
    store.recordTrialLevel!(runtime.studyId, trialId, { level: 0, levelName: 's', status: 'scored', label: null, score: loss, metrics: { loss, size: 10 }, samples: [loss], runMs: 100 });
  const { driver, asked, measure } = await scriptedLevelDriver(runtime, record);
  return { fixture, driver, asked, score: measure };
}

describe('promotions wait for the peers measured beside them', () => {
  it('decides a trial that would climb only once the trial measured at the same level beside it has its result, which may outrank it', async () => {
    const { driver, asked, score } = await ladderDriver();
    driver.state.waiting.push(proposal('A'), proposal('B'));
    await fillSlots(driver);
    await vi.waitFor(() => expect(asked).toEqual([1, 2]));

    // A is the best at s so far (it would climb at once), but B is still being measured at s: A waits, holding no slot.
    await score(1, 3);
    expect(driver.state.promotions).toEqual([]);
    expect(driver.state.undecided).toEqual([{ trialId: 1, level: 0, awaiting: [2] }]);
    expect(driver.state.running.size).toBe(1);

    // B's result outranks A: of the two at s only the best climbs.
    await score(2, 2);
    expect(driver.state.promotions).toEqual([{ trialId: 2, level: 1 }]);
    expect(driver.state.undecided).toEqual([]);
    const a = await driver.runtime.store.getTrial(driver.runtime.studyId, 1);
    expect(a).toMatchObject({ status: 'failed', label: 'pruned' });
    expect(a!.labelDetail).toContain('rank 2 of 2 at s');
  });

  it('promotes at once when no other trial is being measured at its level', async () => {
    const { driver, asked, score } = await ladderDriver();
    driver.state.waiting.push(proposal('A'));
    await fillSlots(driver);
    await vi.waitFor(() => expect(asked).toEqual([1]));
    await score(1, 3);
    // Nothing else was being measured at s when A was: it climbs at once.
    expect(driver.state.promotions).toEqual([{ trialId: 1, level: 1 }]);
  });
});

describe('fillSlots when a trial finishes while the promotions are being started', () => {
  it('gives its freed slot to its promotion, not to the waiting proposal', async () => {
    const { fixture, driver, asked } = await ladderDriver();
    const promoted = await fixture.createTrial({ hypothesis: 'measured at s' });
    // Both slots are held; one proposal waits.
    const first = await driver.slots.acquire();
    await driver.slots.acquire();
    const finishing = { trialId: promoted.id, done: Promise.resolve(), level: 0 };
    driver.state.running.add(finishing).add({ trialId: 998, done: Promise.resolve(), level: 0 });
    driver.state.waiting.push(proposal('A'));
    // The trial holding the first slot is promoted and finishes while fillSlots awaits `startPromotions` (a microtask later).
    queueMicrotask(() => {
      driver.state.promotions.push({ trialId: promoted.id, level: 1 });
      first.release();
      driver.state.running.delete(finishing);
    });
    await fillSlots(driver);
    expect(driver.state.promotions).toEqual([]);
    expect(driver.state.waiting.map((item) => item.proposal.hypothesis)).toEqual(['A']);
    await vi.waitFor(() => expect(asked).toEqual([promoted.id]));
  });
});
