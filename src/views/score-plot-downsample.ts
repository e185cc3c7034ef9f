/**
 * The score plot of a large study, thinned on the server: every kept trial (each step
 * of the incumbent) and every failure stay, and the discarded scores are reduced to the
 * lowest and the highest of each stretch of trial ids, so the cloud keeps its envelope
 * while the browser paints a few thousand marks instead of 100,000; past as many
 * failures, each stretch keeps one failure of each label (every label's count kept).
 */
import type { ScorePlotData } from '../../web/plots/index.js';

/** Discarded points drawn at most (two per stretch of ids). */
export const SCORE_PLOT_POINTS = 2000;
/** Failures drawn at most before they are thinned (one per label per stretch: 500 stretches, narrower than a cross). */
export const SCORE_PLOT_FAILURES = 1000;

/**
 * `data` with its discarded points thinned to at most `maxPoints` and its failures past
 * `maxFailures` (nothing changes below those); `thinned` and `thinnedFailures` say how
 * many were left out.
 *
 * @example
 * const plot = downsampleScorePlot(overview.scorePlot); // every kept step and failure kept
 */
export function downsampleScorePlot(data: ScorePlotData, maxPoints = SCORE_PLOT_POINTS, maxFailures = SCORE_PLOT_FAILURES): ScorePlotData & { thinned?: number } {
  return thinFailures(thinDiscarded(data, maxPoints), maxFailures);
}

/**
 * Past `maxFailures` failures, one cross per failure label per stretch of ids (`maxFailures
 * / 2` stretches, each narrower than a pixel of the plot), so every failure stays visible
 * where it happened; `failedCounts` keeps each label's count for the legend.
 */
export function thinFailures(data: ScorePlotData, maxFailures = SCORE_PLOT_FAILURES): ScorePlotData {
  if (data.failed.length <= maxFailures) return data;
  const buckets = Math.max(1, Math.floor(maxFailures / 2));
  const span = Math.max(1, data.maxId + 1);
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  const failed: ScorePlotData['failed'] = [];
  for (const failure of data.failed) {
    counts.set(failure[1], (counts.get(failure[1]) ?? 0) + 1);
    const key = `${stretchOf(failure[0], buckets, span)}:${failure[1]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    failed.push(failure);
  }
  return { ...data, failed, failedCounts: [...counts], thinnedFailures: data.failed.length - failed.length };
}

function thinDiscarded(data: ScorePlotData, maxPoints: number): ScorePlotData & { thinned?: number } {
  const discarded = data.points.filter((point) => point[2] === 'discarded');
  if (discarded.length <= maxPoints) return data;
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const span = Math.max(1, data.maxId + 1);
  const lowest = new Map<number, [number, number, 'kept' | 'discarded']>();
  const highest = new Map<number, [number, number, 'kept' | 'discarded']>();
  for (const point of discarded) {
    const bucket = stretchOf(point[0], buckets, span);
    const low = lowest.get(bucket);
    if (low === undefined || point[1] < low[1]) lowest.set(bucket, point);
    const high = highest.get(bucket);
    if (high === undefined || point[1] > high[1]) highest.set(bucket, point);
  }
  const keep = new Set([...lowest.values(), ...highest.values()]);
  const points = data.points.filter((point) => point[2] === 'kept' || keep.has(point));
  return { ...data, points, thinned: data.points.length - points.length };
}

/** The stretch of ids trial `id` falls in, in integers (the store's aggregate query computes the same: src/store/sql/study-aggregates.ts). */
function stretchOf(id: number, buckets: number, span: number): number {
  return Math.min(buckets - 1, Math.floor((id * buckets) / span));
}
