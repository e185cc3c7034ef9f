/**
 * An NSGA-II-class evolutionary sampler for multi-objective studies (Deb et al. 2002),
 * steady-state so that it suits sequential and parallel studies alike: each proposal
 * breeds one child from the current population, the best `population` scored trials by
 * non-dominated rank and crowding distance. Parents by binary tournament (rank, then
 * crowding); numeric knobs by simulated binary crossover and polynomial mutation in the
 * normalised space, categorical knobs by uniform crossover and reset mutation. Failed
 * trials never enter the population; children the feasibility guard predicts to fail,
 * or already tried, are bred again. In a single-objective study it ranks by the score.
 */
import { crowdingDistances, nonDominatedSort, toLosses } from '../../core/pareto.ts';
import type { KnobSpec } from '../../core/task.ts';
import { feasibilityGuard } from './feasibility-guard.ts';
import { decodePoint, encodeSpace, encodeValues, snapPoint, type EncodedSpace } from './knob-encoding.ts';
import { observationRole } from './knob-observations.ts';
import type { KnobObservation, KnobSampleContext, KnobSampler } from './knob-sampler.ts';
import { knobValuesKey, type KnobValues } from './knob-value.ts';
import { isMultiObjectiveContext, objectiveVectorOf } from './pareto-ranking.ts';
import { triedValueKeys, uniformUntried } from './sampler-support.ts';

export interface Nsga2SamplerOptions {
  /** Scored trials that breed (the best by rank and crowding). Default 16. */
  population?: number;
  /** Measured trials before breeding starts; random until then. Default 12. */
  startupTrials?: number;
  /** Probability that two parents are crossed (else the child copies the first). Default 0.9. */
  crossoverProbability?: number;
  /** Distribution index of simulated binary crossover (larger: children nearer the parents). Default 15. */
  crossoverEta?: number;
  /** Distribution index of polynomial mutation. Default 20. */
  mutationEta?: number;
  /** Probability that a coordinate mutates; default 1 / number of knobs. */
  mutationProbability?: number;
  /** Children bred per proposal before falling back to a uniform draw. Default 32. */
  attempts?: number;
}

interface Member {
  point: number[];
  rank: number;
  crowding: number;
}

/** The breeding population: scored trials by rank, then crowding distance (largest first). */
function selectPopulation(points: readonly number[][], losses: readonly number[][], size: number): Member[] {
  const members: Member[] = [];
  for (const [rank, indices] of nonDominatedSort(losses).entries()) {
    const crowding = crowdingDistances(indices.map((index) => losses[index]!));
    const ordered = indices.map((index, k) => ({ point: points[index]!, rank, crowding: crowding[k]! })).sort((a, b) => b.crowding - a.crowding);
    for (const member of ordered) {
      if (members.length >= size) return members;
      members.push(member);
    }
  }
  return members;
}

function tournament(population: readonly Member[], random: () => number): Member {
  const a = population[Math.floor(random() * population.length)]!;
  const b = population[Math.floor(random() * population.length)]!;
  if (a.rank !== b.rank) return a.rank < b.rank ? a : b;
  return a.crowding >= b.crowding ? a : b;
}

/** Simulated binary crossover of two coordinates in [0, 1] (bounded form, Deb and Agrawal). */
function sbx(x1: number, x2: number, eta: number, random: () => number): number {
  if (Math.abs(x1 - x2) < 1e-14) return x1;
  const low = Math.min(x1, x2);
  const high = Math.max(x1, x2);
  const u = random();
  const child = (beta: number): number => {
    const alpha = 2 - beta ** -(eta + 1);
    const betaq = u <= 1 / alpha ? (u * alpha) ** (1 / (eta + 1)) : (1 / (2 - u * alpha)) ** (1 / (eta + 1));
    return betaq;
  };
  const first = 0.5 * (low + high - child(1 + (2 * low) / (high - low)) * (high - low));
  const second = 0.5 * (low + high + child(1 + (2 * (1 - high)) / (high - low)) * (high - low));
  const value = random() < 0.5 ? first : second;
  return Math.min(1, Math.max(0, value));
}

/** Polynomial mutation of a coordinate in [0, 1]. */
function polynomialMutation(x: number, eta: number, random: () => number): number {
  const u = random();
  const delta = u < 0.5 ? (2 * u + (1 - 2 * u) * (1 - x) ** (eta + 1)) ** (1 / (eta + 1)) - 1 : 1 - (2 * (1 - u) + 2 * (u - 0.5) * x ** (eta + 1)) ** (1 / (eta + 1));
  return Math.min(1, Math.max(0, x + delta));
}

function breed(encoded: EncodedSpace, population: readonly Member[], options: Required<Omit<Nsga2SamplerOptions, 'mutationProbability' | 'population' | 'startupTrials' | 'attempts'>> & { mutationProbability: number }, random: () => number): number[] {
  const first = tournament(population, random).point;
  const second = tournament(population, random).point;
  const cross = random() < options.crossoverProbability;
  return encoded.map((dimension, k) => {
    const a = first[k]!;
    const b = second[k]!;
    if (dimension.kind === 'categorical') {
      let value = cross && random() < 0.5 ? b : a;
      if (random() < options.mutationProbability) value = Math.floor(random() * dimension.choices.length);
      return value;
    }
    let value = cross ? sbx(a, b, options.crossoverEta, random) : a;
    if (random() < options.mutationProbability) value = polynomialMutation(value, options.mutationEta, random);
    return value;
  });
}

/**
 * Creates the NSGA-II-class sampler.
 *
 * @example
 * const sampler = createNsga2Sampler({ population: 20 });
 * const next = sampler.sample(knobs, history, incumbent, random, { direction: 'minimize', objectives, primaryMetric: 'bpb' });
 */
export function createNsga2Sampler(options: Nsga2SamplerOptions = {}): KnobSampler {
  const populationSize = Math.max(2, Math.floor(options.population ?? 16));
  const startupTrials = Math.max(2, Math.floor(options.startupTrials ?? 12));
  const attempts = Math.max(1, Math.floor(options.attempts ?? 32));
  let cachedSpace: readonly KnobSpec[] | null = null;
  let encoded: EncodedSpace = [];
  return {
    name: 'nsga2',
    sample(space: readonly KnobSpec[], history: readonly KnobObservation[], incumbent: KnobValues, random: () => number, context?: KnobSampleContext): KnobValues {
      if (space.length === 0) return {};
      if (cachedSpace !== space) {
        cachedSpace = space;
        encoded = encodeSpace(space);
      }
      const pending = context?.pending ?? [];
      const tried = triedValueKeys(space, history, incumbent, pending);
      const guard = feasibilityGuard(space, history, context, encoded);
      const fallback = { fallback: incumbent, guard };
      const points: number[][] = [];
      const losses: number[][] = [];
      let measured = 0;
      for (const observation of history) {
        const role = observationRole(observation);
        if (role === 'failed') measured += 1;
        if (role !== 'scored') continue;
        const point = encodeValues(encoded, observation.values);
        if (point === null) continue;
        if (isMultiObjectiveContext(context)) {
          const values = objectiveVectorOf(observation, context.objectives, context.primaryMetric);
          if (values === null) continue;
          losses.push(toLosses(context.objectives, values));
        } else {
          losses.push([context?.direction === 'maximize' ? -(observation.score as number) : (observation.score as number)]);
        }
        points.push(point);
        measured += 1;
      }
      if (measured < startupTrials || points.length < 2) return uniformUntried(space, encoded, tried, random, 128, fallback);
      const population = selectPopulation(points, losses, populationSize);
      const breeding = {
        crossoverProbability: options.crossoverProbability ?? 0.9,
        crossoverEta: options.crossoverEta ?? 15,
        mutationEta: options.mutationEta ?? 20,
        mutationProbability: options.mutationProbability ?? 1 / space.length,
      };
      for (let attempt = 0; attempt < attempts; attempt += 1) {
        const values = decodePoint(encoded, snapPoint(encoded, breed(encoded, population, breeding, random)));
        if (!tried.has(knobValuesKey(space, values)) && guard.accept(values, random)) return values;
      }
      return uniformUntried(space, encoded, tried, random, 128, fallback);
    },
  };
}
