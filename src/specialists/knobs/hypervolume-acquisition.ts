/**
 * The predicted hypervolume improvement of a candidate, for multi-objective TPE: each
 * objective's loss is predicted by a ridge surrogate (`ridge-surrogate.ts`) fitted to the
 * scored trials, and a candidate scores the hypervolume its predicted loss vector adds to
 * the front of the history (losses normalised over the history, best 0 and worst 1, the
 * reference point at 1.1 as in the Pareto order). A candidate predicted dominated scores
 * minus how far it falls short of the front (the least amount every objective would have
 * to improve by for it to become non-dominated: the additive epsilon indicator), so that
 * among candidates predicted to add nothing the nearest to the front comes first.
 */
import { hypervolume } from '../../core/hypervolume.ts';
import { nonDominatedSort, toLosses } from '../../core/pareto.ts';
import type { Objective } from '../../core/task.ts';
import { encodeValues, type EncodedSpace } from './knob-encoding.ts';
import { observationRole } from './knob-observations.ts';
import type { KnobObservation } from './knob-sampler.ts';
import { objectiveVectorOf } from './pareto-ranking.ts';
import { fitRidgeSurrogate, type Surrogate } from './ridge-surrogate.ts';

/** A candidate's predicted worth (larger is better). */
export type CandidateScore = (point: readonly number[]) => number;

const REFERENCE = 1.1;

/**
 * Builds the scorer from the history's scored trials (null when fewer than `minimum`
 * have every objective, or the losses do not vary: nothing to learn a trend from).
 *
 * @example
 * const score = hypervolumeImprovementScore(encoded, history, task.objectives, task.objective);
 * if (score) candidates.sort((a, b) => score(b.point) - score(a.point));
 */
export function hypervolumeImprovementScore(encoded: EncodedSpace, history: readonly KnobObservation[], objectives: readonly Objective[], primaryMetric: string | undefined, minimum = 8): CandidateScore | null {
  const points: number[][] = [];
  const losses: number[][] = [];
  for (const observation of history) {
    if (observationRole(observation) !== 'scored') continue;
    const values = objectiveVectorOf(observation, objectives, primaryMetric);
    const point = values === null ? null : encodeValues(encoded, observation.values);
    if (values === null || point === null) continue;
    points.push(point);
    losses.push(toLosses(objectives, values));
  }
  if (points.length < minimum) return null;
  const m = objectives.length;
  const low = Array.from({ length: m }, (_, k) => Math.min(...losses.map((loss) => loss[k]!)));
  const high = Array.from({ length: m }, (_, k) => Math.max(...losses.map((loss) => loss[k]!)));
  if (low.some((value, k) => !(high[k]! > value))) return null;
  const normalised = losses.map((loss) => loss.map((value, k) => (value - low[k]!) / (high[k]! - low[k]!)));
  const front = nonDominatedSort(normalised)[0]!.map((index) => normalised[index]!);
  const reference = new Array<number>(m).fill(REFERENCE);
  const base = hypervolume(front, reference);
  const surrogates: Surrogate[] = Array.from({ length: m }, (_, k) =>
    fitRidgeSurrogate(
      encoded,
      points,
      normalised.map((loss) => loss[k]!),
    ),
  );
  return (point) => {
    const predicted = surrogates.map((surrogate) => surrogate(point));
    const gain = hypervolume([...front, predicted], reference) - base;
    if (gain > 0) return gain;
    let shortfall = Infinity;
    for (const member of front) shortfall = Math.min(shortfall, Math.max(...predicted.map((value, k) => value - member[k]!)));
    return -Math.max(shortfall, 0);
  };
}
