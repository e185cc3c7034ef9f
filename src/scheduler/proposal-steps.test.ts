import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionReport } from '../core/specialist.ts';
import { openRuntimeFixture, type RuntimeFixture } from '../testing/runtime-fixture.ts';
import { patchProposal, ScriptedSpecialist } from '../testing/scripted-specialist.ts';
import { openDriver, type Driver } from './driver.ts';
import { propose, requestProposals } from './proposal-steps.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
const never = new AbortController().signal;
let fixture: RuntimeFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

const report = (outcome: SessionReport['outcome'], usd: number): SessionReport => ({ outcome, reason: outcome === 'submitted' ? 'submitted' : 'step limit reached', cost: { usd, inputTokens: 10, outputTokens: 5, cachedTokens: 0 }, steps: 3, toolCalls: 2, retries: 0, warnings: [{ code: 'price_unknown', message: 'no price for model m' }] });

async function driverWith(...specialists: ScriptedSpecialist[]): Promise<Driver> {
  fixture = await openRuntimeFixture(FIXTURE);
  await fixture.recordBaseline();
  return openDriver(fixture.runtime, specialists, { stop: never, kill: never });
}

describe('propose', () => {
  it('queues a proposal to wait for a slot, with its time, under the specialist name', async () => {
    const agent = new ScriptedSpecialist('agent', [patchProposal('', 0, '', { cost: { usd: 0.25, inputTokens: 1, outputTokens: 1, cachedTokens: 0 } })]);
    const driver = await driverWith(agent);
    await propose(driver, agent);
    expect(driver.state.waiting).toHaveLength(1);
    expect(driver.state.waiting[0]!.proposal.specialist).toBe('agent');
    expect(driver.state.waiting[0]!.proposeMs).toEqual(expect.any(Number));
    expect(driver.state.spentUsd).toBe(0.25);
    expect(driver.state.proposing.size).toBe(0);
  });

  it('records a session without a proposal: its cost, its warnings, and why it ended', async () => {
    const agent = new ScriptedSpecialist('agent', [null], { reports: [report('no_proposal', 0.1)] });
    const driver = await driverWith(agent);
    await propose(driver, agent);
    expect(driver.state.waiting).toEqual([]);
    expect(driver.state.spentUsd).toBeCloseTo(0.1);
    const warnings = fixture!.emitted.filter(([name]) => name === 'warning').map(([, payload]) => (payload as { code: string }).code);
    expect(warnings).toEqual(['price_unknown', 'specialist_no_proposal']);
    const none = (await fixture!.store.listEvents(fixture!.runtime.studyId)).filter((event) => event.type === 'proposal.none');
    expect(none.map((event) => event.data)).toEqual([expect.objectContaining({ specialist: 'agent', outcome: 'no_proposal', steps: 3 })]);
  });

  it('drops a proposal that arrives once the driver is stopping (recorded with its cost)', async () => {
    const agent = new ScriptedSpecialist('agent', [patchProposal('agent', 0, '', { hypothesis: 'late' })]);
    const driver = await driverWith(agent);
    driver.state.stopReason = 'stopped by the user';
    await propose(driver, agent);
    expect(driver.state.waiting).toEqual([]);
    const dropped = (await fixture!.store.listEvents(fixture!.runtime.studyId)).filter((event) => event.type === 'proposal.dropped');
    expect(dropped.map((event) => event.data)).toEqual([{ specialist: 'agent', hypothesis: 'late', cost: null, reason: 'stopped by the user' }]);
  });

  it('turns a throwing specialist into a warning and marks it idle', async () => {
    const agent = new ScriptedSpecialist('agent', [new Error('rate limited')]);
    const driver = await driverWith(agent);
    await propose(driver, agent);
    expect(fixture!.emitted).toContainEqual(['warning', { code: 'specialist_failed', message: "specialist 'agent' failed to propose: rate limited" }]);
    expect(driver.state.stopReason).toBeNull(); // one failure in a row: it may be asked again
  });
});

describe('requestProposals', () => {
  it('asks each free specialist at most once at a time, up to parallel + maxWaiting in flight', async () => {
    const a = new ScriptedSpecialist('a', [null]);
    const b = new ScriptedSpecialist('b', [null]);
    const c = new ScriptedSpecialist('c', [null]);
    const driver = await driverWith(a, b, c);
    driver.maxWaiting = 1; // parallel is 2 in the fixture: three in flight at most
    driver.state.waiting.push({ proposal: patchProposal('x', 0, ''), proposeMs: 0 });
    requestProposals(driver);
    expect([...driver.state.proposing].sort()).toEqual(['a', 'b']);
    requestProposals(driver);
    expect(driver.state.proposing.size).toBe(2);
  });
});
