import { describe, expect, it, vi } from 'vitest';
import type { TrialRecord } from '../core/trial.ts';
import type { LevelOutcome } from '../evaluator/evaluate-level.ts';
import { fillSlots } from './trial-steps.ts';
import { openLadderDriver, useLadderFixture, waitingProposal } from '../testing/ladder-driver.ts';

const ladder = useLadderFixture();
const proposal = waitingProposal;

describe('fillSlots on a fidelity ladder', () => {
  it('gives a slot freed while a proposal was being recorded to a promotion made meanwhile, before the next waiting proposal', async () => {
    const fixture = await ladder.open((task) => ({ ...task, parallel: 2 }));
    await fixture.recordBaseline();
    const promoted = await fixture.createTrial({ hypothesis: 'measured at s, promoted to m' });
    // Every level is "measured" by this stand-in for a worker: it records what was started, in order, and holds the slot until released.
    const started: string[] = [];
    const releases: Array<() => void> = [];
    const awaitLevel = (trial: TrialRecord, level: number): Promise<LevelOutcome> => {
      started.push(`#${trial.id} ${trial.hypothesis} at level ${level}`);
      return new Promise((_resolve, reject) => releases.push(() => reject(new Error('released by the test'))));
    };
    // One slot is held by a trial in flight; the other is free. Two proposals wait.
    let occupant: { release(): void } | null = null;
    const runtime = {
      ...fixture.runtime,
      events: {
        emit: (name: string) => {
          // While proposal A is being recorded, the trial in flight finishes and its result promotes `promoted` to m.
          if (name !== 'trial.created' || occupant === null) return;
          occupant.release();
          driver.state.running.delete(inFlight);
          occupant = null;
          driver.state.promotions.push({ trialId: promoted.id, level: 1 });
        },
      },
    };
    const driver = await openLadderDriver(runtime, awaitLevel);
    occupant = await driver.slots.acquire();
    const inFlight = { trialId: 999, done: Promise.resolve() };
    driver.state.running.add(inFlight);
    driver.state.waiting.push(proposal('A'), proposal('B'));

    await fillSlots(driver);

    expect(driver.state.promotions).toEqual([]);
    expect(driver.state.waiting.map((item) => item.proposal.hypothesis)).toEqual(['B']); // B waits for the next free slot
    expect([...driver.state.running].map((run) => run.trialId).sort()).toEqual([promoted.id, promoted.id + 1]);
    await vi.waitFor(() => expect(started).toEqual([`#${promoted.id + 1} A at level 0`, `#${promoted.id} measured at s, promoted to m at level 1`]));
    for (const release of releases) release();
    await Promise.all([...driver.state.running].map((run) => run.done));
  });
});
