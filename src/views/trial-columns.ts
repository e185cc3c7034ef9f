/**
 * The extra columns of trial tables: a knob's value (`knob:NAME`, read at each trial's
 * commit) or any metric the score command printed (`metric:NAME`), and range filters on
 * them (what a brush on a parallel-coordinates axis selects).
 */
import type { TrialRecord } from '../core/trial.ts';
import { knobValueEquals, type KnobValue } from '../specialists/knobs/knob-value.ts';
import type { TrialKnobs } from './trial-knob-values.ts';

/** `knob:NAME` or `metric:NAME`. */
export type ColumnKey = `knob:${string}` | `metric:${string}`;

/** A cell's value: a number, a categorical choice, or null when the trial has none. */
export type ColumnValue = KnobValue | null;

/** Keeps rows whose column value is within [min, max] (numbers), or among `values` (choices). */
export interface ColumnFilter {
  key: ColumnKey | 'score';
  min?: number;
  max?: number;
  values?: string[];
}

export function isColumnKey(text: string): text is ColumnKey {
  return /^(knob|metric):./.test(text);
}

/**
 * A trial's value in column `key`.
 *
 * @example columnValue('metric:artifact_bytes', trial, undefined) // 15123456
 */
export function columnValue(key: ColumnKey | 'score', trial: Pick<TrialRecord, 'metrics' | 'score'>, knobs: TrialKnobs | undefined): ColumnValue {
  if (key === 'score') return trial.score;
  if (key.startsWith('knob:')) return knobs?.[key.slice(5)] ?? null;
  const value = trial.metrics[key.slice(7)];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Every metric name recorded by any trial, the objective first, then alphabetical. */
export function metricNames(trials: readonly Pick<TrialRecord, 'metrics'>[], objective: string): string[] {
  const names = new Set<string>();
  for (const trial of trials) for (const name of Object.keys(trial.metrics)) names.add(name);
  return orderMetricNames(names, objective);
}

/** Metric names in column order: the objective first, then alphabetical. */
export function orderMetricNames(names: Iterable<string>, objective: string): string[] {
  return [...names].sort((a, b) => (a === objective ? -1 : b === objective ? 1 : a.localeCompare(b)));
}

/** True when `value` passes `filter` (a missing value never does). */
export function passesFilter(filter: ColumnFilter, value: ColumnValue): boolean {
  if (value === null) return false;
  if (filter.values !== undefined) return filter.values.some((choice) => choice === String(value) || knobValueEquals(Number(choice), value as KnobValue));
  if (typeof value !== 'number') return false;
  return (filter.min === undefined || value >= filter.min) && (filter.max === undefined || value <= filter.max);
}

/** Orders column values: missing last is the caller's business; numbers before text. */
export function compareColumnValues(a: KnobValue, b: KnobValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
