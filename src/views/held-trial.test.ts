import { describe, expect, it } from 'vitest';
import { makeSampledTrial } from '../testing/trial-fixture.ts';
import { heldTrial, SlotInterner, StringInterner } from './held-trial.ts';

describe('heldTrial', () => {
  it('keeps what the views read and drops what only the trial page reads (from the store)', () => {
    const strings = new StringInterner();
    const read = { ...makeSampledTrial(7, { status: 'failed', label: 'crash', failure: { signature: 's', summary: 'm', frame: null } }), tree: 'abc', labelDetail: 'exit 1', heartbeatAt: '2026-01-01T00:00:00.000Z', owner: { host: 'h', pid: 1, token: 't' }, logExcerpt: 'log', diff: 'd' };
    const expected = { ...read, tree: null, labelDetail: null, heartbeatAt: null, owner: null, logExcerpt: '', diff: null, edit: null, repeats: [], curve: [] };
    expect(heldTrial(read, strings)).toEqual(expected);
  });
});

describe('SlotInterner', () => {
  it('gives one shared record per (slot, GPU) pair', () => {
    const slots = new SlotInterner();
    const a = slots.slot(2, '2');
    expect(slots.slot(2, '2')).toBe(a);
    expect(a).toEqual({ slot: 2, gpu: '2' });
    expect(slots.slot(2, null)).toEqual({ slot: 2, gpu: null });
    expect(slots.slot(2, null)).not.toBe(a);
    expect(slots.slot(null, null)).toEqual({ slot: null, gpu: null });
  });
});

describe('StringInterner', () => {
  it('returns an equal string and passes null through', () => {
    const strings = new StringInterner();
    const first = strings.intern(['tu', 'ner'].join(''));
    expect(strings.intern('tuner')).toBe(first);
    expect(strings.intern(null)).toBeNull();
  });
});
