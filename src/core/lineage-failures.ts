/**
 * The failures part of the lineage feedback: one block per failure signature with its
 * count, its trials, what the trials that hit it changed (knob values or a diff summary)
 * against the nearest trials that did not, and the traceback shown once. Pure.
 */
import { failureOf } from './trial-failure.ts';
import { knobGap } from './knob-gap.ts';
import { diffSummary, formatKnobValues, knobValuesInNotes, type NotedKnobValues } from './trial-change.ts';
import type { FailureLabel, TrialRecord, TrialStatus } from './trial.ts';

/** One trial in a failure block: what it changed. */
export interface LineageChange {
  id: number;
  specialist: string;
  status: TrialStatus;
  label: FailureLabel | null;
  score: number | null;
  /** Its knob values (from a knobs specialist's notes) or a summary of its diff. */
  change: string;
}

/** One cause of failure, as a specialist sees it. */
export interface LineageFailureCause {
  signature: string;
  label: FailureLabel;
  /** The latest trial's one-line summary. */
  summary: string;
  count: number;
  /** Its trials, ascending (the last 20). */
  trials: number[];
  specialists: Record<string, number>;
  /** The latest trial's traceback or detail: shown once for the whole cause. */
  excerpt: string;
  /** The trials that hit it, newest first (at most 5). */
  hits: LineageChange[];
  /** The nearest trials that did not hit it and were scored (nearest in knob values, else the parent). */
  passes: LineageChange[];
  /** Knobs whose values tell the hits from the scored trials, e.g. `n_heads: hit 3, 5, 6 · scored 1, 2, 4, 8`. */
  contrast: string[];
}

/** Causes shown, hits and passes per cause, trial ids listed per cause. */
export const CAUSES = 8;
export const HITS = 5;
export const PASSES = 3;
export const CAUSE_TRIALS = 20;
const EXCERPT_LINES = 14;
const EXCERPT_CHARS = 1400;
const DISTINCT_VALUES = 8;

export function isScored(trial: TrialRecord): boolean {
  return (trial.status === 'kept' || trial.status === 'discarded') && trial.score !== null;
}

/** The failing phase's output tail (the traceback) when there is one, else the detail. */
export function failureExcerpt(trial: TrialRecord, lines = EXCERPT_LINES, chars = EXCERPT_CHARS): string {
  const source = trial.logExcerpt.trim() !== '' && /Traceback|Error|error|at .*:\d+/.test(trial.logExcerpt) ? trial.logExcerpt : (trial.labelDetail ?? trial.logExcerpt);
  let all = source.trim().split('\n');
  // A Python traceback starts at its header: what the run printed before it says nothing of the cause.
  const header = all.findIndex((line) => line.startsWith('Traceback (most recent call last)'));
  if (header > 0) all = all.slice(header);
  const tail = all.slice(-lines).join('\n');
  return tail.length > chars ? '…' + tail.slice(-chars) : tail;
}

/** How far apart two knob settings are: relative differences of numbers, 1 per differing other value. */
export function knobDistance(a: NotedKnobValues, b: NotedKnobValues): number {
  let distance = 0;
  // Every name of `a`, then those only `b` has (no set built: this runs once per scored trial per hit).
  for (const name in a) distance += knobGap(a[name], b[name]);
  for (const name in b) if (!Object.hasOwn(a, name)) distance += knobGap(undefined, b[name]);
  return distance;
}

/** A trial as a failure block shows it: its knob values, else a summary of its diff. */
export function change(trial: TrialRecord, knobs: Pick<ReadonlyMap<number, NotedKnobValues>, 'get'>): LineageChange {
  const values = knobs.get(trial.id);
  return {
    id: trial.id,
    specialist: trial.specialist,
    status: trial.status,
    label: trial.label,
    score: trial.score,
    change: values !== undefined ? formatKnobValues(values) : diffSummary(trial.diff),
  };
}

/** The nearest scored trials to the hits: in knob values where both have them, else each hit's scored parent. */
function nearestPasses(hits: readonly TrialRecord[], scored: readonly TrialRecord[], byId: Pick<ReadonlyMap<number, TrialRecord>, 'get'>, knobs: ReadonlyMap<number, NotedKnobValues>): TrialRecord[] {
  const chosen = new Map<number, TrialRecord>();
  for (const hit of hits) {
    if (chosen.size >= PASSES) break;
    const values = knobs.get(hit.id);
    let nearest: TrialRecord | undefined;
    if (values !== undefined) {
      let best = Infinity;
      for (const candidate of scored) {
        const other = knobs.get(candidate.id);
        if (other === undefined) continue;
        const distance = knobDistance(values, other);
        if (distance < best) [best, nearest] = [distance, candidate];
      }
    }
    if (nearest === undefined && hit.parent !== null) {
      const parent = byId.get(hit.parent);
      if (parent !== undefined && isScored(parent)) nearest = parent;
    }
    if (nearest !== undefined) chosen.set(nearest.id, nearest);
  }
  return [...chosen.values()];
}

function formatValue(value: string | number | boolean): string {
  return typeof value === 'number' ? String(Number(value.toPrecision(4))) : String(value);
}

/** What one knob's values were across a set of trials: enough to tell whether they separate two sets. */
interface KnobValueStats {
  /** Values that are not numbers (strings, booleans). */
  nonNumbers: number;
  /** Numbers that are not integers. */
  nonIntegers: number;
  min: number;
  max: number;
  /** Distinct values, counted up to DISTINCT_VALUES + 1 (past that, only "too many" matters). */
  distinct: Set<string | number | boolean>;
}

/**
 * The knob values of a set of trials, summarised per knob as they are added (a contrast
 * needs no more): the failure blocks keep one per cause and one for the scored trials,
 * and add each trial once.
 *
 * @example
 * const stats = new KnobStats();
 * stats.add({ n_heads: 6, lr: 0.01 });
 */
export class KnobStats {
  /** Trials added. */
  count = 0;
  readonly byName = new Map<string, KnobValueStats>();

  add(values: NotedKnobValues): void {
    this.count++;
    for (const [name, value] of Object.entries(values)) {
      let stats = this.byName.get(name);
      if (stats === undefined) this.byName.set(name, (stats = { nonNumbers: 0, nonIntegers: 0, min: Infinity, max: -Infinity, distinct: new Set() }));
      if (typeof value !== 'number') stats.nonNumbers++;
      else {
        if (!Number.isInteger(value)) stats.nonIntegers++;
        stats.min = Math.min(stats.min, value);
        stats.max = Math.max(stats.max, value);
      }
      if (stats.distinct.size <= DISTINCT_VALUES) stats.distinct.add(value);
    }
  }
}

/** The stats of `trials`' knob values (those without any are skipped). */
export function knobStatsOf(trials: readonly TrialRecord[], knobs: ReadonlyMap<number, NotedKnobValues>): KnobStats {
  const stats = new KnobStats();
  for (const trial of trials) {
    const values = knobs.get(trial.id);
    if (values !== undefined) stats.add(values);
  }
  return stats;
}

/**
 * Knobs whose values separate the hits from every scored trial, by name: numbers in
 * ranges that do not overlap (`lr: hit 0.02–0.1 · scored 1e-4–0.008`), or, for a discrete
 * knob (integers, categories), few distinct values with none in common
 * (`n_heads: hit 3, 5, 6 · scored 1, 2, 4, 8`).
 */
export function contrastOf(hits: KnobStats, scored: KnobStats): string[] {
  if (hits.count < 2 || scored.count === 0) return [];
  const lines: string[] = [];
  const sorted = (set: Set<string | number | boolean>) => [...set].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));
  for (const name of [...hits.byName.keys()].sort()) {
    const hit = hits.byName.get(name)!;
    const ok = scored.byName.get(name);
    if (ok === undefined) continue;
    // Few distinct values of a discrete knob (integers, categories): sets with nothing in common. Real numbers: ranges.
    const discrete = hit.nonIntegers + ok.nonIntegers === 0;
    if (discrete && hit.distinct.size <= DISTINCT_VALUES && ok.distinct.size <= DISTINCT_VALUES && [...hit.distinct].every((value) => !ok.distinct.has(value))) {
      lines.push(`${name}: hit ${sorted(hit.distinct).map(formatValue).join(', ')} · scored ${sorted(ok.distinct).map(formatValue).join(', ')}`);
      continue;
    }
    if (hit.nonNumbers === 0 && ok.nonNumbers === 0 && (hit.min > ok.max || hit.max < ok.min)) {
      lines.push(`${name}: hit ${formatValue(hit.min)}–${formatValue(hit.max)} · scored ${formatValue(ok.min)}–${formatValue(ok.max)}`);
    }
  }
  return lines;
}

/**
 * The failure blocks of the lineage feedback: the failed trials grouped by signature, most
 * frequent first (ties: the most recent), at most 8.
 *
 * @example
 * lineageFailures(trials)[0]
 * // { signature: 'crash AssertionError at model.py: ...', count: 17, trials: [2, 3, ...], hits: [{ id: 20, change: 'n_heads=6, d_model=128' }],
 * //   passes: [{ id: 7, change: 'n_heads=4, d_model=128', score: 2.13 }], contrast: ['n_heads: hit 3, 5, 6, 7 · scored 1, 2, 4, 8'], excerpt: 'Traceback ...' }
 */
export function lineageFailures(trials: readonly TrialRecord[]): LineageFailureCause[] {
  const byId = new Map(trials.map((trial) => [trial.id, trial]));
  const knobs = new Map<number, NotedKnobValues>();
  for (const trial of trials) {
    const values = knobValuesInNotes(trial.notes);
    if (values !== null) knobs.set(trial.id, values);
  }
  const groups = new Map<string, TrialRecord[]>();
  for (const trial of [...trials].sort((a, b) => a.id - b.id)) {
    const failure = failureOf(trial);
    if (failure === null) continue;
    const members = groups.get(failure.signature);
    if (members === undefined) groups.set(failure.signature, [trial]);
    else members.push(trial);
  }
  return failureBlocks({ groups, scored: trials.filter((trial) => isScored(trial) && knobs.has(trial.id)), byId: (id) => byId.get(id), knobs });
}

/** What the failure blocks are made from: `lineageFailures` builds it from an array, `LineageIndex` keeps it up to date. */
export interface FailureInputs {
  /** The failed trials by signature, each group in id order. */
  groups: ReadonlyMap<string, readonly TrialRecord[]>;
  /** The scored trials with knob values in their notes (the only ones a contrast or a nearest pass can use), in id order. */
  scored: readonly TrialRecord[];
  byId(id: number): TrialRecord | undefined;
  /** Each trial's knob values (from its notes), where it has some. */
  knobs: ReadonlyMap<number, NotedKnobValues>;
}

/** The failure blocks of `inputs` (see `lineageFailures`). */
export function failureBlocks(inputs: FailureInputs): LineageFailureCause[] {
  const { groups, scored, knobs } = inputs;
  const byId = { get: inputs.byId };
  const ordered = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || b[1].at(-1)!.id - a[1].at(-1)!.id).slice(0, CAUSES);
  return ordered.map(([signature, members]) => {
    const latest = members.at(-1)!;
    const newestFirst = [...members].reverse();
    const specialists: Record<string, number> = {};
    for (const trial of members) specialists[trial.specialist] = (specialists[trial.specialist] ?? 0) + 1;
    return {
      signature,
      label: latest.label ?? 'crash',
      summary: failureOf(latest)!.summary,
      count: members.length,
      trials: members.map((trial) => trial.id).slice(-CAUSE_TRIALS),
      specialists,
      excerpt: failureExcerpt(latest),
      hits: newestFirst.slice(0, HITS).map((trial) => change(trial, knobs)),
      passes: nearestPasses(newestFirst, scored, byId, knobs).map((trial) => change(trial, knobs)),
      contrast: contrastOf(knobStatsOf(members, knobs), knobStatsOf(scored, knobs)),
    };
  });
}

/**
 * The cause a specialist's own last `run` finished trials all failed with, or null.
 *
 * @example repeatedFailure(mine, 4) // { signature: 'crash AssertionError ...', summary: '...', count: 4 }
 */
export function repeatedFailure(ownNewestFirst: readonly TrialRecord[], run: number): { signature: string; summary: string; count: number } | null {
  const last = ownNewestFirst.slice(0, run);
  if (last.length < run) return null;
  const failures = last.map((trial) => failureOf(trial));
  const first = failures[0];
  if (first == null || failures.some((failure) => failure?.signature !== first.signature)) return null;
  let count = 0;
  for (const trial of ownNewestFirst) {
    if (failureOf(trial)?.signature !== first.signature) break;
    count++;
  }
  return { signature: first.signature, summary: first.summary, count };
}
