/**
 * What a model-based sampler learns from each past trial: a measured loss, a failure in a
 * region to avoid, a point still in flight, or nothing. One place decides it, so that every
 * sampler treats the history alike.
 */
import type { Direction } from '../../core/task.ts';
import type { FailureLabel } from '../../core/trial.ts';
import { encodeValues, type EncodedSpace } from './knob-encoding.ts';
import type { KnobObservation } from './knob-sampler.ts';
import type { KnobValues } from './knob-value.ts';

/**
 * Failure labels that say nothing about the knob values: the machine's fault, an edit that
 * never ran (could not apply, touched paths it may not, repeated an earlier tree).
 * Every other failure (crash, oom, run_timeout, gate_miss, metric_missing, size_exceeded,
 * preflight_failed, score_timeout, not_significant or pruned without a score) marks a bad region;
 * a pruned trial that reported intermediate values of the objective is ranked by its last one.
 */
export const UNINFORMATIVE_FAILURE_LABELS: ReadonlySet<FailureLabel> = new Set<FailureLabel>(['interrupted', 'infra_error', 'apply_failed', 'illegal_edit', 'duplicate']);

/** How a sampler uses an observation. */
export type ObservationRole = 'scored' | 'failed' | 'in_flight' | 'ignored';

/** The role of one observation (see {@link UNINFORMATIVE_FAILURE_LABELS}). */
export function observationRole(observation: Pick<KnobObservation, 'status' | 'score' | 'label' | 'modelLevel'>): ObservationRole {
  // On a fidelity ladder, a trial measured at some level is ranked by the model level's scores (multi-fidelity, as BOHB).
  if (observation.modelLevel !== undefined && observation.score !== null && Number.isFinite(observation.score)) return 'scored';
  switch (observation.status) {
    case 'pending':
    case 'running':
      return 'in_flight';
    case 'kept':
    case 'discarded':
      return observation.score !== null && Number.isFinite(observation.score) ? 'scored' : 'ignored';
    case 'failed': {
      const label = observation.label ?? null;
      if (label !== null && UNINFORMATIVE_FAILURE_LABELS.has(label)) return 'ignored';
      if (label === 'not_significant') return observation.score !== null && Number.isFinite(observation.score) ? 'scored' : 'ignored';
      // A pruned run with an intermediate value of the objective is ranked by it (pessimistic, as Optuna does).
      if (label === 'pruned' && observation.score !== null && Number.isFinite(observation.score)) return 'scored';
      return 'failed';
    }
    default:
      return 'ignored';
  }
}

/** A measured point: `loss` is the score turned so that lower is better. */
export interface ScoredPoint {
  trialId: number;
  point: number[];
  loss: number;
}

/** The history, encoded and sorted by role, oldest first within each role. */
export interface PreparedObservations {
  scored: ScoredPoint[];
  /** Points of failed trials (bad regions). */
  failed: Array<{ trialId: number; point: number[] }>;
  /** Points of trials in flight and of proposals not yet recorded as trials. */
  inFlight: number[][];
  /** Every measured (scored or failed) point, in trial order, with its loss (failed: Infinity). */
  measured: ScoredPoint[];
}

/**
 * Encodes the history for a model. Observations whose values cannot be encoded (a knob
 * missing, a choice not declared) are left out; `pending` are value sets proposed but
 * not yet recorded as trials, treated as in flight.
 */
export function prepareObservations(encoded: EncodedSpace, history: readonly KnobObservation[], direction: Direction, pending: readonly KnobValues[] = []): PreparedObservations {
  const prepared: PreparedObservations = { scored: [], failed: [], inFlight: [], measured: [] };
  const ordered = [...history].sort((a, b) => a.trialId - b.trialId);
  for (const observation of ordered) {
    const role = observationRole(observation);
    if (role === 'ignored') continue;
    const point = encodeValues(encoded, observation.values);
    if (point === null) continue;
    if (role === 'in_flight') prepared.inFlight.push(point);
    else if (role === 'failed') {
      prepared.failed.push({ trialId: observation.trialId, point });
      prepared.measured.push({ trialId: observation.trialId, point, loss: Infinity });
    } else {
      const score = observation.score as number;
      const entry = { trialId: observation.trialId, point, loss: direction === 'maximize' ? -score : score };
      prepared.scored.push(entry);
      prepared.measured.push(entry);
    }
  }
  for (const values of pending) {
    const point = encodeValues(encoded, values);
    if (point !== null) prepared.inFlight.push(point);
  }
  return prepared;
}
