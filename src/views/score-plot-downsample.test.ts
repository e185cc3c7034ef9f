import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import type { ScorePlotData } from '../../web/plots/index.js';
import { downsampleScorePlot } from './score-plot-downsample.ts';

function randomPlot(seed: number, trials: number): ScorePlotData {
  const random = seededRandom(seed);
  const data: ScorePlotData = { metric: 'loss', direction: 'minimize', baseline: 3, maxId: trials, points: [], failed: [], running: [], incumbent: [] };
  let best = 3;
  for (let id = 1; id <= trials; id++) {
    const roll = random();
    if (roll < 0.15) data.failed.push([id, roll < 0.05 ? 'oom' : 'crash']);
    else {
      const score = 3 - Math.log1p(id) / 10 + random();
      const kept = score < best;
      if (kept) best = score;
      data.points.push([id, score, kept ? 'kept' : 'discarded']);
      if (kept) data.incumbent.push([id, score]);
    }
  }
  return data;
}

describe('downsampleScorePlot', () => {
  it('keeps every incumbent step and failure, and the envelope of the rest, within the budget', () => {
    for (const seed of [1, 2, 3]) {
      const data = randomPlot(seed, 20_000);
      const thin = downsampleScorePlot(data, 500, Infinity);
      const discarded = data.points.filter((point) => point[2] === 'discarded');
      const kept = data.points.filter((point) => point[2] === 'kept');
      expect(thin.points.filter((point) => point[2] === 'kept')).toEqual(kept);
      expect(thin.incumbent).toEqual(data.incumbent);
      expect(thin.failed).toEqual(data.failed);
      const shown = thin.points.filter((point) => point[2] === 'discarded');
      expect(shown.length).toBeLessThanOrEqual(500);
      expect(shown.length).toBeGreaterThan(250);
      expect(thin.thinned).toBe(discarded.length - shown.length);
      // In id order, and the extremes of the whole cloud are among them.
      expect(thin.points.map((point) => point[0])).toEqual([...thin.points.map((point) => point[0])].sort((a, b) => a - b));
      const scores = discarded.map((point) => point[1]);
      expect(shown.map((point) => point[1])).toContain(Math.min(...scores));
      expect(shown.map((point) => point[1])).toContain(Math.max(...scores));
    }
  });

  it('past the budget keeps one failure of each label per stretch of ids, and every label\'s count', () => {
    for (const seed of [5, 6]) {
      const data = randomPlot(seed, 40_000);
      const thin = downsampleScorePlot(data, 500, 500);
      expect(thin.failed.length).toBeLessThan(data.failed.length);
      expect(thin.failed.length + thin.thinnedFailures!).toBe(data.failed.length);
      const counts = new Map<string, number>();
      for (const [, label] of data.failed) counts.set(label, (counts.get(label) ?? 0) + 1);
      expect(new Map(thin.failedCounts)).toEqual(counts);
      // Every failure has a cross of its label in its stretch of ids (250 stretches over 0..maxId).
      const stretch = (id: number) => Math.min(249, Math.floor((id / (data.maxId + 1)) * 250));
      const drawn = new Set(thin.failed.map(([id, label]) => `${stretch(id)}:${label}`));
      for (const [id, label] of data.failed) expect(drawn.has(`${stretch(id)}:${label}`)).toBe(true);
      expect(thin.failed.every((failure) => data.failed.includes(failure))).toBe(true);
      expect(thin.points.filter((point) => point[2] === 'kept')).toEqual(data.points.filter((point) => point[2] === 'kept'));
    }
  });

  it('leaves a small study as it is', () => {
    const data = randomPlot(4, 300);
    expect(downsampleScorePlot(data, 500)).toBe(data);
  });
});
