import { describe, expect, it } from 'vitest';
import type { TimelineData } from '../../web/plots/index.js';
import { seededRandom } from '../core/random.ts';
import { thinTimeline } from './timeline-thinning.ts';

type Bar = TimelineData['bars'][number];

/** Back-to-back trials on `lanes` lanes, random outcomes. */
function randomTimeline(seed: number, count: number, lanes: number): TimelineData {
  const random = seededRandom(seed);
  const ends = Array.from({ length: lanes }, () => 0);
  const bars: Bar[] = [];
  for (let id = 0; id < count; id++) {
    const lane = Math.floor(random() * lanes);
    const start = ends[lane]! + Math.floor(random() * 50);
    const end = start + 1 + Math.floor(random() * 1000);
    ends[lane] = end;
    const roll = random();
    const status: Bar[4] = roll < 0.03 ? 'kept' : roll < 0.2 ? 'failed' : roll < 0.21 ? 'running' : 'discarded';
    bars.push([id, lane, start, end, status, status === 'failed' ? (random() < 0.5 ? 'crash' : 'oom') : null]);
  }
  return { spanMs: Math.max(...ends), activeMs: Math.max(...ends), utilisation: 0.9, lanes: Array.from({ length: lanes }, (_, i) => ({ name: `slot ${i}`, utilisation: 0.9 })), bars, gaps: [] };
}

describe('thinTimeline', () => {
  it('leaves a small timeline as it is', () => {
    const data = randomTimeline(1, 500, 4);
    expect(thinTimeline(data, 600)).toBe(data);
  });

  it('keeps every bar inside a bar of its lane, every kept trial shown as kept and every other failure as failed', () => {
    for (const seed of [2, 3, 4]) {
      const data = randomTimeline(seed, 20_000, 8);
      const thinned = thinTimeline(data, 6000, 300);
      expect(thinned.bars.length).toBeLessThanOrEqual(8 * 300);
      expect(thinTimeline(data, 800, 300).bars.length).toBeLessThanOrEqual(800); // many lanes: fewer stretches per lane
      expect(thinned.thinned).toBe(data.bars.length - thinned.bars.length);
      expect({ ...thinned, bars: [], thinned: 0 }).toEqual({ ...data, bars: [], thinned: 0 });
      const byLane = new Map<number, Bar[]>();
      for (const bar of thinned.bars) byLane.set(bar[1], [...(byLane.get(bar[1]) ?? []), bar]);
      for (const bar of data.bars) {
        const holders = (byLane.get(bar[1]) ?? []).filter((held) => held[2] <= bar[2] && bar[3] <= held[3]);
        expect(holders.length).toBeGreaterThan(0);
        if (bar[4] === 'kept') expect(holders.some((held) => held[4] === 'kept')).toBe(true);
        if (bar[4] === 'failed') expect(holders.some((held) => held[4] === 'kept' || held[4] === 'failed')).toBe(true);
      }
      expect(thinned.bars.map((bar) => bar[0])).toEqual([...thinned.bars.map((bar) => bar[0])].sort((a, b) => a - b));
    }
  });
});
