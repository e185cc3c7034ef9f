/**
 * Which sampler a knobs specialist searches with: the names the task file accepts, the
 * `auto` rule, and the one factory that builds a sampler from the specialist's options.
 */
import type { KnobSpec } from '../../core/task.ts';
import { createCmaEsSampler } from './cmaes-sampler.ts';
import { checkGridSpace, createGridSampler, gridAxes, gridSize } from './grid-sampler.ts';
import type { KnobSampler } from './knob-sampler.ts';
import { knobLattice, type NumericKnob } from './knob-space.ts';
import { createRandomSampler } from './random-sampler.ts';
import { createTpeSampler, type TpeSamplerOptions } from './tpe-sampler.ts';
import { createMotpeSampler } from './motpe-sampler.ts';
import { createNsga2Sampler } from './nsga2-sampler.ts';
import { withParetoRanking } from './pareto-ranking.ts';

/** The `sampler` option values. */
export const SAMPLER_NAMES = ['auto', 'tpe', 'cmaes', 'random', 'grid', 'nsga2'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

/** Settings of the samplers, from the specialist's options (all optional but `sampler`). */
export interface SamplerSettings {
  sampler: SamplerName;
  /** random: most knobs changed per proposal. */
  maxChanged?: number;
  /** tpe (and cmaes for categorical knobs): measured trials before the model is used. */
  startupTrials?: number;
  /** tpe: candidates drawn from the good density per proposal. */
  eiCandidates?: number;
  /** tpe: weight of the prior kernel. */
  priorWeight?: number;
  /** tpe: treat trials in flight as bad so parallel proposals spread out. */
  constantLiar?: boolean;
  /** grid: values per float knob (and per int knob with more integers). */
  gridPoints?: number;
}

/** The smallest trial budget at which `auto` picks CMA-ES for `numericKnobs` knobs. */
export function cmaesMinimumBudget(numericKnobs: number): number {
  return Math.max(250, 40 * numericKnobs);
}

/**
 * The `auto` rule, decided from the knob space and the study's trial budget
 * (`budget.trials`; unknown budgets count as small):
 * 1. grid, when every knob is categorical or an int with at most `gridPoints` values and
 *    the whole grid fits in the budget (exhaustive search is then the best one can do);
 * 2. cmaes, when every knob is numeric (float or int) and the budget is at least
 *    {@link cmaesMinimumBudget} (250 trials, or 40 per knob when that is more): CMA-ES
 *    overtakes TPE only after a few hundred trials (docs/samplers.md);
 * 3. tpe otherwise: mixed or categorical spaces, small or unknown budgets.
 */
export function resolveAutoSampler(space: readonly KnobSpec[], trialBudget: number | undefined, gridPoints = 5): { sampler: 'tpe' | 'cmaes' | 'grid'; reason: string } {
  const discrete = space.every((knob) => knob.type === 'categorical' || ((knob.type === 'int' || knob.log !== true) && (knobLattice(knob as NumericKnob)?.count ?? Infinity) <= gridPoints));
  if (discrete && trialBudget !== undefined) {
    const size = gridSize(gridAxes(space, gridPoints));
    if (size <= trialBudget) return { sampler: 'grid', reason: `the whole grid (${size} points) fits in the budget of ${trialBudget} trials` };
  }
  const numeric = space.every((knob) => knob.type !== 'categorical');
  if (numeric && trialBudget !== undefined && trialBudget >= cmaesMinimumBudget(space.length)) {
    return { sampler: 'cmaes', reason: `all ${space.length} knobs are numeric and the budget (${trialBudget} trials) is large` };
  }
  if (!numeric) return { sampler: 'tpe', reason: 'some knobs are categorical' };
  return { sampler: 'tpe', reason: trialBudget === undefined ? 'the trial budget is unknown' : `the budget (${trialBudget} trials) is below ${cmaesMinimumBudget(space.length)}` };
}

/**
 * Builds the sampler the settings name (`auto` resolved by {@link resolveAutoSampler}).
 * In a multi-objective study (the sample context's `objectives`) every sampler sees the
 * history ranked by Pareto dominance (`withParetoRanking`): TPE is then MOTPE, CMA-ES
 * weighs by the same order; `nsga2` reads the objective vectors itself. With
 * `multiObjective`, `auto` picks TPE (MOTPE) where it would pick CMA-ES, and TPE is
 * `createMotpeSampler` (the best candidates re-ordered by predicted hypervolume improvement).
 * Throws a `TaskFileError` when `grid` is asked for a grid too large to walk.
 *
 * @example
 * const sampler = createKnobSampler({ sampler: 'auto' }, surface.knobs, task.budget.trials);
 */
export function createKnobSampler(settings: SamplerSettings, space: readonly KnobSpec[], trialBudget?: number, multiObjective = false): KnobSampler {
  if (settings.sampler === 'nsga2') return createNsga2Sampler(settings.startupTrials !== undefined ? { startupTrials: settings.startupTrials } : {});
  // With several objectives `auto` never picks CMA-ES: ranked CMA-ES is unmeasured, MOTPE is (bench:pareto).
  const resolved = multiObjective && settings.sampler === 'auto' && resolveAutoSampler(space, trialBudget, settings.gridPoints).sampler === 'cmaes' ? { ...settings, sampler: 'tpe' as const } : settings;
  // With several objectives TPE also re-orders its best candidates by predicted hypervolume improvement (motpe-sampler.ts; bench:pareto).
  const name = resolved.sampler === 'auto' ? resolveAutoSampler(space, trialBudget, settings.gridPoints).sampler : resolved.sampler;
  if (multiObjective && name === 'tpe') return createMotpeSampler(tpeOptionsOf(settings));
  return withParetoRanking(createSingleObjectiveSampler(resolved, space, trialBudget));
}

function tpeOptionsOf(settings: SamplerSettings): TpeSamplerOptions {
  return {
    ...(settings.startupTrials !== undefined ? { startupTrials: settings.startupTrials } : {}),
    ...(settings.eiCandidates !== undefined ? { eiCandidates: settings.eiCandidates } : {}),
    ...(settings.priorWeight !== undefined ? { priorWeight: settings.priorWeight } : {}),
    ...(settings.constantLiar !== undefined ? { constantLiar: settings.constantLiar } : {}),
  };
}

function createSingleObjectiveSampler(settings: SamplerSettings, space: readonly KnobSpec[], trialBudget?: number): KnobSampler {
  const name = settings.sampler === 'auto' ? resolveAutoSampler(space, trialBudget, settings.gridPoints).sampler : settings.sampler;
  const tpeOptions = tpeOptionsOf(settings);
  switch (name) {
    case 'tpe':
      return createTpeSampler(tpeOptions);
    case 'cmaes':
      return createCmaEsSampler({ tpe: tpeOptions });
    case 'random':
      return createRandomSampler(settings.maxChanged !== undefined ? { maxChanged: settings.maxChanged } : {});
    case 'grid':
      checkGridSpace(space, settings.gridPoints);
      return createGridSampler(settings.gridPoints !== undefined ? { points: settings.gridPoints } : {});
    case 'nsga2':
      return createNsga2Sampler();
    default: {
      const never: never = name;
      throw new Error(`unknown sampler ${String(never)}`);
    }
  }
}
