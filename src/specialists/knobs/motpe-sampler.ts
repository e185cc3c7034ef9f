/**
 * autolab's multi-objective TPE: TPE over the history in Pareto order (`pareto-ranking.ts`,
 * MOTPE's split of good and bad trials), and of the candidates the Parzen ratio ranks
 * best, the one whose predicted losses add the most hypervolume to the front
 * (`hypervolume-acquisition.ts`). The Parzen ratio keeps the search where good trials
 * are; the surrogates' trend picks which of those places is likely to move the front.
 * In a single-objective study it is the TPE sampler unchanged.
 */
import { hypervolumeImprovementScore } from './hypervolume-acquisition.ts';
import type { KnobObservation, KnobSampleContext, KnobSampler } from './knob-sampler.ts';
import { isMultiObjectiveContext, withParetoRanking } from './pareto-ranking.ts';
import { createTpeSampler, type TpeSamplerOptions } from './tpe-sampler.ts';

export interface MotpeSamplerOptions extends TpeSamplerOptions {
  /** Re-order the Parzen ratio's best candidates by predicted hypervolume improvement (then 48 candidates are drawn, not 24). Default true. */
  hypervolumeAcquisition?: boolean;
  /** Draws for the expected hypervolume improvement (0: the mean prediction's improvement). Default 16. */
  acquisitionSamples?: number;
  /** The acquisition's reference point in normalised losses (0 best, 1 worst). Default 2. */
  acquisitionReference?: number;
  /** The acquisition's surrogate of each objective. Default gp. */
  acquisitionSurrogate?: 'gp' | 'ridge';
}

/**
 * Creates the TPE sampler that a knobs specialist uses with `sampler: tpe` (or `auto`
 * choosing TPE): MOTPE with the predicted-hypervolume-improvement acquisition where the
 * study has several objectives, plain TPE otherwise.
 *
 * @example
 * const sampler = createMotpeSampler();
 * sampler.sample(knobs, history, incumbent, random, { direction: 'minimize', objectives });
 */
export function createMotpeSampler(options: MotpeSamplerOptions = {}): KnobSampler {
  let current: { history: readonly KnobObservation[]; context: KnobSampleContext & { objectives: NonNullable<KnobSampleContext['objectives']> } } | null = null;
  const withAcquisition = options.hypervolumeAcquisition ?? true;
  const inner = createTpeSampler({
    eiCandidates: withAcquisition ? 48 : 24,
    ...options,
    ...(withAcquisition ? { rerank: (encoded) => (current === null ? null : hypervolumeImprovementScore(encoded, current.history, current.context.objectives, current.context.primaryMetric, { ...(options.acquisitionSamples !== undefined ? { samples: options.acquisitionSamples } : {}), ...(options.acquisitionReference !== undefined ? { reference: options.acquisitionReference } : {}), ...(options.acquisitionSurrogate !== undefined ? { surrogate: options.acquisitionSurrogate } : {}) })) } : {}),
  });
  const ranked = withParetoRanking(inner);
  const single = createTpeSampler(options);
  return {
    name: 'tpe',
    sample(space, history, incumbent, random, context) {
      if (!isMultiObjectiveContext(context)) return single.sample(space, history, incumbent, random, context);
      current = { history, context };
      try {
        return ranked.sample(space, history, incumbent, random, context);
      } finally {
        current = null;
      }
    },
  };
}
