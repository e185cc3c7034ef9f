import { describe, expect, it } from 'vitest';
import { liveEventOf } from './live-events.ts';

const AT = '2026-01-01T00:00:00.000Z';

describe('the wire form of a live event', () => {
  it('keeps the documented key order and drops the study id', () => {
    const wire = liveEventOf({ id: 9, studyId: 1, trialId: 4, at: AT, type: 'trial.finished', data: { status: 'kept', label: null, score: 1.5 } }, 12);
    expect(JSON.stringify(wire)).toBe(`{"id":9,"type":"trial.finished","trialId":4,"at":"${AT}","data":{"status":"kept","label":null,"score":1.5},"revision":12}`);
  });

  it('carries what an unrecognised line was stored as, and why', () => {
    const wire = liveEventOf({ id: 3, studyId: 1, trialId: null, at: AT, type: 'unrecognised', storedType: 'study.teleported', data: { to: 'mars' }, problem: 'unknown' }, 3);
    expect(wire).toEqual({ id: 3, type: 'unrecognised', trialId: null, at: AT, data: { to: 'mars' }, storedType: 'study.teleported', problem: 'unknown', revision: 3 });
  });
});
