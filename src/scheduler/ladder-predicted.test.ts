import { describe, expect, it, vi } from 'vitest';
import { auditEventsOf } from '../core/audit-events.ts';
import { fillSlots } from './trial-steps.ts';
import { scriptedLevelDriver, useLadderFixture, waitingProposal } from '../testing/ladder-driver.ts';

const ladder = useLadderFixture();
const proposal = waitingProposal;
/** The ladder's scales and a power law on them: loss = c + 1.4 * scale^-0.5. */
const SCALES = [0.1, 0.3, 1];
const loss = (c: number, level: number) => c + 1.4 * SCALES[level]! ** -0.5;

describe('rule: predicted in the driver', () => {
  it('promotes a trial measured at s only when its chance of beating the incumbent (the model fitted across trials) clears the bar, and records the chance and the expected gain', async () => {
    const fixture = await ladder.open((task) => ({ ...task, parallel: 1, fidelity: { ...task.fidelity!, promote: { rule: 'predicted', eta: 3, confidence: 0.8, minRung: 1 } } }));
    const { store, runtime } = fixture;
    // The baseline is the incumbent (5.0 at full); two earlier trials measured at every level teach the population.
    await fixture.recordBaseline({ loss: loss(3.6, 2), size: 100 });
    const levelOf = async (trialId: number, level: number, score: number) =>
      store.recordTrialLevel!(runtime.studyId, trialId, { level, levelName: ['s', 'm', 'full'][level]!, status: 'scored', label: null, score, metrics: { loss: score, size: 10 }, samples: [score], runMs: 100 * (level + 1) });
    for (const [id, c] of [[90, 3.9], [91, 4.2]] as const) {
      await fixture.createTrial({ id, hypothesis: `history ${id}` });
      for (const level of [0, 1, 2]) await levelOf(id, level, loss(c, level));
    }
    const { driver, asked, measure } = await scriptedLevelDriver(runtime, (trialId, score) => levelOf(trialId, 0, score));

    // A: 0.1 better than the baseline at s (so, by the shared power law, about as much better at full).
    driver.state.waiting.push(proposal('A'));
    await fillSlots(driver);
    await vi.waitFor(() => expect(asked.length).toBe(1));
    const a = asked[0]!;
    await measure(a, loss(3.5, 0));
    expect(driver.state.promotions.map((promotion) => promotion.trialId)).toEqual([a]);
    const promoted = auditEventsOf(await store.listEvents(runtime.studyId, { afterId: 0, limit: 1000 }), 'trial.promoted').find((event) => event.trialId === a)!;
    expect(promoted.data.chance).toBeGreaterThan(0.5);
    expect(promoted.data.expectedClimbMs).toBeGreaterThan(0);
    expect(promoted.data.reason).toMatch(/chance 0\.\d+ of beating the incumbent's 5(\.\d+)?; expected gain [\d.]+ for a predicted/);
    expect(promoted.data.expectedGain).toBeGreaterThan(0);

    // B: 1.0 worse than the baseline at s: little chance of beating the incumbent at full (the population's spread is wide on two trials), so recorded pruned at once.
    driver.state.promotions.splice(0);
    driver.state.waiting.push(proposal('B'));
    await fillSlots(driver);
    await vi.waitFor(() => expect(asked.length).toBe(2));
    const b = asked[1]!;
    await measure(b, loss(4.6, 0));
    const recorded = await store.getTrial(runtime.studyId, b);
    expect(recorded).toMatchObject({ status: 'failed', label: 'pruned' });
    expect(recorded!.labelDetail).toMatch(/chance 0\.1\d* of beating the incumbent's 5, under 0\.2$/);
  });
});
