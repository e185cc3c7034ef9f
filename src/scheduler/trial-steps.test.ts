import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrialRecord } from '../core/trial.ts';
import { openRuntimeFixture, type RuntimeFixture } from '../testing/runtime-fixture.ts';
import { patchProposal, ScriptedSpecialist } from '../testing/scripted-specialist.ts';
import { openDriver, type Driver, type DriveOptions } from './driver.ts';
import { createTrialFrom, retryOnInfraError } from './trial-steps.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
const never = new AbortController().signal;
const COST = { usd: 0.5, inputTokens: 1, outputTokens: 1, cachedTokens: 0 };
let fixture: RuntimeFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

async function driverWith(options: Partial<DriveOptions> = {}): Promise<Driver> {
  fixture = await openRuntimeFixture(FIXTURE);
  await fixture.recordBaseline();
  return openDriver(fixture.runtime, [new ScriptedSpecialist('tuner', [])], { stop: never, kill: never, ...options });
}

const item = { proposal: patchProposal('tuner', 0, '', { hypothesis: 'h', notes: 'n', cost: COST }), proposeMs: 12 };

describe('createTrialFrom', () => {
  it('records the proposal as a pending trial owned by this driver, with its cost and time', async () => {
    const driver = await driverWith();
    const trial = await createTrialFrom(driver, item, null);
    expect(trial).toMatchObject({ status: 'pending', specialist: 'tuner', parent: 0, hypothesis: 'h', notes: 'n', cost: COST, owner: driver.runtime.owner, timings: { proposeMs: 12 } });
    expect(fixture!.emitted).toContainEqual(['trial.created', { specialist: trial.specialist, parent: trial.parent, trial }]);
  });

  it('records a retry at no cost, saying which trial it retries; queued trials have no owner', async () => {
    const driver = await driverWith({ remote: { awaitTrial: async (trial: TrialRecord) => trial } });
    const first = await createTrialFrom(driver, item, null);
    const retry = await createTrialFrom(driver, item, first);
    expect(retry).toMatchObject({ cost: null, owner: null, notes: `n\n[autolab: retry of trial #${first.id}, which the machine failed]` });
  });
});

describe('retryOnInfraError', () => {
  const fault = (id: number): TrialRecord => ({ id, label: 'infra_error', labelDetail: 'node failed' }) as TrialRecord;

  it('passes any other outcome through', async () => {
    const driver = await driverWith();
    const finished = { id: 1, label: 'crash' } as TrialRecord;
    expect(await retryOnInfraError(driver, item, { trialId: 1, done: Promise.resolve() }, finished, { index: 0, gpu: null })).toBe(finished);
  });

  it('runs the same proposal once more on a fresh trial in the failed one\'s place in the budgets, the running entry following it', async () => {
    const awaited: number[] = [];
    const driver = await driverWith({ remote: { awaitTrial: async (trial: TrialRecord) => (awaited.push(trial.id), trial) } });
    const first = await createTrialFrom(driver, item, null);
    const run = { trialId: first.id, done: Promise.resolve() };
    const retried = await retryOnInfraError(driver, item, run, fault(first.id), { index: 0, gpu: null });
    expect(retried!.id).toBe(first.id + 1);
    expect(run.trialId).toBe(retried!.id);
    expect(awaited).toEqual([retried!.id]);
    expect(driver.state).toMatchObject({ studyTrials: 0, sessionTrials: 0 }); // createTrialFrom counts nothing; the proposal was counted when taken
  });

  it('does not retry once the user asked to stop', async () => {
    const stopped = new AbortController();
    stopped.abort();
    const driver = await driverWith({ stop: stopped.signal });
    const finished = fault(1);
    expect(await retryOnInfraError(driver, item, { trialId: 1, done: Promise.resolve() }, finished, { index: 0, gpu: null })).toBe(finished);
  });
});
