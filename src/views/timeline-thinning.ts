/**
 * The slot timeline of a large study, thinned on the server: past `TIMELINE_BARS` bars,
 * each lane's time is cut into stretches (`TIMELINE_BUCKETS` at most, fewer with many
 * lanes, so that about `TIMELINE_BARS` bars are sent in all) and each stretch keeps one
 * bar from its first start to its last end, coloured by the outcome that matters most
 * in it (kept, then failed with the label seen first, then running, then discarded). The
 * plot draws a dense timeline a pixel per stretch anyway; the browser then paints a few
 * thousand bars instead of 100,000: every bar lies inside the bar of its stretch, a
 * stretch with a kept trial shows as kept, any other stretch with a failure as failed.
 * `thinned` says how many bars were merged away.
 */
import type { TimelineData } from '../../web/plots/index.js';

/** Bars sent as they are, up to this many. */
export const TIMELINE_BARS = 6000;
/** Stretches per lane once thinned, at most (fewer with many lanes: about `TIMELINE_BARS` bars in all). */
export const TIMELINE_BUCKETS = 1500;
/** Stretches per lane, at least. */
const MIN_BUCKETS = 20;

type Bar = TimelineData['bars'][number];

const RANK: Record<Bar[4], number> = { kept: 0, failed: 1, running: 2, pending: 3, discarded: 4 };

/**
 * `data` with its bars thinned past `maxBars` (unchanged below): at most `buckets`
 * stretches per lane, and about `maxBars` bars in all (at least 20 stretches per lane).
 *
 * @example const sent = thinTimeline(timelineData(trials, slots, Date.now()));
 */
export function thinTimeline(data: TimelineData, maxBars = TIMELINE_BARS, buckets = TIMELINE_BUCKETS): TimelineData & { thinned?: number } {
  if (data.bars.length <= maxBars) return data;
  const lanes = Math.max(1, data.lanes.length);
  buckets = Math.max(MIN_BUCKETS, Math.min(buckets, Math.floor(maxBars / lanes)));
  const width = Math.max(1, data.spanMs / buckets);
  const merged = new Map<string, Bar>();
  for (const bar of data.bars) {
    const [id, lane, start, end, status, label] = bar;
    const key = `${lane}:${Math.min(buckets - 1, Math.floor(start / width))}`;
    const held = merged.get(key);
    if (held === undefined) {
      merged.set(key, [id, lane, start, end, status, label]);
      continue;
    }
    held[0] = Math.min(held[0], id);
    held[2] = Math.min(held[2], start);
    held[3] = Math.max(held[3], end);
    if (RANK[status] < RANK[held[4]]) {
      held[4] = status;
      held[5] = label;
    }
  }
  const bars = [...merged.values()].sort((a, b) => a[0] - b[0]);
  return { ...data, bars, thinned: data.bars.length - bars.length };
}
