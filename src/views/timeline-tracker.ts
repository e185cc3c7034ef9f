/**
 * The slot timeline kept current trial by trial: each trial's span (parsed once, held in
 * columns indexed by trial id: no object per trial) sits in two orders of ids kept in place, by start over the study and by start within its slot, so a
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

/**
 * Every trial's span in columns indexed by trial id (ids are a study's numbers, from 0):
 * start and end times in typed arrays (a NaN start: no span), whether the trial still
 * runs (its bar ends now), the slot, the GPU, status and label as references. About 50
 * bytes a trial, no object per trial.
 */
class SpanColumns {
  start = new Float64Array(0);
  end = new Float64Array(0);
  open = new Uint8Array(0);
  slot: Array<number | null> = [];
  gpu: Array<string | null> = [];
  status: Array<TrialRecord['status']> = [];
  label: Array<TrialRecord['label']> = [];

  has(id: number): boolean {
    return id < this.start.length && !Number.isNaN(this.start[id]!);
  }

  set(id: number, span: Span): void {
    if (id >= this.start.length) this.grow(id + 1);
    this.start[id] = span.start;
    this.end[id] = span.end ?? 0;
    this.open[id] = span.end === null ? 1 : 0;
    this.slot[id] = span.slot;
    this.gpu[id] = span.gpu;
    this.status[id] = span.status;
    this.label[id] = span.label;
  }

  clear(id: number): void {
    this.start[id] = Number.NaN;
  }

  private grow(size: number): void {
    const capacity = Math.max(size, Math.ceil(this.start.length * 1.5), 64);
    const start = new Float64Array(capacity).fill(Number.NaN);
    start.set(this.start);
    const end = new Float64Array(capacity);
    end.set(this.end);
    const open = new Uint8Array(capacity);
    open.set(this.open);
    this.start = start;
    this.end = end;
    this.open = open;
  }
}

/** A trial's span as read from its record (before it goes into the columns). */
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

/** Trial ids in (start, id) order, updated in place. */
class StartOrder {
  readonly ids: number[] = [];

  constructor(private readonly columns: SpanColumns) {}

  insert(id: number): void {
    const at = this.position(this.columns.start[id]!, id);
    if (at === this.ids.length) this.ids.push(id);
    else this.ids.splice(at, 0, id);
  }

  /** Removes `id`, placed at `start`. */
  remove(id: number, start: number): void {
    const at = this.position(start, id);
    if (this.ids[at] === id) this.ids.splice(at, 1);
  }

  private position(start: number, id: number): number {
    const ids = this.ids;
    const starts = this.columns.start;
    const last = ids[ids.length - 1];
    if (last === undefined || starts[last]! < start || (starts[last] === start && last < id)) return ids.length;
    let low = 0;
    let high = ids.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = ids[mid]!;
      const otherStart = starts[other]!;
      if (otherStart < start || (otherStart === start && other < id)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** The slot order of the timeline: slots ascending, the unknown slot last. */
const slotOrder = (slot: number | null) => (slot === null ? Number.MAX_SAFE_INTEGER : slot);

export class TimelineTracker {
  private readonly columns = new SpanColumns();
  private readonly all = new StartOrder(this.columns);
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
    const { columns } = this;
    const id = trial.id;
    const span = spanOf(trial, slots.get(id));
    const held = columns.has(id);
    if (held && span && columns.start[id] === span.start && columns.slot[id] === span.slot) {
      columns.set(id, span); // the same place in both orders
      return;
    }
    if (held) {
      const start = columns.start[id]!;
      this.all.remove(id, start);
      this.bySlot.get(columns.slot[id] ?? null)?.remove(id, start);
      columns.clear(id);
    }
    if (!span) return;
    columns.set(id, span);
    this.all.insert(id);
    let order = this.bySlot.get(span.slot);
    if (!order) {
      order = new StartOrder(columns);
      this.bySlot.set(span.slot, order);
    }
    order.insert(id);
  }

  /**
   * The timeline as `thinTimeline(timelineData(trials, slots, now), maxBars, buckets)` gives it.
   *
   * @example const data = tracker.timeline(Date.now());
   */
  timeline(now: number, maxBars = TIMELINE_BARS, buckets = TIMELINE_BUCKETS): TimelineData & { thinned?: number } {
    const ids = this.all.ids;
    if (ids.length === 0) return { spanMs: 0, activeMs: 0, utilisation: null, lanes: [], bars: [], gaps: [] };
    const { start: starts, end: ends, open, gpu, status, label } = this.columns;
    const endOf = (id: number) => {
      const start = starts[id]!;
      return Math.max(start, open[id] === 1 ? Math.max(start, now) : ends[id]!);
    };
    const axis = activeAxis(ids, (id) => starts[id]!, endOf);
    const lanes = this.laneCount(endOf);
    const thin = ids.length > maxBars;
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
      for (const id of this.bySlot.get(slot)!.ids) {
        const start = starts[id]!;
        const end = endOf(id);
        let lane = laneEnds.findIndex((laneEnd) => laneEnd <= start + 1);
        if (lane === -1) {
          lane = laneEnds.length;
          laneEnds.push(0);
          laneBusy.push(0);
          laneSlot.push(slot);
          laneNames.push(`${baseKey}${gpu[id] !== null ? ` gpu ${gpu[id]}` : ''}${lane > 0 ? ` (${lane + 1})` : ''}`);
        }
        laneEnds[lane] = Math.max(laneEnds[lane]!, end);
        laneBusy[first + lane]! += end - start;
        const bar: Bar = [id, first + lane, axis.compress(start), axis.compress(end), status[id]!, label[id]!];
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
      ...(thin ? { thinned: ids.length - sent.length } : {}),
    };
  }

  /** How many lanes the slots need (the greedy packing of `timeline`, counted only). */
  private laneCount(endOf: (id: number) => number): number {
    const starts = this.columns.start;
    let lanes = 0;
    for (const order of this.bySlot.values()) {
      const laneEnds: number[] = [];
      for (const id of order.ids) {
        const lane = laneEnds.findIndex((laneEnd) => laneEnd <= starts[id]! + 1);
        if (lane === -1) laneEnds.push(endOf(id));
        else laneEnds[lane] = Math.max(laneEnds[lane]!, endOf(id));
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
