/**
 * The per-knob half of a warm start: which knob's earlier optimum no longer holds, read
 * from this study's own trials. An **additive model** of this study's trials (the loss's
 * rank as a sum of one smooth curve per numeric knob, fitted by backfitting: each knob's
 * curve a kernel average of what the other knobs' curves leave unexplained) credits each
 * knob's value with its share of a trial's result, so a trial that did well *although*
 * one knob sat far from this study's best (another knob's value made up for it) shows that
 * value as good. The proposal **swaps** that one value into this study's best setting,
 * the other knobs kept.
 *
 * Why a warm start needs it: where an earlier optimum moved on one knob only, and far
 * (across a ripple of the objective), every local step around the earlier optimum (the
 * trust region, the shape step, the sampler fed with the earlier trials) polishes a local
 * minimum of this study, while its broad draws do meet the moved value now and then, but
 * together with other knobs off, so that draw does not become this study's best and no one
 * looks there again. A swap is coordinate-wise recombination (a genetic algorithm's or
 * differential evolution's crossover of one coordinate), with the additive model choosing
 * the coordinate and the donor. Pure; no state beyond the history (a resumed study
 * continues where it left off).
 */
import type { KnobSpec } from '../../core/task.ts';
import { decodePoint, snapPoint, type EncodedSpace } from './knob-encoding.ts';
import { knobValuesKey, type KnobValues } from './knob-value.ts';

/** Kernel width of each knob's curve (unit coordinates). */
const BANDWIDTH = 0.06;
/** Pseudo-count pulling a knob's curve to 0 where few trials lie (so a value no trial supports is not credited). */
const PRIOR_COUNT = 0.5;
/** Backfitting sweeps. */
const SWEEPS = 6;
/** A swap moves its knob at least this far (nearer values are the local steps' business). */
const MIN_MOVE = 0.12;
/** The predicted gain (in the loss's rank, 0 best … 1 worst) a swap needs. */
const MIN_GAIN = 0.1;
/** Trials this study needs before the model is fitted. */
const MIN_TRIALS = 5;

/** This study's measured trials: unit-coordinate points and losses (lower is better). */
type Measured = ReadonlyArray<{ point: readonly number[]; loss: number }>;

/** One fitted curve per numeric knob (indices into the encoded space): the centred effect at any value. */
export interface AdditiveModel {
  dims: number[];
  effect(dim: number, value: number): number;
}

function ranksOf(losses: readonly number[]): number[] {
  const order = losses.map((loss, index) => ({ loss, index })).sort((a, b) => a.loss - b.loss);
  const out = new Array<number>(losses.length);
  order.forEach((entry, rank) => (out[entry.index] = losses.length === 1 ? 0 : rank / (losses.length - 1)));
  return out;
}

/**
 * An additive model of `measured`'s loss ranks over the numeric knobs of `encoded`, by
 * backfitting Nadaraya–Watson curves (shrunk to 0 where no trial lies near).
 *
 * @example
 * const model = fitAdditive(encoded, measured);
 * model.effect(2, 0.1) < model.effect(2, 0.5) // a low dropout credited as better
 */
export function fitAdditive(encoded: EncodedSpace, measured: Measured): AdditiveModel {
  const dims = encoded.flatMap((dimension, index) => (dimension.kind === 'numeric' ? [index] : []));
  const y = ranksOf(measured.map((entry) => entry.loss));
  const mean = y.reduce((sum, value) => sum + value, 0) / Math.max(1, y.length);
  const fitted = dims.map(() => new Array<number>(measured.length).fill(0));
  const residuals = dims.map(() => new Array<number>(measured.length).fill(0));
  const kernel = (a: number, b: number) => Math.exp(-0.5 * ((a - b) / BANDWIDTH) ** 2);
  const smooth = (k: number, value: number) => {
    let weight = 0;
    let total = 0;
    measured.forEach((entry, n) => {
      const w = kernel(entry.point[dims[k]!]!, value);
      weight += w;
      total += w * residuals[k]![n]!;
    });
    return total / (weight + PRIOR_COUNT);
  };
  for (let sweep = 0; sweep < SWEEPS; sweep += 1) {
    dims.forEach((_, k) => {
      for (let n = 0; n < measured.length; n += 1) {
        let others = 0;
        for (let j = 0; j < dims.length; j += 1) if (j !== k) others += fitted[j]![n]!;
        residuals[k]![n] = y[n]! - mean - others;
      }
      const curve = measured.map((entry) => smooth(k, entry.point[dims[k]!]!));
      const centre = curve.reduce((sum, value) => sum + value, 0) / Math.max(1, curve.length);
      fitted[k] = curve.map((value) => value - centre);
    });
  }
  // The last residuals define each curve; its centring is irrelevant for differences along one knob.
  return { dims, effect: (dim, value) => smooth(dims.indexOf(dim), value) };
}

/**
 * The swap the additive model of this study's trials favours most: one numeric knob of
 * this study's best set to another trial's value there (at least 0.12 away), the
 * predicted gain at least 0.1 in rank; null when there is none, fewer than 5 trials are
 * measured, or every such setting was tried.
 *
 * @example
 * const values = swapProposal(space, encoded, measured, tried); // this study's best, dropout from a trial that did well with it
 */
export function swapProposal(space: readonly KnobSpec[], encoded: EncodedSpace, measured: Measured, tried: ReadonlySet<string>): KnobValues | null {
  if (measured.length < MIN_TRIALS) return null;
  const best = measured.reduce((a, b) => (b.loss < a.loss ? b : a));
  const model = fitAdditive(encoded, measured);
  let chosen: { values: KnobValues; gain: number } | null = null;
  for (const dim of model.dims) {
    const atBest = model.effect(dim, best.point[dim]!);
    for (const donor of measured) {
      const value = donor.point[dim]!;
      if (Math.abs(value - best.point[dim]!) < MIN_MOVE) continue;
      const gain = atBest - model.effect(dim, value);
      if (gain < MIN_GAIN || (chosen !== null && gain <= chosen.gain)) continue;
      const point = [...best.point];
      point[dim] = value;
      const values = decodePoint(encoded, snapPoint(encoded, point));
      if (tried.has(knobValuesKey(space, values))) continue;
      chosen = { values, gain };
    }
  }
  return chosen?.values ?? null;
}
