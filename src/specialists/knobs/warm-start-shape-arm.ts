/**
 * The model step of a warm start: the earlier studies' shapes (`warm-start-shape.ts`)
 * placed on this study's trials propose the bowl's centre, a step from this study's best
 * of at most a trust radius (as trust-region methods step to a model's minimum). An
 * improvement keeps the radius growing (x1.5), anything else halves it; below 0.02 (three
 * failures in a row from the start) the arm is spent. It proposes only while the shape
 * predicts this study's trials (leave-one-out R² ≥ 0.5) and promises a gain (the
 * predicted loss at the centre at least 1% of this study's range of losses below that at
 * its best), and only a setting at least 0.02 RMS per knob from every trial this study
 * measured. The radius is derived from the history: a resumed study replays the arm over
 * its trials in order (`resume`), so it continues with the radius it had.
 */
import type { KnobSpec } from '../../core/task.ts';
import { decodePoint, snapPoint, type EncodedSpace } from './knob-encoding.ts';
import { knobValuesKey, type KnobValues } from './knob-value.ts';
import { fitShape, type ShapeFit, type SourceShape } from './warm-start-shape.ts';

/** Trials this study needs beyond one per numeric knob before the shape is placed (the fit has d + 2 unknowns; leave-one-out needs a few more). */
const EXTRA_TRIALS = 5;
/**
 * A step landing nearer than this (RMS per knob, unit coordinates) to a trial this study
 * measured is not proposed (the arm passes): the refitted centre barely moves between
 * steps, and without it the arm re-measured nearly the same setting up to three times.
 */
const MIN_NOVELTY = 0.02;
/** Leave-one-out R² the shape needs on this study's trials. */
const MIN_R2 = 0.5;
/** The smallest promised gain, as a share of this study's range of losses. */
const MIN_GAIN = 0.01;
/** The trust radius (RMS per knob, unit coordinates) at the start, its bounds. */
const START_RADIUS = 0.15;
const MAX_RADIUS = 0.5;
const SPENT_RADIUS = 0.02;

/** Measured trials of this study as the model sees them. */
type Measured = ReadonlyArray<{ point: number[]; loss: number; key: string }>;

/** The RMS distance per knob over `dims` from `point` to the nearest measured trial. */
function nearestDistance(dims: readonly number[], measured: Measured, point: readonly number[]): number {
  let nearest = Infinity;
  for (const entry of measured) nearest = Math.min(nearest, Math.sqrt(dims.reduce((sum, index) => sum + (entry.point[index]! - point[index]!) ** 2, 0) / dims.length));
  return nearest;
}

/** The state of one study's model step. */
export interface ShapeArm {
  /** The next model proposal, or null (not enough trials, no shape fits, no gain promised, spent, or nothing new). */
  propose(space: readonly KnobSpec[], encoded: EncodedSpace, measured: Measured, tried: ReadonlySet<string>): KnobValues | null;
  /** The latest fit of the best-fitting shape (for hypotheses and tests). */
  readonly lastFit: ShapeFit | null;
  /** Whether the earlier shapes, placed on this study's trials, were contradicted by them at the latest proposal (no bowl, or leave-one-out R² below 0.5). */
  readonly contradicted: boolean;
  /** The trust radius (RMS per knob, unit coordinates) the next step may take; below 0.02 the arm is spent. */
  readonly radius: number;
  /**
   * Rebuilds the radius from a study's measured trials in trial order (a resumed study):
   * the arm proposes on every prefix, and where the next trial is its proposal, that step
   * counts as it did then. Pure given the trials.
   */
  resume(space: readonly KnobSpec[], encoded: EncodedSpace, measured: Measured): void;
}

/**
 * A model step over `shapes` (one per earlier study; null where a study has no shape).
 *
 * @example
 * const arm = createShapeArm(studies.map((study) => sourceShape(encoded, study.points)));
 * const values = arm.propose(space, encoded, measured, tried); // null: the other proposers go on
 */
export function createShapeArm(shapes: ReadonlyArray<SourceShape | null>): ShapeArm {
  let radius = START_RADIUS;
  let pending: { key: string; bestBefore: number } | null = null;
  let lastFit: ShapeFit | null = null;
  let contradicted = false;
  const arm: ShapeArm = {
    get radius() {
      return radius;
    },
    resume(space, encoded, measured) {
      radius = START_RADIUS;
      pending = null;
      const tried = new Set<string>();
      for (let n = 0; n < measured.length; n += 1) {
        if (n > 0) {
          const proposed = arm.propose(space, encoded, measured.slice(0, n), tried);
          // The step was taken only where the next trial is it (another proposer may have made that trial).
          if (proposed !== null && knobValuesKey(space, proposed) !== measured[n]!.key) pending = null;
        }
        tried.add(measured[n]!.key);
      }
    },
    get contradicted() {
      return contradicted;
    },
    get lastFit() {
      return lastFit;
    },
    propose(space, encoded, measured, tried) {
      if (measured.length === 0) return null;
      const best = measured.reduce((a, b) => (b.loss < a.loss ? b : a));
      if (pending !== null && measured.some((entry) => entry.key === pending!.key)) {
        radius = best.loss < pending.bestBefore - 1e-12 ? Math.min(MAX_RADIUS, radius * 1.5) : radius * 0.5;
        pending = null;
      }
      let chosen: { fit: ShapeFit; shape: SourceShape } | null = null;
      let placed = 0;
      for (const shape of shapes) {
        if (shape === null || measured.length < shape.dims.length + EXTRA_TRIALS) continue;
        placed += 1;
        const fit = fitShape(shape, measured, best.point);
        if (fit !== null && (chosen === null || fit.r2 > chosen.fit.r2)) chosen = { fit, shape };
      }
      lastFit = chosen?.fit ?? null;
      contradicted = placed > 0 && (chosen === null || chosen.fit.r2 < MIN_R2);
      if (chosen === null || chosen.fit.r2 < MIN_R2 || radius < SPENT_RADIUS) return null;
      const losses = measured.map((entry) => entry.loss);
      if (chosen.fit.predictedAtBest - chosen.fit.predictedAtCentre <= MIN_GAIN * (Math.max(...losses) - Math.min(...losses))) return null;
      const { fit, shape } = chosen;
      const move = shape.dims.map((index, k) => fit.centre[k]! - best.point[index]!);
      const length = Math.sqrt(move.reduce((sum, value) => sum + value * value, 0) / move.length);
      const shrink = length > radius ? radius / length : 1;
      const point = [...best.point];
      shape.dims.forEach((index, k) => (point[index] = best.point[index]! + shrink * move[k]!));
      const snapped = snapPoint(encoded, point);
      const values = decodePoint(encoded, snapped);
      const key = knobValuesKey(space, values);
      if (tried.has(key) || nearestDistance(shape.dims, measured, snapped) < MIN_NOVELTY) return null;
      pending = { key, bestBefore: best.loss };
      return values;
    },
  };
  return arm;
}
