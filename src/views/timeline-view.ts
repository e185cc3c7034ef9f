/**
 * The timeline of trials per slot: lanes from the slot of each trial's `trial.started`
 * event, bars from its start to its end, utilisation over the time the study was active.
 * Idle gaps (a study stopped overnight and resumed) are cut out of the axis and marked.
 */
import type { TimelineData } from '../../web/plots/index.js';
import type { TrialRecord } from '../core/trial.ts';
import type { TrialSlot } from './study-snapshot.ts';
import { activeAxis } from './timeline-axis.ts';

interface Interval {
  id: number;
  slot: number | null;
  gpu: string | null;
  start: number;
  end: number;
  trial: TrialRecord;
}

/** Parsed start and end of finished trials (records are immutable once finished, so a record is its own key). */
const spans = new WeakMap<TrialRecord, { start: number; end: number | null }>();

function spanOf(trial: TrialRecord): { start: number; end: number | null } {
  let span = spans.get(trial);
  if (!span) {
    const start = trial.startedAt === null ? NaN : Date.parse(trial.startedAt);
    let end: number | null = null;
    if (trial.timings.totalMs !== undefined && trial.finishedAt !== null) end = start + trial.timings.totalMs;
    else if (trial.finishedAt !== null) end = Date.parse(trial.finishedAt);
    span = { start, end };
    spans.set(trial, span);
  }
  return span;
}

/** Builds the timeline; `now` ends the bars of running trials. */
export function timelineData(trials: readonly TrialRecord[], slots: ReadonlyMap<number, TrialSlot>, now: number): TimelineData {
  const intervals: Interval[] = [];
  for (const trial of trials) {
    if (trial.startedAt === null) continue;
    const { start, end: finishedEnd } = spanOf(trial);
    if (!Number.isFinite(start)) continue;
    const end = finishedEnd ?? Math.max(start, now);
    const slot = slots.get(trial.id);
    intervals.push({ id: trial.id, slot: slot?.slot ?? null, gpu: slot?.gpu ?? null, start, end: Math.max(start, end), trial });
  }
  if (intervals.length === 0) return { spanMs: 0, activeMs: 0, utilisation: null, lanes: [], bars: [], gaps: [] };
  intervals.sort((a, b) => a.start - b.start || a.id - b.id);

  const { activeMs, spanMs, gaps, compress } = activeAxis(intervals, (interval) => interval.start, (interval) => interval.end);

  // Lanes: one per slot, with overflow lanes when intervals in one slot overlap
  // (two processes driving the same study both use slot 0).
  const laneKeys: string[] = [];
  const laneEnds: number[] = [];
  const laneBusy: number[] = [];
  const laneSlot: Array<number | null> = [];
  const laneNames: string[] = [];
  const bars: TimelineData['bars'] = [];
  const slotOrder = (slot: number | null) => (slot === null ? Number.MAX_SAFE_INTEGER : slot);
  const bySlot = [...intervals].sort((a, b) => slotOrder(a.slot) - slotOrder(b.slot) || a.start - b.start);
  for (const interval of bySlot) {
    const baseKey = interval.slot === null ? 'slot ?' : `slot ${interval.slot}`;
    let lane = -1;
    for (let i = 0; i < laneKeys.length; i++) {
      if (laneKeys[i] === baseKey && laneEnds[i]! <= interval.start + 1) {
        lane = i;
        break;
      }
    }
    if (lane === -1) {
      lane = laneKeys.length;
      const copies = laneKeys.filter((key) => key === baseKey).length;
      laneKeys.push(baseKey);
      laneEnds.push(0);
      laneBusy.push(0);
      laneSlot.push(interval.slot);
      laneNames.push(`${baseKey}${interval.gpu !== null ? ` gpu ${interval.gpu}` : ''}${copies > 0 ? ` (${copies + 1})` : ''}`);
    }
    laneEnds[lane] = Math.max(laneEnds[lane]!, interval.end);
    laneBusy[lane]! += interval.end - interval.start;
    bars.push([interval.id, lane, compress(interval.start), compress(interval.end), interval.trial.status, interval.trial.label]);
  }
  bars.sort((a, b) => a[0] - b[0]);
  const distinctSlots = new Set(laneSlot.map((slot) => slot ?? -1)).size;
  const busy = laneBusy.reduce((a, b) => a + b, 0);
  return {
    spanMs,
    activeMs,
    utilisation: activeMs > 0 ? Math.min(1, busy / (distinctSlots * activeMs)) : null,
    lanes: laneNames.map((name, i) => ({ name, utilisation: activeMs > 0 ? Math.min(1, laneBusy[i]! / activeMs) : null })),
    bars,
    gaps,
  };
}
