/**
 * The local half of a warm start from earlier studies: proposals in a trust region around
 * this study's best point, whose per-knob step sizes come from how far apart an earlier
 * study's good trials lie (its best γ, as warm-started CMA-ES initialises its
 * distribution from the source task's top solutions, regularised so that no knob's step
 * collapses). Half its draws instead move one knob across its whole range, the others
 * kept: where an earlier optimum moved on some knobs only, no local step crosses to it. The
 * region follows this study's best as it improves and its steps follow a success rule;
 * once they are below an eighth of their start the region is spent: the whole space (the
 * inner sampler) takes over. Pure apart from
 * the random stream; all state is read from the history, so a resumed study continues
 * where it left off.
 */
import type { KnobSpec } from '../../core/task.ts';
import { decodePoint, snapPoint, type EncodedSpace } from './knob-encoding.ts';
import { feasibilityGuard } from './feasibility-guard.ts';
import type { KnobSampleContext, KnobObservation } from './knob-sampler.ts';
import { knobValuesKey, type KnobValues } from './knob-value.ts';
import { standardNormal } from './sampler-math.ts';

/** An earlier study's good trials as points of this study's encoded space. */
export interface RegionSource {
  /** Its trials, best first: encoded points and rank (0 best, 1 worst). */
  points: ReadonlyArray<{ point: readonly number[]; quantile: number }>;
}

/** Share of an earlier study's trials that count as good (WS-CMA-ES's γ). */
const GOOD_SHARE = 0.2;
/** Added to every knob's spread of good points (WS-CMA-ES's α), so no step collapses. */
const REGULARISATION = 0.1;
/** The largest step, in unit coordinates. */
const MAX_STEP = 0.3;
/** Share of the region's draws that move one knob across its whole range. */
const WIDE_SHARE = 0.5;
/** log2 of the widening after an improvement and of the narrowing after any other trial. */
const WIDEN = 0.6;
const NARROW = 0.25;
/** The region is spent once its steps are below this share of their start. */
const SPENT_BELOW = 1 / 8;

/**
 * Per-knob step sizes (unit coordinates; categorical knobs: the chance of switching
 * choice) from the earlier studies' good trials: the spread of their best γ on each knob,
 * regularised by α and capped, averaged over studies by weight.
 *
 * @example
 * regionSteps(encoded, [{ source, weight: 1 }]) // [0.14, 0.11, 0.2]
 */
export function regionSteps(encoded: EncodedSpace, sources: ReadonlyArray<{ source: RegionSource; weight: number }>): number[] {
  const steps = new Array<number>(encoded.length).fill(0);
  let total = 0;
  for (const { source, weight } of sources) {
    const good = source.points.slice(0, Math.max(3, Math.ceil(source.points.length * GOOD_SHARE)));
    encoded.forEach((dimension, index) => {
      const values = good.map((entry) => entry.point[index]!);
      let spread: number;
      if (dimension.kind === 'categorical') spread = values.filter((value) => value !== values[0]).length / values.length;
      else {
        const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
        spread = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
      }
      steps[index]! += weight * Math.min(MAX_STEP, Math.sqrt(spread * spread + REGULARISATION * REGULARISATION));
    });
    total += weight;
  }
  return steps.map((step) => (total > 0 ? step / total : MAX_STEP));
}

/**
 * The region's scale given this study's losses in trial order, by a success rule as
 * evolution strategies adapt their step (Rechenberg's 1/5th rule; Kern et al. 2004): every
 * improvement on the best widens it (x2^0.6, at most x2), every other trial narrows it
 * (x2^-0.25), so it holds while about 3 trials in 10 improve; null once it is spent (below
 * an eighth: after 13 trials in a row without improving).
 *
 * @example
 * regionScale([3, 2, 2.5, 2.4, 2.2]) // 2^(0.6 - 3 x 0.25) = 0.90
 */
export function regionScale(losses: readonly number[]): number | null {
  let best = Infinity;
  let log2Scale = 0;
  for (const loss of losses) {
    if (best === Infinity || loss < best - 1e-12 * Math.max(1, Math.abs(best))) {
      if (best !== Infinity) log2Scale = Math.min(1, log2Scale + WIDEN);
      best = loss;
    } else log2Scale -= NARROW;
  }
  const scale = 2 ** log2Scale;
  return scale < SPENT_BELOW ? null : scale;
}

/**
 * A value set drawn around `centre` (this study's best point) with per-knob `steps` times
 * `scale`: numeric knobs a normal step clipped to the range, categorical knobs switched to
 * another choice with the step's chance. Untried and accepted by the feasibility guard
 * (declared constraints, where trials failed), or null when no draw is (the inner sampler
 * then proposes).
 *
 * @example
 * const values = sampleRegion(space, encoded, best.point, steps, 1, history, incumbent, random, context);
 */
export function sampleRegion(
  space: readonly KnobSpec[],
  encoded: EncodedSpace,
  centre: readonly number[],
  steps: readonly number[],
  scale: number,
  history: readonly KnobObservation[],
  incumbent: KnobValues,
  random: () => number,
  context?: KnobSampleContext,
): KnobValues | null {
  const tried = new Set(history.map((observation) => knobValuesKey(space, observation.values)));
  for (const pending of context?.pending ?? []) tried.add(knobValuesKey(space, pending));
  tried.add(knobValuesKey(space, incumbent));
  const guard = feasibilityGuard(space, history, context, encoded);
  for (let attempt = 0; attempt < 32; attempt += 1) {
    // Half the draws move one knob across its whole range, the others stay: where an earlier
    // optimum moved on some knobs only, a local step never crosses to it.
    const wide = random() < WIDE_SHARE ? Math.floor(random() * encoded.length) : -1;
    const point = encoded.map((dimension, index) => {
      if (wide >= 0) {
        if (index !== wide) return centre[index]!;
        return dimension.kind === 'categorical' ? Math.floor(random() * dimension.choices.length) : random();
      }
      const step = steps[index]! * scale;
      if (dimension.kind === 'categorical') {
        if (dimension.choices.length < 2 || random() >= step) return centre[index]!;
        const other = Math.floor(random() * (dimension.choices.length - 1));
        return other >= centre[index]! ? other + 1 : other;
      }
      return Math.min(1, Math.max(0, centre[index]! + step * standardNormal(random)));
    });
    const values = decodePoint(encoded, snapPoint(encoded, point));
    if (!tried.has(knobValuesKey(space, values)) && guard.accept(values, random)) return values;
  }
  return null;
}
