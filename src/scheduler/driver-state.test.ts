import { describe, expect, it } from 'vitest';
import { makeTrial } from '../testing/trial-fixture.ts';
import {
  addSpend,
  countSinceImprovement,
  createDriverState,
  isIdle,
  MACHINE_FAULTS_BEFORE_STOP,
  mayRequestProposal,
  nextStopReason,
  recordFinished,
  roomLeft,
  stopWith,
  takeWaiting,
  type StopContext,
  type WaitingProposal,
} from './driver-state.ts';

const CONTEXT: StopContext = { budget: {}, limits: {}, stopped: false, specialists: 1, studyElapsedMs: 0, sessionElapsedMs: 0 };
const waiting = (hypothesis: string): WaitingProposal => ({ proposal: { specialist: 's', parent: 0, hypothesis, edit: { kind: 'patch', patch: '' } }, proposeMs: 1 });

describe('the driver state', () => {
  it('starts from the study: trials so far, patience so far, money spent', () => {
    const trials = [
      makeTrial({ id: 0, status: 'kept' }),
      makeTrial({ id: 1, status: 'kept' }),
      makeTrial({ id: 2, status: 'discarded' }),
      makeTrial({ id: 3, status: 'failed', label: 'infra_error' }),
      makeTrial({ id: 4, status: 'failed', label: 'crash' }),
      makeTrial({ id: 5, status: 'running', finishedAt: null }),
    ];
    const state = createDriverState(trials, 1.5);
    expect(state).toMatchObject({ studyTrials: 4, sessionTrials: 0, sinceImprovement: 2, machineFaultsInARow: 0, spentUsd: 1.5, stopReason: null });
    expect(countSinceImprovement(trials)).toBe(2);
    expect(isIdle(state)).toBe(true);
  });

  it('decides why to stop, first reason wins: set reason, the user, stop rules, no specialists, money', () => {
    const state = createDriverState([], 0);
    expect(nextStopReason(state, CONTEXT)).toBeNull();
    expect(nextStopReason(state, { ...CONTEXT, specialists: 0 })).toMatch(/declares no specialists/);
    expect(nextStopReason(state, { ...CONTEXT, stopped: true, specialists: 0 })).toBe('stopped by the user');
    state.sessionTrials = 3;
    expect(nextStopReason(state, { ...CONTEXT, limits: { trials: 3 } })).toBe('--trials 3 reached');
    state.sessionTrials = 0;
    addSpend(state, 5);
    expect(nextStopReason(state, { ...CONTEXT, budget: { usd: 5 } })).toBe('budget of $5 spent ($5.00 on models)');
    state.waiting.push(waiting('still to run'));
    expect(nextStopReason(state, { ...CONTEXT, budget: { usd: 5 } })).toBeNull(); // proposals already made still run
    stopWith(state, 'first');
    stopWith(state, 'second');
    expect(nextStopReason(state, { ...CONTEXT, stopped: true })).toBe('first');
  });

  it('counts the room left for proposals against the session and study trial limits', () => {
    const state = createDriverState([makeTrial({ id: 0 }), makeTrial({ id: 1 })], 0);
    expect(roomLeft(state, {}, {})).toBe(Infinity);
    expect(roomLeft(state, { trials: 4 }, { trials: 10 })).toBe(3);
    state.waiting.push(waiting('a'));
    state.proposing.add('b');
    expect(roomLeft(state, { trials: 4 }, {})).toBe(1);
    expect(mayRequestProposal(state, { trials: 4 }, {}, { parallel: 1, maxWaiting: 1 })).toBe(false); // in flight 2 >= 1 + 1
    expect(mayRequestProposal(state, { trials: 4 }, {}, { parallel: 2, maxWaiting: 1 })).toBe(true);
    expect(mayRequestProposal(state, { trials: 3 }, {}, { parallel: 2, maxWaiting: 1 })).toBe(false); // no room
  });

  it('takes the oldest waiting proposal while a slot is free, counting it as a trial', () => {
    const state = createDriverState([], 0);
    state.waiting.push(waiting('a'), waiting('b'));
    expect(takeWaiting(state, 1)?.proposal.hypothesis).toBe('a');
    expect(state).toMatchObject({ studyTrials: 1, sessionTrials: 1 });
    state.running.add({ trialId: 1, done: Promise.resolve() });
    expect(takeWaiting(state, 1)).toBeNull();
    expect(state.waiting).toHaveLength(1);
  });

  it('counts patience on finished trials, never on machine faults, and stops after enough faults in a row', () => {
    const state = createDriverState([], 0);
    recordFinished(state, makeTrial({ id: 1, status: 'discarded' }));
    recordFinished(state, makeTrial({ id: 2, status: 'failed', label: 'infra_error', labelDetail: 'node failed' }));
    expect(state).toMatchObject({ sinceImprovement: 1, machineFaultsInARow: 1 });
    recordFinished(state, makeTrial({ id: 3, status: 'kept' }));
    expect(state).toMatchObject({ sinceImprovement: 0, machineFaultsInARow: 0 });
    for (let i = 0; i < MACHINE_FAULTS_BEFORE_STOP; i++) recordFinished(state, makeTrial({ id: 10 + i, status: 'failed', label: 'infra_error', labelDetail: 'NODE_FAIL' }));
    expect(state.stopReason).toMatch(new RegExp(`^${MACHINE_FAULTS_BEFORE_STOP} proposals in a row failed with infra_error.*NODE_FAIL`));
  });
});
