/**
 * The KnobSampler port: given the knob space, what was tried and the incumbent's values,
 * propose the next value set. Random, grid, TPE and CMA-ES implement it.
 */
import type { KnobConstraint } from '../../core/knob-constraint.ts';
import type { Direction, KnobSpec, Objective } from '../../core/task.ts';
import type { FailureLabel, TrialStatus } from '../../core/trial.ts';
import type { KnobValues } from './knob-value.ts';

/** One past (or in-flight) trial's knob values and what was measured. */
export interface KnobObservation {
  trialId: number;
  /** The knob values the trial ran with (may lack knobs it could not be read for). */
  values: KnobValues;
  status: TrialStatus;
  /** The objective's value when the trial produced a valid score, else null. */
  score: number | null;
  /** The failure label of a failed trial (absent or null otherwise). */
  label?: FailureLabel | null;
  /** Which of a sampler's proposers made the trial, as its knobs specialist recorded it (a warm start's `region`, `shape`, …), so a resumed sampler can rebuild what it learned about its proposers. */
  proposer?: string;
  /**
   * The failure signature of a failed trial (its cause, `src/core/failure-signature.ts`),
   * so that samplers learn where each cause strikes; absent: the label stands for it.
   */
  failure?: string | null;
  /** What the failure's text says (the failing source line and the message), for hints about its cause. */
  failureText?: string | null;
  /** The metrics the trial recorded (a gate miss's too), for modelling a gate's metric. */
  metrics?: Readonly<Record<string, number>>;
  /**
   * On a fidelity ladder: the level the sampler's model is built from (`multiFidelityScores`);
   * `score` is then the trial's rank score (at the full level once enough trials reached it:
   * its score there, or a worse one when it stopped below; before that, its full-level score
   * as the scaling model predicts it), and the observation is measured even while the trial climbs.
   */
  modelLevel?: number;
}

/** What a sampler knows about the study beyond the history. */
export interface KnobSampleContext {
  /** Whether a higher or a lower score is better. Default `minimize`. */
  direction: Direction;
  /**
   * Value sets proposed but not yet recorded as trials (they wait for a slot): treated
   * like in-flight trials, so parallel proposals spread out.
   */
  pending?: readonly KnobValues[];
  /** The study's trial budget when the task declares one (`budget.trials`). */
  trialBudget?: number;
  /**
   * The surface's declared constraints (`constraints:`), compiled: every proposal satisfies
   * them (changed or not, the whole value set is checked).
   */
  constraints?: readonly KnobConstraint[];
  /** Turn off learning where trials fail (for comparisons); declared constraints still hold. Default true. */
  learnFeasibility?: boolean;
  /**
   * A multi-objective study's objectives (two or more): samplers rank trials by Pareto
   * dominance over them (`pareto-ranking.ts`), reading each observation's values from
   * `metrics` (the primary objective's, `primaryMetric`, from `score` where metrics lack it).
   */
  objectives?: readonly Objective[];
  /** The metric of `score` in a multi-objective study (the task's `objective`). */
  primaryMetric?: string;
}

/**
 * Proposes knob values. Contract:
 * - returns a value for every knob of `space`; unchanged knobs keep the incumbent's value
 *   (even one outside the declared range); at least one knob differs from it, unless the
 *   sampler has nothing left to propose (a grid that is exhausted returns the incumbent,
 *   and the specialist then proposes nothing);
 * - every changed numeric value lies within `[low, high]` (on the `step` lattice where one is
 *   declared), ints are integers, categorical values are among `choices`; floats are rounded
 *   as they will be written (`roundKnobFloat`);
 * - the whole value set satisfies `context.constraints` (a sampler that finds none returns
 *   the incumbent, and the specialist then proposes nothing);
 * - where trials failed, value sets predicted to fail the same way are avoided
 *   (`feasibility-guard.ts`) before a trial is spent;
 * - draws randomness only from `random` (uniform [0, 1)), so a seeded study replays;
 * - avoids value sets already in `history` (or `context.pending`) where it can, but may
 *   return one when the space is exhausted (the engine then labels the trial `duplicate`);
 * - learns only from `history` and `context`: a sampler may cache, but two calls with the
 *   same arguments (and the same random stream) give the same answer, so a resumed study
 *   continues where it left off.
 * `space` has been validated (`validateKnobSpace`). `history` holds trials of every
 * specialist, finished and in flight. Calls are never concurrent.
 */
export interface KnobSampler {
  readonly name: string;
  sample(space: readonly KnobSpec[], history: readonly KnobObservation[], incumbent: KnobValues, random: () => number, context?: KnobSampleContext): KnobValues;
}
