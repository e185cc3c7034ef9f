/**
 * The slot timeline kept current trial by trial: each trial's span (parsed once) sits in
 * two orders kept in place, by start over the study and by start within its slot, so a
 * write costs a binary search per changed trial instead of parsing and sorting every
 * trial. `timeline()` then answers what `thinTimeline(timelineData(trials, slots, now))`
 * gives, in one pass over the spans for the active periods and one for the lanes, which
 * past `maxBars` merges each bar into its stretch as it goes (numbers only: no per-trial
 * object, string or sort). The bars depend on the whole study's span (a later end moves
 * every stretch), so this pass stays; it is a few arithmetic steps per trial.
 * timeline-tracker.test.ts checks it against the full computation on random studies.
 */
import type { TimelineData } from '../../web/plots/index.js';
import type { TrialRecord } from '../core/trial.ts';
import type { TrialSlot } from './study-snapshot.ts';
import { activeAxis } from './timeline-axis.ts';
import { TIMELINE_BARS, TIMELINE_BUCKETS } from './timeline-thinning.ts';

/** A gap longer than this (and than 5% of the active time) is cut out of the axis (as timeline-view.ts). */
const MIN_BUCKETS = 20;

type Bar = TimelineData['bars'][number];
const RANK: Record<Bar[4], number> = { kept: 0, failed: 1, running: 2, pending: 3, discarded: 4 };

interface Span {
  id: number;
  start: number;
  /** Null while the trial runs (its bar ends now). */
  end: number | null;
  slot: number | null;
  gpu: string | null;
  status: TrialRecord['status'];
  label: TrialRecord['label'];
}

/** Spans in (start, id) order, updated in place. */
class StartOrder {
  readonly spans: Span[] = [];

  insert(span: Span): void {
    const at = this.position(span.start, span.id);
    if (at === this.spans.length) this.spans.push(span);
    else this.spans.splice(at, 0, span);
  }

  remove(span: Span): void {
    const at = this.position(span.start, span.id);
    if (this.spans[at] === span) this.spans.splice(at, 1);
  }

  private position(start: number, id: number): number {
    const spans = this.spans;
    const last = spans[spans.length - 1];
    if (last === undefined || last.start < start || (last.start === start && last.id < id)) return spans.length;
    let low = 0;
    let high = spans.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = spans[mid]!;
      if (other.start < start || (other.start === start && other.id < id)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** The slot order of the timeline: slots ascending, the unknown slot last. */
const slotOrder = (slot: number | null) => (slot === null ? Number.MAX_SAFE_INTEGER : slot);

export class TimelineTracker {
  private readonly byId = new Map<number, Span>();
  private readonly all = new StartOrder();
  private readonly bySlot = new Map<number | null, StartOrder>();

  /**
   * @example
   * const tracker = new TimelineTracker(snapshot.sorted(), snapshot.slots);
   * snapshot.onTrialChange((_, next) => tracker.change(next, snapshot.slots));
   */
  constructor(trials: Iterable<TrialRecord>, slots: ReadonlyMap<number, TrialSlot>) {
    for (const trial of trials) this.change(trial, slots);
  }

  /** Trial `trial.id` is now `trial` (its slot from `slots`). */
  change(trial: TrialRecord, slots: ReadonlyMap<number, TrialSlot>): void {
    const held = this.byId.get(trial.id);
    const span = spanOf(trial, slots.get(trial.id));
    if (held && span && held.start === span.start && held.slot === span.slot) {
      Object.assign(held, span); // the same place in both orders
      return;
    }
    if (held) {
      this.byId.delete(trial.id);
      this.all.remove(held);
      this.bySlot.get(held.slot)?.remove(held);
    }
    if (!span) return;
    this.byId.set(span.id, span);
    this.all.insert(span);
    let order = this.bySlot.get(span.slot);
    if (!order) {
      order = new StartOrder();
      this.bySlot.set(span.slot, order);
    }
    order.insert(span);
  }

  /**
   * The timeline as `thinTimeline(timelineData(trials, slots, now), maxBars, buckets)` gives it.
   *
   * @example const data = tracker.timeline(Date.now());
   */
  timeline(now: number, maxBars = TIMELINE_BARS, buckets = TIMELINE_BUCKETS): TimelineData & { thinned?: number } {
    const spans = this.all.spans;
    if (spans.length === 0) return { spanMs: 0, activeMs: 0, utilisation: null, lanes: [], bars: [], gaps: [] };
    const endOf = (span: Span) => Math.max(span.start, span.end ?? Math.max(span.start, now));
    const axis = activeAxis(spans, endOf);
    const lanes = this.laneCount(endOf);
    const thin = spans.length > maxBars;
    const stretches = Math.max(MIN_BUCKETS, Math.min(buckets, Math.floor(maxBars / Math.max(1, lanes))));
    const width = Math.max(1, axis.spanMs / stretches);
    const laneNames: string[] = [];
    const laneBusy: number[] = [];
    const laneSlot: Array<number | null> = [];
    const bars: Bar[] = [];
    const merged = new Map<number, { bar: Bar; from: number }>();
    for (const slot of [...this.bySlot.keys()].sort((a, b) => slotOrder(a) - slotOrder(b))) {
      const baseKey = slot === null ? 'slot ?' : `slot ${slot}`;
      const first = laneNames.length;
      const laneEnds: number[] = [];
      for (const span of this.bySlot.get(slot)!.spans) {
        const end = endOf(span);
        let lane = laneEnds.findIndex((laneEnd) => laneEnd <= span.start + 1);
        if (lane === -1) {
          lane = laneEnds.length;
          laneEnds.push(0);
          laneBusy.push(0);
          laneSlot.push(slot);
          laneNames.push(`${baseKey}${span.gpu !== null ? ` gpu ${span.gpu}` : ''}${lane > 0 ? ` (${lane + 1})` : ''}`);
        }
        laneEnds[lane] = Math.max(laneEnds[lane]!, end);
        laneBusy[first + lane]! += end - span.start;
        const bar: Bar = [span.id, first + lane, axis.compress(span.start), axis.compress(end), span.status, span.label];
        if (!thin) bars.push(bar);
        else mergeBar(merged, bar, (first + lane) * stretches + Math.min(stretches - 1, Math.floor(bar[2] / width)));
      }
    }
    const sent = thin ? [...merged.values()].map((entry) => entry.bar) : bars;
    sent.sort((a, b) => a[0] - b[0]);
    const distinctSlots = new Set(laneSlot.map((slot) => slot ?? -1)).size;
    const busy = laneBusy.reduce((a, b) => a + b, 0);
    const { activeMs } = axis;
    return {
      spanMs: axis.spanMs,
      activeMs,
      utilisation: activeMs > 0 ? Math.min(1, busy / (distinctSlots * activeMs)) : null,
      lanes: laneNames.map((name, i) => ({ name, utilisation: activeMs > 0 ? Math.min(1, laneBusy[i]! / activeMs) : null })),
      bars: sent,
      gaps: axis.gaps,
      ...(thin ? { thinned: spans.length - sent.length } : {}),
    };
  }

  /** How many lanes the slots need (the greedy packing of `timeline`, counted only). */
  private laneCount(endOf: (span: Span) => number): number {
    let lanes = 0;
    for (const order of this.bySlot.values()) {
      const laneEnds: number[] = [];
      for (const span of order.spans) {
        const lane = laneEnds.findIndex((laneEnd) => laneEnd <= span.start + 1);
        if (lane === -1) laneEnds.push(endOf(span));
        else laneEnds[lane] = Math.max(laneEnds[lane]!, endOf(span));
      }
      lanes += laneEnds.length;
    }
    return lanes;
  }
}

/**
 * A bar merged into the bar of its stretch (`thinTimeline`'s rule, which meets the bars
 * in id order: the outcome that matters most, and of those the lowest id's label).
 */
function mergeBar(merged: Map<number, { bar: Bar; from: number }>, bar: Bar, key: number): void {
  const held = merged.get(key);
  if (held === undefined) {
    merged.set(key, { bar, from: bar[0] });
    return;
  }
  const into = held.bar;
  into[0] = Math.min(into[0], bar[0]);
  into[2] = Math.min(into[2], bar[2]);
  into[3] = Math.max(into[3], bar[3]);
  if (RANK[bar[4]] < RANK[into[4]] || (RANK[bar[4]] === RANK[into[4]] && bar[0] < held.from)) {
    into[4] = bar[4];
    into[5] = bar[5];
    held.from = bar[0];
  }
}

/** A trial's span as timeline-view.ts reads it (null when it has not started, or its start does not parse). */
function spanOf(trial: TrialRecord, slot: TrialSlot | undefined): Span | null {
  if (trial.startedAt === null) return null;
  const start = Date.parse(trial.startedAt);
  if (!Number.isFinite(start)) return null;
  let end: number | null = null;
  if (trial.timings.totalMs !== undefined && trial.finishedAt !== null) end = start + trial.timings.totalMs;
  else if (trial.finishedAt !== null) end = Date.parse(trial.finishedAt);
  return { id: trial.id, start, end, slot: slot?.slot ?? null, gpu: slot?.gpu ?? null, status: trial.status, label: trial.label };
}
