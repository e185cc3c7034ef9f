/**
 * CMA-ES over the numeric knobs (float and int, in the unit space, log-scaled where
 * declared; ints rounded), with IPOP restarts: when a run stagnates it starts again from
 * a fresh point with twice the population. Categorical knobs are chosen by TPE.
 *
 * The sampler keeps no state between calls: it replays the history (every measured
 * trial of every specialist, in trial order, `lambda` per generation) through CMA-ES
 * each time, so a resumed study continues where it left off. Trials that did not come
 * from its own distribution are injected with their step length clipped; failed trials
 * rank last in their generation.
 */
import type { KnobSpec } from '../../core/task.ts';
import { decodePoint, encodeSpace, snapPoint, type EncodedSpace } from './knob-encoding.ts';
import { prepareObservations } from './knob-observations.ts';
import type { KnobObservation, KnobSampleContext, KnobSampler } from './knob-sampler.ts';
import { knobValueEquals, knobValuesKey, type KnobValues } from './knob-value.ts';
import { feasibilityGuard } from './feasibility-guard.ts';
import { cmaStagnation, createCmaState, sampleCma, tellCma, type CmaState } from './cmaes-state.ts';
import { mulberry32 } from './sampler-math.ts';
import { triedValueKeys, uniformUntried } from './sampler-support.ts';
import { createTpeSampler, type TpeSamplerOptions } from './tpe-sampler.ts';

export interface CmaEsSamplerOptions {
  /** Initial step size in the unit space. Default 0.3. */
  sigma0?: number;
  /** Initial population; default `4 + floor(3 ln n)` for `n` numeric knobs. Doubles at each restart. */
  populationSize?: number;
  /** Restart (IPOP) when a run stagnates. Default true. */
  restarts?: boolean;
  /** Options of the TPE that picks categorical knobs (and proposes when no knob is numeric). */
  tpe?: TpeSamplerOptions;
}

/** What the replay of the history arrived at (exposed for tests and diagnostics). */
export interface CmaReplay {
  state: CmaState;
  restarts: number;
  /** Why each restart happened. */
  restartReasons: string[];
  /** Measured points told to the current run's current generation so far. */
  partialGeneration: number;
}

/**
 * Replays measured points (oldest first, numeric coordinates only) through CMA-ES with
 * restarts. The first run starts at the first point (the baseline in a study) or the
 * centre when there is none.
 */
export function replayCma(points: readonly (readonly number[])[], losses: readonly number[], resolution: readonly number[], options: CmaEsSamplerOptions = {}): CmaReplay {
  const n = resolution.length;
  const sigma0 = options.sigma0 ?? 0.3;
  const lambda0 = options.populationSize ?? 4 + Math.floor(3 * Math.log(n));
  const start = points[0] ? [...points[0]] : new Array<number>(n).fill(0.5);
  let state = createCmaState(start, sigma0, lambda0);
  let restarts = 0;
  const restartReasons: string[] = [];
  let generationPoints: number[][] = [];
  let generationLosses: number[] = [];
  points.forEach((point, index) => {
    generationPoints.push([...point]);
    generationLosses.push(losses[index] as number);
    if (generationPoints.length < state.lambda) return;
    tellCma(state, generationPoints, generationLosses);
    generationPoints = [];
    generationLosses = [];
    const reason = options.restarts === false ? null : cmaStagnation(state, resolution);
    if (reason !== null) {
      restarts += 1;
      restartReasons.push(reason);
      const random = mulberry32(0x9e3779b9 ^ restarts);
      state = createCmaState(Array.from({ length: n }, () => random()), sigma0, lambda0 * 2 ** restarts);
    }
  });
  return { state, restarts, restartReasons, partialGeneration: generationPoints.length };
}

/**
 * Creates the CMA-ES sampler.
 *
 * @example
 * const sampler = createCmaEsSampler();
 * const next = sampler.sample(surface.knobs, history, incumbentValues, ctx.random, { direction: 'maximize' });
 */
export function createCmaEsSampler(options: CmaEsSamplerOptions = {}): KnobSampler & { replay(space: readonly KnobSpec[], history: readonly KnobObservation[], context?: KnobSampleContext): CmaReplay | null } {
  const tpe = createTpeSampler(options.tpe);
  let cachedSpace: readonly KnobSpec[] | null = null;
  let cachedEncoding: EncodedSpace = [];
  const encodingOf = (space: readonly KnobSpec[]): EncodedSpace => {
    if (cachedSpace !== space) {
      cachedSpace = space;
      cachedEncoding = encodeSpace(space);
    }
    return cachedEncoding;
  };

  const replay = (space: readonly KnobSpec[], history: readonly KnobObservation[], context?: KnobSampleContext): CmaReplay | null => {
    const encoded = encodingOf(space);
    const numeric = encoded.flatMap((dimension, index) => (dimension.kind === 'numeric' ? [index] : []));
    if (numeric.length === 0) return null;
    const prepared = prepareObservations(encoded, history, context?.direction ?? 'minimize', context?.pending);
    const resolution = numeric.map((index) => {
      const dimension = encoded[index]!;
      return dimension.kind === 'numeric' && Number.isFinite(dimension.levels) ? 0.2 / dimension.levels : 1e-5;
    });
    return replayCma(
      prepared.measured.map((entry) => numeric.map((index) => entry.point[index] as number)),
      prepared.measured.map((entry) => entry.loss),
      resolution,
      options,
    );
  };

  return {
    name: 'cmaes',
    replay,
    sample(space: readonly KnobSpec[], history: readonly KnobObservation[], incumbent: KnobValues, random: () => number, context?: KnobSampleContext): KnobValues {
      if (space.length === 0) return {};
      const encoded = encodingOf(space);
      const result = replay(space, history, context);
      if (result === null) return tpe.sample(space, history, incumbent, random, context);
      const numeric = encoded.flatMap((dimension, index) => (dimension.kind === 'numeric' ? [index] : []));
      const hasCategorical = numeric.length < encoded.length;
      const tried = triedValueKeys(space, history, incumbent, context?.pending);
      const guard = feasibilityGuard(space, history, context, encoded);
      // Draws the guard refuses (declared constraints, predicted failures) are resampled, as
      // CMA-ES handles infeasible points by resampling; failed trials also rank last.
      const attempts = guard.active ? 96 : 32;
      let base: KnobValues = {};
      for (let attempt = 0; attempt < attempts; attempt += 1) {
        // Categorical knobs from TPE (over the whole history), numeric ones from CMA-ES;
        // a fresh TPE draw every eighth attempt when CMA-ES keeps landing on tried points.
        if (hasCategorical && attempt % 8 === 0) base = tpe.sample(space, history, incumbent, random, context);
        // Converged on an int lattice, nearby points are all tried: widen the draw (x2, x4, x8).
        const drawn = sampleCma(result.state, random, 2 ** Math.min(3, Math.floor(attempt / 8)));
        const point = encoded.map((dimension, index) => {
          if (dimension.kind === 'numeric') return drawn[numeric.indexOf(index)] as number;
          const choice = dimension.choices.findIndex((value) => knobValueEquals(value, base[dimension.knob.name]));
          return Math.max(0, choice);
        });
        const values = decodePoint(encoded, snapPoint(encoded, point));
        if (!tried.has(knobValuesKey(space, values)) && guard.accept(values, random)) return values;
      }
      return uniformUntried(space, encoded, tried, random, 128, { fallback: incumbent, guard });
    },
  };
}
