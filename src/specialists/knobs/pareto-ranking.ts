/**
 * Multi-objective knob search by ranking: every scored trial gets an ordinal score, its
 * place in a total order of the history by Pareto dominance (non-dominated sorting:
 * rank 0 is the front) and, within a rank, by exclusive hypervolume contribution (the
 * largest first; as MOTPE splits its good group, Ozaki et al. 2020). A sampler that only
 * uses the order of scores (TPE splits by it, CMA-ES weighs by it) then searches for the
 * front: TPE so becomes MOTPE, and the feasibility guard, failures and trials in flight
 * are handled exactly as in single-objective search.
 */
import { hypervolumeContributions, nadirReference } from '../../core/hypervolume.ts';
import { nonDominatedSort, toLosses } from '../../core/pareto.ts';
import type { Objective } from '../../core/task.ts';
import { observationRole } from './knob-observations.ts';
import type { KnobObservation, KnobSampleContext, KnobSampler } from './knob-sampler.ts';

/** An observation's objective values (null when one is missing or not finite). */
export function objectiveVectorOf(observation: Pick<KnobObservation, 'score' | 'metrics'>, objectives: readonly Objective[], primaryMetric: string | undefined): number[] | null {
  const values = objectives.map((objective) => observation.metrics?.[objective.metric] ?? (objective.metric === primaryMetric ? observation.score : null) ?? null);
  return values.every((value): value is number => typeof value === 'number' && Number.isFinite(value)) ? values : null;
}

/** True when the context describes a study with two or more objectives. */
export function isMultiObjectiveContext(context: KnobSampleContext | undefined): context is KnobSampleContext & { objectives: readonly Objective[] } {
  return context?.objectives !== undefined && context.objectives.length >= 2;
}

/**
 * The order of loss vectors: by non-dominated rank, then by hypervolume contribution
 * within the rank (against the nadir of all of them, pushed out by 10%), then by index.
 * Returns each vector's position (0: best).
 */
export function paretoOrder(losses: readonly (readonly number[])[]): number[] {
  const position = new Array<number>(losses.length).fill(0);
  if (losses.length === 0) return position;
  const reference = nadirReference(losses);
  let next = 0;
  for (const rank of nonDominatedSort(losses)) {
    const contributions = rank.length > 1 ? hypervolumeContributions(rank.map((index) => losses[index]!), reference) : [0];
    const order = rank.map((index, k) => ({ index, contribution: contributions[k]! })).sort((a, b) => b.contribution - a.contribution || a.index - b.index);
    for (const { index } of order) position[index] = next++;
  }
  return position;
}

/**
 * The history with each scored observation's `score` replaced by its place in the Pareto
 * order (lower is better); scored observations lacking an objective become ignored
 * (score null); failed, in-flight and other observations are left as they are.
 */
export function rankByPareto(history: readonly KnobObservation[], objectives: readonly Objective[], primaryMetric: string | undefined): KnobObservation[] {
  const scored: Array<{ index: number; losses: number[] }> = [];
  const ranked = history.map((observation) => ({ ...observation }));
  history.forEach((observation, index) => {
    if (observationRole(observation) !== 'scored') return;
    const values = objectiveVectorOf(observation, objectives, primaryMetric);
    if (values === null) {
      ranked[index]!.score = null;
      if (observation.status === 'failed') ranked[index]!.label = observation.label ?? null;
      return;
    }
    scored.push({ index, losses: toLosses(objectives, values) });
  });
  const order = paretoOrder(scored.map((entry) => entry.losses));
  scored.forEach((entry, k) => {
    ranked[entry.index]!.score = order[k]!;
  });
  return ranked;
}

const rankedCache = new WeakMap<readonly KnobObservation[], { length: number; last: KnobObservation | undefined; objectives: readonly Objective[]; ranked: KnobObservation[] }>();

/**
 * Wraps a sampler so that, in a multi-objective study, it sees the history ranked by
 * {@link rankByPareto} with `direction: minimize`; single-objective studies pass through.
 *
 * @example
 * const sampler = withParetoRanking(createTpeSampler()); // MOTPE where the task has objectives
 */
export function withParetoRanking(inner: KnobSampler): KnobSampler {
  return {
    name: inner.name,
    sample(space, history, incumbent, random, context) {
      if (!isMultiObjectiveContext(context)) return inner.sample(space, history, incumbent, random, context);
      const cached = rankedCache.get(history);
      const last = history[history.length - 1];
      let ranked: KnobObservation[];
      if (cached && cached.length === history.length && cached.last === last && cached.objectives === context.objectives) ranked = cached.ranked;
      else {
        ranked = rankByPareto(history, context.objectives, context.primaryMetric);
        rankedCache.set(history, { length: history.length, last, objectives: context.objectives, ranked });
      }
      return inner.sample(space, ranked, incumbent, random, { ...context, direction: 'minimize' });
    },
  };
}
