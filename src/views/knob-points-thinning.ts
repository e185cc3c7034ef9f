/**
 * The knobs view of a large study, thinned on the server: past `KNOB_POINTS` points the
 * browser would draw tens of thousands of marks per slice and lines in the parallel
 * coordinates (2 MB of JSON at 100,000 trials). What stays: the baseline, every kept
 * trial (each was the incumbent when it was kept; past `KNOB_KEPT` of them, the chain to
 * the incumbent and an even sample of the others), the best scored trials, the lowest and
 * highest value of every knob and the score (the axes keep their ranges), at least one
 * trial of every failure group, and an even sample by trial id of the rest, so the cloud
 * keeps its shape. `thinned` says how many were left out; the importance is still fitted
 * on every trial.
 */
import type { KnobAnalysis, KnobPoint } from './knob-analysis.ts';

/** Points sent as they are, up to this many. */
export const KNOB_POINTS = 3000;
/** Kept trials all sent, up to this many. */
const KNOB_KEPT = 1000;
/** The best scored trials always sent. */
const BEST = 100;

/**
 * `view` with its points thinned past `max` (unchanged below); `chain` holds the ids of the
 * trials from the baseline to the incumbent (always kept).
 *
 * @example const sent = thinKnobPoints(buildKnobAnalysis(input), new Set(chainTo(incumbent, byId).map((t) => t.id)));
 */
export function thinKnobPoints(view: KnobAnalysis, chain: ReadonlySet<number>, max = KNOB_POINTS): KnobAnalysis & { thinned?: number } {
  const points = view.points;
  if (points.length <= max) return view;
  const keep = new Set<KnobPoint>();
  const kept = points.filter((point) => point[1] === 'kept');
  for (const point of points) if (point[0] === view.baseline || point[0] === view.incumbent || chain.has(point[0])) keep.add(point);
  for (const point of evenSample(kept, KNOB_KEPT)) keep.add(point);
  const sign = view.objective.direction === 'maximize' ? -1 : 1;
  const scored = points.filter((point) => point[2] !== null && Number.isFinite(point[2]));
  for (const point of [...scored].sort((a, b) => sign * (a[2]! - b[2]!) || a[0] - b[0]).slice(0, BEST)) keep.add(point);
  for (const point of extremes(points, view.knobs.length)) keep.add(point);
  const groupSeen = new Set<number>();
  for (const point of points) {
    if (point[3] < 0 || groupSeen.has(point[3])) continue;
    groupSeen.add(point[3]);
    keep.add(point);
  }
  const rest = points.filter((point) => !keep.has(point));
  for (const point of evenSample(rest, Math.max(0, max - keep.size))) keep.add(point);
  const sent = points.filter((point) => keep.has(point));
  return { ...view, points: sent, thinned: points.length - sent.length };
}

/** At most `count` of `points`, evenly spread over their order (all of them when they fit). */
function evenSample<T>(points: readonly T[], count: number): T[] {
  if (points.length <= count) return [...points];
  if (count <= 0) return [];
  const step = points.length / count;
  const sample: T[] = [];
  for (let i = 0; i < count; i++) sample.push(points[Math.floor(i * step)]!);
  return sample;
}

/** The points with the lowest and the highest value of each numeric knob and of the score. */
function extremes(points: readonly KnobPoint[], knobs: number): KnobPoint[] {
  const found: KnobPoint[] = [];
  const bounds = (value: (point: KnobPoint) => unknown) => {
    let low: KnobPoint | null = null;
    let high: KnobPoint | null = null;
    for (const point of points) {
      const v = value(point);
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      if (low === null || v < (value(low) as number)) low = point;
      if (high === null || v > (value(high) as number)) high = point;
    }
    if (low) found.push(low);
    if (high) found.push(high);
  };
  for (let index = 0; index < knobs; index++) bounds((point) => point[4][index]);
  bounds((point) => point[2]);
  return found;
}
