/**
 * The knobs view of a study: every finished trial as a point over the knobs (for slice
 * plots and parallel coordinates), failures with their cause group, the baseline and the
 * incumbent, and the knob importance. Pure: the server caches it per revision, the
 * report calls it once.
 */
import type { Objective } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import type { KnobValue } from '../specialists/knobs/knob-value.ts';
import { groupFailures, type FailureGroup } from './failure-groups.ts';
import type { KnobImportance } from './knob-importance.ts';
import { incumbentOf } from './lineage-view.ts';
import type { StudyKnob } from './study-knobs.ts';
import type { TrialKnobs } from './trial-knob-values.ts';

/** A knob as its axis is drawn. */
export interface KnobAxis {
  name: string;
  surface: string;
  type: 'float' | 'int' | 'categorical';
  log: boolean;
  low: number | null;
  high: number | null;
  choices: Array<string | number | boolean> | null;
}

/** [trial id, status, score (null when none), failure group index (-1 when none), value per knob (null when unknown)]. */
export type KnobPoint = [number, 'kept' | 'discarded' | 'failed', number | null, number, Array<KnobValue | null>];

export interface KnobAnalysis {
  objective: Objective;
  knobs: KnobAxis[];
  points: KnobPoint[];
  groups: FailureGroup[];
  baseline: number | null;
  incumbent: number | null;
  /** Finished trials left out because none of their knob values is known. */
  unknown: number;
  importance: KnobImportance | { unavailable: string };
}

export interface KnobAnalysisInput {
  objective: Objective;
  knobs: readonly StudyKnob[];
  /** All trials of the study, in id order. */
  trials: readonly TrialRecord[];
  values: ReadonlyMap<number, TrialKnobs>;
  importance: KnobImportance | { unavailable: string };
}

/** The axis of a declared knob. */
export function knobAxis(knob: StudyKnob): KnobAxis {
  return {
    name: knob.column,
    surface: knob.surface,
    type: knob.type,
    log: knob.log === true,
    low: typeof knob.low === 'number' ? knob.low : null,
    high: typeof knob.high === 'number' ? knob.high : null,
    choices: knob.type === 'categorical' ? [...(knob.choices ?? [])] : null,
  };
}

/**
 * @example
 * const view = buildKnobAnalysis({ objective, knobs, trials, values, importance: knobImportance(knobs, scored) });
 * view.points[0]; // [0, 'kept', 2.97, -1, [0.001, 48]]
 */
export function buildKnobAnalysis(input: KnobAnalysisInput): KnobAnalysis {
  const { groups, groupOf } = groupFailures(input.trials);
  const points: KnobPoint[] = [];
  let unknown = 0;
  for (const trial of input.trials) {
    if (trial.status !== 'kept' && trial.status !== 'discarded' && trial.status !== 'failed') continue;
    const values = input.values.get(trial.id) ?? {};
    const row = input.knobs.map((knob) => values[knob.column] ?? null);
    if (row.every((value) => value === null)) {
      unknown++;
      continue;
    }
    points.push([trial.id, trial.status, trial.score, groupOf.get(trial.id) ?? -1, row]);
  }
  return {
    objective: input.objective,
    knobs: input.knobs.map(knobAxis),
    points,
    groups,
    baseline: input.trials.some((trial) => trial.id === 0) ? 0 : null,
    incumbent: incumbentOf(input.trials)?.id ?? null,
    unknown,
    importance: input.importance,
  };
}

/** The scored trials as importance observations (kept, discarded, and failed ones that still carry a score). */
export function scoredObservations(trials: readonly TrialRecord[], values: ReadonlyMap<number, TrialKnobs>): Array<{ score: number; values: TrialKnobs }> {
  const observations: Array<{ score: number; values: TrialKnobs }> = [];
  for (const trial of trials) {
    if (trial.score === null || !Number.isFinite(trial.score)) continue;
    if (trial.status === 'failed' && trial.label !== 'not_significant') continue;
    if (trial.status === 'running' || trial.status === 'pending') continue;
    observations.push({ score: trial.score, values: values.get(trial.id) ?? {} });
  }
  return observations;
}
