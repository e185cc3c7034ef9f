import { describe, expect, it } from 'vitest';
import { makeTrial } from '../testing/trial-fixture.ts';
import { timelineData } from './timeline-view.ts';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + seconds * 1000).toISOString();

describe('timelineData', () => {
  it('puts each trial in the lane of its slot, with utilisation over the active time', () => {
    const trials = [
      makeTrial({ id: 1, status: 'kept', startedAt: at(0), timings: { totalMs: 10_000 } }),
      makeTrial({ id: 2, status: 'failed', label: 'crash', startedAt: at(0), timings: { totalMs: 5_000 } }),
      makeTrial({ id: 3, status: 'discarded', startedAt: at(10), timings: { totalMs: 10_000 } }),
    ];
    const slots = new Map([
      [1, { slot: 0, gpu: null }],
      [2, { slot: 1, gpu: '1' }],
      [3, { slot: 0, gpu: null }],
    ]);
    const data = timelineData(trials, slots, Date.now());
    expect(data.lanes.map((lane) => lane.name)).toEqual(['slot 0', 'slot 1 gpu 1']);
    expect(data.activeMs).toBe(20_000);
    expect(data.lanes[0]!.utilisation).toBe(1);
    expect(data.lanes[1]!.utilisation).toBe(0.25);
    expect(data.utilisation).toBeCloseTo(25_000 / 40_000);
    expect(data.bars).toEqual([
      [1, 0, 0, 10_000, 'kept', null],
      [2, 1, 0, 5_000, 'failed', 'crash'],
      [3, 0, 10_000, 20_000, 'discarded', null],
    ]);
  });

  it('gives overlapping trials of one slot (two processes) their own lane', () => {
    const trials = [makeTrial({ id: 1, startedAt: at(0), timings: { totalMs: 10_000 } }), makeTrial({ id: 2, startedAt: at(5), timings: { totalMs: 10_000 } })];
    const slots = new Map([
      [1, { slot: 0, gpu: null }],
      [2, { slot: 0, gpu: null }],
    ]);
    const data = timelineData(trials, slots, Date.now());
    expect(data.lanes.map((lane) => lane.name)).toEqual(['slot 0', 'slot 0 (2)']);
    expect(data.bars.map((bar) => bar[1])).toEqual([0, 1]);
  });

  it('cuts long idle gaps out of the axis and marks them', () => {
    const trials = [makeTrial({ id: 1, startedAt: at(0), timings: { totalMs: 60_000 } }), makeTrial({ id: 2, startedAt: at(8 * 3600), timings: { totalMs: 60_000 } })];
    const data = timelineData(trials, new Map(), Date.now());
    expect(data.gaps).toHaveLength(1);
    expect(data.gaps[0]![1]).toBe(8 * 3600_000 - 60_000);
    expect(data.spanMs).toBeLessThan(5 * 60_000);
    expect(data.lanes.map((lane) => lane.name)).toEqual(['slot ?']);
  });

  it('ends a running trial now and leaves out trials that never started', () => {
    const now = Date.parse(at(30));
    const trials = [makeTrial({ id: 1, status: 'running', startedAt: at(0), finishedAt: null }), makeTrial({ id: 2, status: 'pending', startedAt: null, finishedAt: null })];
    const data = timelineData(trials, new Map(), now);
    expect(data.bars).toEqual([[1, 0, 0, 30_000, 'running', null]]);
  });
});
