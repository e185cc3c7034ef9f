/**
 * The KnobSampler port: given the knob space, what was tried and the incumbent's values,
 * propose the next value set. Random search implements it today; TPE or CMA-ES later
 * plug in behind the same interface.
 */
import type { KnobSpec } from '../../core/task.ts';
import type { TrialStatus } from '../../core/trial.ts';
import type { KnobValues } from './knob-value.ts';

/** One past (or in-flight) trial's knob values and what was measured. */
export interface KnobObservation {
  trialId: number;
  /** The knob values the trial ran with (may lack knobs it could not be read for). */
  values: KnobValues;
  status: TrialStatus;
  /** The objective's value when the trial produced a valid score, else null. */
  score: number | null;
}

/**
 * Proposes knob values. Contract:
 * - returns a value for every knob of `space`; unchanged knobs keep the incumbent's value
 *   (even one outside the declared range), and at least one knob differs from it;
 * - every changed numeric value lies within `[low, high]`, ints are integers, categorical
 *   values are among `choices`; floats are rounded as they will be written (`roundKnobFloat`);
 * - draws randomness only from `random` (uniform [0, 1)), so a seeded study replays;
 * - avoids value sets already in `history` where it can, but may return one when the
 *   space is exhausted (the engine then labels the trial `duplicate`).
 * `space` has been validated (`validateKnobSpace`). Calls are never concurrent.
 */
export interface KnobSampler {
  readonly name: string;
  sample(space: readonly KnobSpec[], history: readonly KnobObservation[], incumbent: KnobValues, random: () => number): KnobValues;
}
