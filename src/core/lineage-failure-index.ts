/**
 * The failure blocks of the lineage feedback kept up to date one trial at a time: each
 * cause's members, specialists and knob values summarised as trials are added, the
 * scored trials' knob values likewise, and each hit's nearest scored trial remembered
 * and improved as scored trials arrive. Reading the blocks before a proposal then costs
 * the few causes and hits it shows, not every failure of the study. Gives what
 * `lineageFailures` (lineage-failures.ts) gives for the same trials. Pure: no I/O.
 */
import { CAUSE_TRIALS, CAUSES, change, contrastOf, failureExcerpt, HITS, isScored, knobDistance, KnobStats, PASSES, type LineageFailureCause } from './lineage-failures.ts';
import { IdList } from './id-list.ts';
import { KnobValueTable } from './knob-value-table.ts';
import { knobValuesInNotes } from './trial-change.ts';
import { failureOf } from './trial-failure.ts';
import type { TrialRecord } from './trial.ts';

/** One failure signature's trials and what the block reads of them. */
interface Cause {
  /** Ids, ascending. */
  ids: IdList;
  specialists: Map<string, number>;
  /** Knob values of the members that have some. */
  stats: KnobStats;
  /** A member left (it was applied again): `specialists` and `stats` are rebuilt when next read. */
  stale: boolean;
}

/** A hit's nearest scored trial in knob values (lowest distance, then lowest id), or none. */
interface Nearest {
  id: number;
  distance: number;
}

/**
 * @example
 * const failures = new FailureIndex((id) => trials.get(id));
 * failures.add(trial); // each trial as it is recorded; `remove` its old state first when it changes
 * failures.blocks(); // [{ signature, count, hits, passes, contrast, ... }]
 */
export class FailureIndex {
  private readonly causes = new Map<string, Cause>();
  /** Knob values noted by each trial that has some (parsed once, held compactly). */
  private readonly knobs = new KnobValueTable();
  /** Scored trials with knob values, ascending ids, and their knob values summarised. */
  private readonly scored = new IdList();
  private scoredStats = new KnobStats();
  private scoredStale = false;
  /** Hits' nearest scored trials (only the hits the last blocks considered are kept). */
  private nearest = new Map<number, Nearest | null>();
  private cached: LineageFailureCause[] | null = null;

  /**
   * `require` (optional) is told, before a block reads them, every id whose record it is
   * about to read; a bounded `LineageIndex` throws there for the ones it dropped, so
   * that they are loaded in one go.
   */
  constructor(
    private readonly byId: (id: number) => TrialRecord | undefined,
    private readonly require: (ids: readonly number[]) => void = () => {},
  ) {}

  /** Files `trial` (its current state) under its failure signature and as a scored trial with knob values. */
  add(trial: TrialRecord): void {
    this.cached = null;
    const values = knobValuesInNotes(trial.notes);
    if (values !== null) this.knobs.set(trial.id, values);
    const failure = failureOf(trial);
    if (failure !== null) {
      let cause = this.causes.get(failure.signature);
      if (cause === undefined) this.causes.set(failure.signature, (cause = { ids: new IdList(), specialists: new Map(), stats: new KnobStats(), stale: false }));
      cause.ids.insert(trial.id);
      cause.specialists.set(trial.specialist, (cause.specialists.get(trial.specialist) ?? 0) + 1);
      if (values !== null) cause.stats.add(values);
    }
    if (values !== null && isScored(trial)) {
      this.scored.insert(trial.id);
      this.scoredStats.add(values);
      for (const [hitId, best] of this.nearest) {
        const distance = knobDistance(this.knobs.get(hitId)!, values);
        if (best === null ? distance < Infinity : distance < best.distance || (distance === best.distance && trial.id < best.id)) this.nearest.set(hitId, { id: trial.id, distance });
      }
    }
  }

  /**
   * Undoes `add` for the recorded state of a trial that changed: `trial` is the record
   * that was added (its signature is derived again, so no id-to-signature map is held).
   */
  remove(trial: TrialRecord): void {
    this.cached = null;
    const signature = failureOf(trial)?.signature;
    const cause = signature === undefined ? undefined : this.causes.get(signature);
    const member = cause === undefined ? -1 : cause.ids.indexOf(trial.id);
    if (cause !== undefined && member >= 0) {
      cause.ids.removeAt(member);
      if (cause.ids.length === 0) this.causes.delete(signature!);
      else cause.stale = true;
    }
    const at = this.scored.indexOf(trial.id);
    if (at >= 0) {
      this.scored.removeAt(at);
      this.scoredStale = true;
      this.nearest.clear();
    }
    this.nearest.delete(trial.id);
    this.knobs.delete(trial.id);
  }

  /** The failure blocks (`lineageFailures` of every trial added), computed once per change. */
  blocks(): LineageFailureCause[] {
    this.cached ??= this.compute();
    return this.cached;
  }

  private compute(): LineageFailureCause[] {
    if (this.scoredStale) {
      this.scoredStats = new KnobStats();
      for (const id of this.scored) this.scoredStats.add(this.knobs.get(id)!);
      this.scoredStale = false;
    }
    const ordered = [...this.causes.entries()].sort((a, b) => b[1].ids.length - a[1].ids.length || b[1].ids.at(-1)! - a[1].ids.at(-1)!).slice(0, CAUSES);
    const considered = new Map<number, Nearest | null>();
    const blocks = ordered.map(([signature, cause]) => this.block(signature, cause, considered));
    this.nearest = considered;
    return blocks;
  }

  private block(signature: string, cause: Cause, considered: Map<number, Nearest | null>): LineageFailureCause {
    if (cause.stale) this.rebuild(cause);
    this.require(cause.ids.slice(-HITS));
    const member = (id: number) => this.byId(id)!;
    const latest = member(cause.ids.at(-1)!);
    const hits: TrialRecord[] = [];
    for (let i = cause.ids.length - 1; i >= 0 && hits.length < HITS; i--) hits.push(member(cause.ids.at(i)!));
    return {
      signature,
      label: latest.label ?? 'crash',
      summary: failureOf(latest)!.summary,
      count: cause.ids.length,
      trials: cause.ids.slice(-CAUSE_TRIALS),
      specialists: Object.fromEntries(cause.specialists),
      excerpt: failureExcerpt(latest),
      hits: hits.map((trial) => change(trial, this.knobs)),
      passes: this.passes(cause, considered).map((trial) => change(trial, this.knobs)),
      contrast: contrastOf(cause.stats, this.scoredStats),
    };
  }

  /** `nearestPasses` of lineage-failures.ts: the hits newest first, each one's nearest scored trial, else its scored parent. */
  private passes(cause: Cause, considered: Map<number, Nearest | null>): TrialRecord[] {
    const chosen = new Map<number, TrialRecord>();
    for (let i = cause.ids.length - 1; i >= 0 && chosen.size < PASSES; i--) {
      const hit = this.byId(cause.ids.at(i)!)!;
      let nearest: TrialRecord | undefined;
      if (this.knobs.has(hit.id)) {
        const found = this.nearestTo(hit.id);
        considered.set(hit.id, found);
        if (found !== null) nearest = this.byId(found.id);
      }
      if (nearest === undefined && hit.parent !== null) {
        const parent = this.byId(hit.parent);
        if (parent !== undefined && isScored(parent)) nearest = parent;
      }
      if (nearest !== undefined) chosen.set(nearest.id, nearest);
    }
    return [...chosen.values()];
  }

  private nearestTo(hitId: number): Nearest | null {
    const known = this.nearest.get(hitId);
    if (known !== undefined) return known;
    const values = this.knobs.get(hitId)!;
    let best: Nearest | null = null;
    for (let i = 0; i < this.scored.length; i++) {
      const id = this.scored.at(i)!;
      const distance = this.knobs.distance(values, id);
      if (distance < (best?.distance ?? Infinity)) best = { id, distance };
    }
    this.nearest.set(hitId, best);
    return best;
  }

  private rebuild(cause: Cause): void {
    this.require(cause.ids.slice());
    cause.specialists.clear();
    cause.stats = new KnobStats();
    for (const id of cause.ids) {
      const trial = this.byId(id)!;
      cause.specialists.set(trial.specialist, (cause.specialists.get(trial.specialist) ?? 0) + 1);
      const values = this.knobs.get(id);
      if (values !== undefined) cause.stats.add(values);
    }
    cause.stale = false;
  }
}
