/** Idle stretches longer than this (and 5% of the active time) are cut out of the axis. */
const MIN_GAP_MS = 60_000;

/**
 * The timeline's axis over `spans` (in start order, at least one): the active periods
 * (their union), idle gaps longer than a minute and 5% of the active time cut down to
 * that threshold, and `compress` mapping a time to its place on the cut axis.
 *
 * @example
 * const axis = activeAxis(intervals, (interval) => interval.start, (interval) => interval.end);
 * const x = axis.compress(trialStart); // ms from the first start, idle gaps cut
 */
export function activeAxis<T>(spans: readonly T[], startOf: (span: T) => number, endOf: (span: T) => number): { activeMs: number; spanMs: number; gaps: Array<[number, number]>; compress: (t: number) => number } {
  const periods: Array<[number, number]> = [];
  for (const span of spans) {
    const end = endOf(span);
    const last = periods[periods.length - 1];
    const start = startOf(span);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else periods.push([start, end]);
  }
  const activeMs = periods.reduce((sum, [a, b]) => sum + (b - a), 0);
  const threshold = Math.max(MIN_GAP_MS, activeMs * 0.05);
  const cuts: Array<{ at: number; removed: number; idle: number }> = [];
  for (let i = 1; i < periods.length; i++) {
    const idle = periods[i]![0] - periods[i - 1]![1];
    if (idle > threshold) cuts.push({ at: periods[i]![0], removed: idle - threshold, idle });
  }
  const origin = startOf(spans[0]!);
  const compress = (t: number): number => {
    let removed = 0;
    for (const cut of cuts) if (cut.at <= t) removed += cut.removed;
    return t - origin - removed;
  };
  let spanMs = -Infinity;
  for (const span of spans) spanMs = Math.max(spanMs, compress(endOf(span)));
  return { activeMs, spanMs, gaps: cuts.map((cut) => [compress(cut.at) - threshold / 2, cut.idle]), compress };
}
