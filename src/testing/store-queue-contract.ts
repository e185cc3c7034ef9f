/**
 * The contract tests of the Store's work queue (`claimTrial`, `renewLease`), part of
 * `describeStoreContract`: every built-in store has the queue, so every adapter runs
 * them against a real database. The multi-process race is in store-process-contract.ts.
 */
import { auditEventsOf } from '../core/audit-events.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, TrialDraft, TrialOutcome } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import type { StoreFactory } from './store-factory.ts';

type QueueStore = Store & Required<Pick<Store, 'claimTrial' | 'renewLease'>>;

const WORKER = { host: 'worker-a', pid: 11, token: 'worker-a-token' };
const OTHER = { host: 'worker-b', pid: 22, token: 'worker-b-token' };
const BASELINE: TrialDraft = { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null };
const SCORED = (score: number): TrialOutcome => ({ status: 'scored', label: null, labelDetail: null, metrics: { loss: score }, score, timings: {}, logExcerpt: '' });
const queued = (seed: number, owner: TrialDraft['owner'] = null): TrialDraft => ({ specialist: 's', parent: 0, hypothesis: `t${seed}`, seed, edit: null, owner });

/** Registers the work-queue contract tests for one adapter (called by describeStoreContract). */
export function describeStoreQueueContract(name: string, makeStore: StoreFactory): void {
  describe(`Store work queue contract: ${name}`, () => {
    let store: QueueStore;
    let cleanup: () => Promise<void>;
    let study: StudyRecord;

    beforeEach(async () => {
      const made = await makeStore();
      cleanup = made.cleanup;
      expect(typeof made.store.claimTrial, 'every built-in store has the work queue').toBe('function');
      expect(typeof made.store.renewLease).toBe('function');
      store = made.store as QueueStore;
      ({ study } = await store.openStudy({ name: 'queue', taskHash: 'h', taskJson: '{}' }));
    });

    afterEach(async () => {
      await cleanup();
    });

    it('claims only queued trials (pending, no owner), oldest first, and renews only its own leases', async () => {
      await store.createTrial(study.id, BASELINE);
      const driverOwned = await store.createTrial(study.id, queued(1, { host: 'driver', pid: 1, token: 'd' }));
      const baseline = await store.claimTrial(study.id, WORKER, 10_000);
      expect(baseline).toMatchObject({ id: 0, status: 'running', owner: WORKER });
      const queuedTrial = await store.createTrial(study.id, queued(2));
      const claimed = await store.claimTrial(study.id, WORKER, 10_000);
      expect(claimed).toMatchObject({ id: queuedTrial.id, status: 'running', owner: WORKER });
      expect(claimed!.heartbeatAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(await store.getTrial(study.id, queuedTrial.id)).toEqual(claimed);
      expect(await store.claimTrial(study.id, WORKER, 10_000)).toBeNull();
      expect((await store.getTrial(study.id, driverOwned.id))!.status).toBe('pending');
      expect(await store.renewLease(study.id, [queuedTrial.id, 0, driverOwned.id, 404], WORKER)).toEqual([0, queuedTrial.id]);
      expect(await store.renewLease(study.id, [0], { ...WORKER, token: 'someone-else' })).toEqual([]);
      expect(await store.renewLease(study.id, [], WORKER)).toEqual([]);
      await store.finishTrial(study.id, 0, SCORED(1), () => true);
      expect(await store.renewLease(study.id, [0, queuedTrial.id], WORKER)).toEqual([queuedTrial.id]);
      const claims = (await store.listEvents(study.id)).filter((e) => e.type === 'trial.claimed');
      expect(claims.map((e) => [e.trialId, e.data])).toEqual([
        [0, { worker: 'worker-a:11', token: WORKER.token, leaseMs: 10_000 }],
        [queuedTrial.id, { worker: 'worker-a:11', token: WORKER.token, leaseMs: 10_000 }],
      ]);
      await expect(store.claimTrial(study.id, WORKER, 0)).rejects.toMatchObject({ name: 'StoreError', message: expect.stringMatching(/lease/) });
      await expect(store.claimTrial(study.id + 1000, WORKER, 10_000)).rejects.toMatchObject({ name: 'StoreError', message: expect.stringMatching(/does not exist/) });
    });

    it('concurrent claims hand out each queued trial once', async () => {
      await store.createTrial(study.id, BASELINE);
      for (let i = 1; i <= 6; i++) await store.createTrial(study.id, queued(i));
      const workers = Array.from({ length: 10 }, (_, i) => ({ host: 'w', pid: i, token: `w-${i}` }));
      const claimed = await Promise.all(workers.map((worker) => store.claimTrial(study.id, worker, 60_000)));
      const ids = claimed.filter((trial) => trial !== null).map((trial) => trial.id);
      expect([...ids].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(claimed.filter((trial) => trial === null)).toHaveLength(3);
      for (const trial of claimed) if (trial !== null) expect(await store.renewLease(study.id, [trial.id], trial.owner!)).toEqual([trial.id]);
    });

    it('an expired lease re-queues the trial once, then records it interrupted; nothing recorded is lost', async () => {
      await store.createTrial(study.id, BASELINE);
      await store.finishTrial(study.id, 0, SCORED(1), () => true);
      const trial = await store.createTrial(study.id, queued(1));
      expect((await store.claimTrial(study.id, WORKER, 60_000))!.id).toBe(trial.id);
      await store.updateTrial(study.id, trial.id, { commit: 'c1', timings: { materialiseMs: 5 } });
      // The worker dies: no more heartbeats. Another worker with a 300 ms lease comes later.
      expect(await store.claimTrial(study.id, OTHER, 60_000)).toBeNull(); // the lease is still valid
      await sleep(400);
      const again = await store.claimTrial(study.id, OTHER, 300);
      expect(again).toMatchObject({ id: trial.id, status: 'running', owner: OTHER, commit: 'c1', timings: { materialiseMs: 5 } });
      expect(await store.renewLease(study.id, [trial.id], WORKER)).toEqual([]); // the dead worker lost it
      await sleep(400);
      expect(await store.claimTrial(study.id, WORKER, 300)).toBeNull();
      const final = (await store.getTrial(study.id, trial.id))!;
      expect(final).toMatchObject({ status: 'failed', label: 'interrupted', score: null, metrics: {}, commit: 'c1' });
      expect(final.labelDetail).toMatch(/worker-b:22 expired a second time/);
      expect(final.finishedAt).not.toBeNull();
      const events = (await store.listEvents(study.id)).filter((e) => e.trialId === trial.id);
      expect(events.map((e) => e.type)).toEqual(['trial.created', 'trial.claimed', 'trial.updated', 'trial.requeued', 'trial.claimed', 'trial.finished']);
      expect(auditEventsOf(events, 'trial.requeued')[0]!.data.reason).toMatch(/worker-a:11 expired/);
      expect(events.at(-1)!.data).toEqual({ status: 'failed', label: 'interrupted', score: null });
      expect((await store.getTrial(study.id, 0))!.status).toBe('kept');
      await expect(store.finishTrial(study.id, trial.id, SCORED(0.5), () => true)).rejects.toThrow(/immutable/);
    });

    it('never recovers a trial the driver runs itself, however old its heartbeat', async () => {
      await store.createTrial(study.id, BASELINE);
      const driverRun = await store.createTrial(study.id, queued(1, { host: 'driver', pid: 1, token: 'd' }));
      await store.updateTrial(study.id, driverRun.id, { status: 'running' });
      await store.heartbeat(study.id, [driverRun.id]);
      expect((await store.claimTrial(study.id, WORKER, 60_000))!.id).toBe(0);
      await store.finishTrial(study.id, 0, SCORED(1), () => true);
      await sleep(400);
      expect(await store.claimTrial(study.id, OTHER, 300)).toBeNull();
      expect(await store.getTrial(study.id, driverRun.id)).toMatchObject({ status: 'running', owner: { host: 'driver' } });
      expect((await store.listEvents(study.id)).filter((e) => e.type === 'trial.requeued')).toEqual([]);
    });
  });
}
