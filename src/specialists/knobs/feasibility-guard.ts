/**
 * What every sampler asks before proposing a value set: does it satisfy the surface's
 * declared constraints (never violated), and how likely is it to run, given where trials
 * failed so far (the feasibility model)? Candidates predicted to fail are thinned out
 * before a trial is spent: a candidate is kept with probability `chance ** 2`, where
 * `chance` is its predicted feasibility relative to the best of the trials that scored, so
 * that a region the model knows nothing about (or a cause that strikes anywhere alike) is
 * not avoided.
 */
import { knobConstraintHolds, type KnobConstraint } from '../../core/knob-constraint.ts';
import type { KnobSpec } from '../../core/task.ts';
import { fitFeasibilityModel, type FeasibilityModel } from './feasibility-model.ts';
import { encodeSpace, type EncodedSpace } from './knob-encoding.ts';
import { observationRole } from './knob-observations.ts';
import type { KnobObservation, KnobSampleContext } from './knob-sampler.ts';
import type { KnobValues } from './knob-value.ts';

/** Candidates predicted this unlikely to run (relative to the best) are never kept. */
const NEVER_BELOW = 0.02;
/**
 * A candidate is kept with probability `chance ** 2`: near a learned boundary, where the
 * model is unsure, it keeps fewer than its mean prediction (measured on bench:failures:
 * exponent 1 crashed 20% more often at an equal regret).
 */
const KEEP_EXPONENT = 2;
/** Candidates this likely are kept without a draw. */
const ALWAYS_ABOVE = 0.999;

/** The guard of one proposal. */
export interface FeasibilityGuard {
  readonly model: FeasibilityModel;
  /** True when declared constraints or a learned model can refuse anything. */
  readonly active: boolean;
  /** Whether the value set satisfies every declared constraint. */
  allowed(values: KnobValues): boolean;
  /** Predicted chance that it runs, relative to the best trial that scored (1 when nothing was learned). */
  chance(values: KnobValues): number;
  /**
   * Allowed, and kept with probability `chance ** 2` (chance below 2% never; from 99.9% always;
   * `random` is drawn only in between). Refusals are counted in `refused`.
   */
  accept(values: KnobValues, random: () => number): boolean;
  /** Candidates refused so far: by a declared constraint, and as predicted to fail. */
  readonly refused: { declared: number; predicted: number };
}

const cache = new WeakMap<readonly KnobObservation[], { space: readonly KnobSpec[]; constraints: readonly KnobConstraint[] | undefined; learn: boolean; length: number; last: KnobObservation | undefined; guard: FeasibilityGuard }>();

/**
 * The guard for a proposal over `space` given `history` and the sampler's context. Cached
 * per history array (and its length and last entry, for callers that append to one), so
 * samplers that call others (CMA-ES calls TPE) fit the model once per proposal.
 *
 * @example
 * const guard = feasibilityGuard(space, history, context);
 * if (!tried.has(key) && guard.accept(values, random)) return values;
 */
export function feasibilityGuard(space: readonly KnobSpec[], history: readonly KnobObservation[], context: KnobSampleContext | undefined, encoded?: EncodedSpace): FeasibilityGuard {
  const constraints = context?.constraints;
  const learn = context?.learnFeasibility !== false;
  const cached = cache.get(history);
  const last = history[history.length - 1];
  if (cached !== undefined && cached.space === space && cached.constraints === constraints && cached.learn === learn && cached.length === history.length && cached.last === last) return cached.guard;
  const guard = createGuard(space, history, constraints ?? [], learn, encoded ?? encodeSpace(space));
  cache.set(history, { space, constraints, learn, length: history.length, last, guard });
  return guard;
}

function createGuard(space: readonly KnobSpec[], history: readonly KnobObservation[], constraints: readonly KnobConstraint[], learn: boolean, encoded: EncodedSpace): FeasibilityGuard {
  const model = learn ? fitFeasibilityModel(space, history, encoded) : fitFeasibilityModel(space, [], encoded);
  let reference = 1;
  if (model.active) {
    const scored = history.filter((observation) => observationRole(observation) === 'scored');
    reference = scored.length === 0 ? 1 : Math.max(...scored.map((observation) => model.feasibility(observation.values)));
    if (!(reference > 0)) reference = 1;
  }
  const refused = { declared: 0, predicted: 0 };
  const allowed = (values: KnobValues): boolean => constraints.every((constraint) => knobConstraintHolds(constraint, values));
  // A candidate's chance is asked for when it is ranked and again when it is kept or refused: computed once per value set.
  const chances = new WeakMap<KnobValues, number>();
  const chance = (values: KnobValues): number => {
    if (!model.active) return 1;
    const known = chances.get(values);
    if (known !== undefined) return known;
    const computed = Math.min(1, model.feasibility(values) / reference);
    chances.set(values, computed);
    return computed;
  };
  return {
    model,
    active: model.active || constraints.length > 0,
    refused,
    allowed,
    chance,
    accept(values, random) {
      if (!allowed(values)) {
        refused.declared += 1;
        return false;
      }
      if (!model.active) return true;
      const keep = chance(values) ** KEEP_EXPONENT;
      if (keep >= ALWAYS_ABOVE) return true;
      if (keep < NEVER_BELOW || random() >= keep) {
        refused.predicted += 1;
        return false;
      }
      return true;
    },
  };
}
