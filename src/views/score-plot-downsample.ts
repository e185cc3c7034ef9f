/**
 * The score plot of a large study, thinned on the server: every kept trial (each step
 * of the incumbent) and every failure stay, and the discarded scores are reduced to the
 * lowest and the highest of each stretch of trial ids, so the cloud keeps its envelope
 * while the browser paints a few thousand marks instead of 100,000.
 */
import type { ScorePlotData } from '../../web/plots/index.js';

/** Discarded points drawn at most (two per stretch of ids). */
export const SCORE_PLOT_POINTS = 2000;

/**
 * `data` with its discarded points thinned to at most `maxPoints` (nothing changes
 * below that); `thinned` says how many were left out.
 *
 * @example
 * const plot = downsampleScorePlot(overview.scorePlot); // every kept step and failure kept
 */
export function downsampleScorePlot(data: ScorePlotData, maxPoints = SCORE_PLOT_POINTS): ScorePlotData & { thinned?: number } {
  const discarded = data.points.filter((point) => point[2] === 'discarded');
  if (discarded.length <= maxPoints) return data;
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const span = Math.max(1, data.maxId + 1);
  const lowest = new Map<number, [number, number, 'kept' | 'discarded']>();
  const highest = new Map<number, [number, number, 'kept' | 'discarded']>();
  for (const point of discarded) {
    const bucket = Math.min(buckets - 1, Math.floor((point[0] / span) * buckets));
    const low = lowest.get(bucket);
    if (low === undefined || point[1] < low[1]) lowest.set(bucket, point);
    const high = highest.get(bucket);
    if (high === undefined || point[1] > high[1]) highest.set(bucket, point);
  }
  const keep = new Set([...lowest.values(), ...highest.values()]);
  const points = data.points.filter((point) => point[2] === 'kept' || keep.has(point));
  return { ...data, points, thinned: data.points.length - points.length };
}
