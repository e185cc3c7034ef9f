import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRuntimeFixture, type RuntimeFixture } from '../testing/runtime-fixture.ts';
import type { Store } from '../core/store.ts';
import { finishedBaseline, materialisedStep, recordStep, startStep } from './record-step.ts';
import { startingEvidence, type TrialJob } from './trial-evidence.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
let fixture: RuntimeFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

async function jobFor(f: RuntimeFixture): Promise<TrialJob> {
  await f.recordBaseline({ loss: 9, size: 10 });
  const trial = await f.createTrial({ edit: { kind: 'patch', patch: '' } });
  return { runtime: f.runtime, trial, slot: { index: 1, gpu: null }, signal: new AbortController().signal };
}

describe('startStep, materialisedStep and recordStep', () => {
  it('marks the trial running in its slot, then stores what materialise found', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    const job = await jobFor(fixture);
    await startStep(job);
    expect(await fixture.store.getTrial(job.runtime.studyId, job.trial.id)).toMatchObject({ status: 'running', owner: job.runtime.owner });
    const evidence = { ...startingEvidence(job.trial), commit: 'c'.repeat(40), tree: 't'.repeat(40), diff: 'd', timings: { materialiseMs: 3 } };
    expect(await materialisedStep(job, evidence)).toBe(evidence);
    expect(await fixture.store.getTrial(job.runtime.studyId, job.trial.id)).toMatchObject({ commit: 'c'.repeat(40), diff: 'd', timings: { materialiseMs: 3 } });
    const events = (await fixture.store.listEvents(job.runtime.studyId)).filter((event) => event.trialId === job.trial.id).map((event) => event.type);
    expect(events).toEqual(expect.arrayContaining(['trial.started', 'trial.materialised']));
  });

  it('records a better score as kept against the incumbent, with totalMs, and emits trial.finished', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    const job = await jobFor(fixture);
    await startStep(job);
    const recorded = await recordStep(job, startingEvidence(job.trial), { kind: 'scored', score: 1, metrics: { loss: 1, size: 10 } }, 42);
    expect(recorded).toMatchObject({ status: 'kept', score: 1, timings: { totalMs: 42 } });
    expect(fixture.emitted.at(-1)).toEqual(['trial.finished', { status: 'kept', label: null, score: recorded.score, trial: recorded, incumbentChanged: true }]);
  });

  it('records a worse score as discarded, and a failure with its label and detail', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    const job = await jobFor(fixture);
    await startStep(job);
    expect(await recordStep(job, startingEvidence(job.trial), { kind: 'scored', score: 20, metrics: { loss: 20, size: 10 } }, 1)).toMatchObject({ status: 'discarded' });
    const other = await fixture.createTrial({ edit: null });
    const failed = await recordStep({ ...job, trial: other }, startingEvidence(other), { kind: 'failed', label: 'crash', detail: 'exit 1', metrics: {} }, 1);
    expect(failed).toMatchObject({ status: 'failed', label: 'crash', labelDetail: 'exit 1', score: null });
  });

  it('asks for the start and what was materialised to be written behind; their events land in order', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    const job = await jobFor(fixture);
    const written: Array<Parameters<Store['updateTrial']>> = [];
    const store = job.runtime.store;
    const spy = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'updateTrial') return (...args: Parameters<Store['updateTrial']>) => (written.push(args), target.updateTrial(...args));
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const spied = { ...job, runtime: { ...job.runtime, store: spy } };
    await startStep(spied);
    expect(written[0]?.[4]).toEqual({ writeBehind: true });
    await materialisedStep(spied, { ...startingEvidence(job.trial), commit: 'c'.repeat(40), tree: 't'.repeat(40), diff: 'd', timings: { materialiseMs: 3 } });
    expect(written[1]?.[4]).toEqual({ writeBehind: true });
    const events = (await store.listEvents(job.runtime.studyId)).filter((event) => event.trialId === job.trial.id).map((event) => event.type);
    expect(events).toEqual(['trial.created', 'trial.started', 'trial.materialised']);
  });
});

describe('finishedBaseline', () => {
  it('reads a scored baseline once per store and study, a failed or unfinished one every time', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    const { store, runtime } = fixture;
    let reads = 0;
    const counting = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'getTrial') return (...args: Parameters<Store['getTrial']>) => (reads++, target.getTrial(...args));
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    expect(await finishedBaseline(counting, runtime.studyId)).toBeNull();
    expect(await finishedBaseline(counting, runtime.studyId)).toBeNull();
    expect(reads).toBe(2);
    await fixture.recordBaseline({ loss: 9, size: 10 });
    const first = await finishedBaseline(counting, runtime.studyId);
    expect(first).toMatchObject({ id: 0, status: 'kept' });
    expect(await finishedBaseline(counting, runtime.studyId)).toBe(first);
    expect(reads).toBe(3);
  });
});
