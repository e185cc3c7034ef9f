import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../core/task.ts';
import { BanditChooser } from '../scheduler/bandit-chooser.ts';
import { RoundRobinChooser } from '../scheduler/specialist-chooser.ts';
import { ScriptedSpecialist } from '../testing/scripted-specialist.ts';
import { chooserFor, driveOptionsFor } from './study-run-options.ts';
import { checkLease, DEFAULT_LEASE_MS, workOptionsFor } from './study-work-options.ts';
import type { Store } from '../core/store.ts';

const TASK = { objective: { metric: 'loss', direction: 'minimize' }, parallel: 3 } as TaskSpec;
const specialists = [new ScriptedSpecialist('a', [])];

describe('study.run() options', () => {
  it('picks the AUC bandit by default, round robin on request, or the chooser given', () => {
    expect(chooserFor(TASK, specialists, {})).toBeInstanceOf(BanditChooser);
    expect(chooserFor(TASK, specialists, { scheduler: 'round-robin' })).toBeInstanceOf(RoundRobinChooser);
    const mine = new RoundRobinChooser(specialists);
    expect(chooserFor(TASK, specialists, { scheduler: 'bandit', chooser: mine })).toBe(mine);
  });

  it('defaults the signals to ones that never abort, and passes only the limits given', () => {
    const options = driveOptionsFor(TASK, specialists, { trials: 4 }, null);
    expect(options.stop.aborted || options.kill.aborted).toBe(false);
    expect(options).toMatchObject({ trials: 4, noLineage: false });
    expect('hours' in options || 'remote' in options || 'maxWaiting' in options).toBe(false);
  });
});

describe('study.work() options', () => {
  const queue = { claimTrial: async () => null, renewLease: async () => [] } as unknown as Store;

  it('fills in the defaults: the lease, renewals four times a lease (at most every 2 s), the task parallel', () => {
    expect(workOptionsFor(TASK, queue, {})).toMatchObject({ leaseMs: DEFAULT_LEASE_MS, renewEveryMs: 2_000, pollMs: 1_000, parallel: 3 });
    expect(workOptionsFor(TASK, queue, { leaseMs: 2_000, parallel: 1 })).toMatchObject({ leaseMs: 2_000, renewEveryMs: 500, parallel: 1 });
  });

  it('refuses a lease under a second and a store without a work queue', () => {
    expect(() => checkLease(500)).toThrowError(expect.objectContaining({ name: 'UsageError', message: 'a lease must last at least 1 s (got 500 ms)' }));
    expect(() => workOptionsFor(TASK, {} as Store, {})).toThrowError(expect.objectContaining({ name: 'UsageError', message: expect.stringMatching(/no work queue/) }));
  });
});
