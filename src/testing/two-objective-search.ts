import { hypervolume } from '../core/hypervolume.ts';
import type { KnobSpec, Objective } from '../core/task.ts';
import type { KnobObservation, KnobSampler } from '../specialists/knobs/knob-sampler.ts';
import { mulberry32 } from '../specialists/knobs/sampler-math.ts';

/** Two objectives to minimise, `f1` (the primary metric) and `f2`, as the sampler tests declare them. */
export const TWO_OBJECTIVES: Objective[] = [{ metric: 'f1', direction: 'minimize' }, { metric: 'f2', direction: 'minimize' }];

/**
 * Runs `trials` sequential proposals of a knob sampler on a two-objective problem (every
 * trial kept, scored by `f1`) and returns the hypervolume of what it measured against the
 * reference point (1.1, 11), the ZDT convention: larger is a better front.
 *
 * @example
 * const volume = searchTwoObjectives(createNsga2Sampler(), SPACE, zdt1, 7, 60);
 */
export function searchTwoObjectives(sampler: KnobSampler, space: KnobSpec[], measure: (values: Record<string, unknown>) => number[], seed: number, trials: number): number {
  const random = mulberry32(seed);
  const history: KnobObservation[] = [];
  const points: number[][] = [];
  const incumbent = Object.fromEntries(space.map((knob) => [knob.name, knob.type === 'categorical' ? knob.choices![0]! : 0.5]));
  for (let t = 1; t <= trials; t += 1) {
    const values = sampler.sample(space, history, incumbent, random, { direction: 'minimize', objectives: TWO_OBJECTIVES, primaryMetric: 'f1' });
    const f = measure(values);
    points.push(f);
    history.push({ trialId: t, values, status: 'kept', score: f[0]!, metrics: { f1: f[0]!, f2: f[1]! } });
  }
  return hypervolume(points, [1.1, 11]);
}

/** The upper median (the middle value of an odd count, the higher middle of an even one). */
export function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
