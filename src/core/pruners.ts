import type { Direction, PrunerSpec } from './task.ts';

/** One point of the pruning metric's curve. */
export interface StepValue {
  step: number;
  value: number;
}

/** A finished trial's curve, for comparison. */
export interface FinishedCurve {
  trialId: number;
  points: readonly StepValue[];
  /** True for the incumbent (the curve pruner predicts against it). */
  incumbent: boolean;
}

export interface PruneDecision {
  prune: boolean;
  /** Why, in words (the trial's label detail when pruned). */
  reason: string;
}

const KEEP = (reason: string): PruneDecision => ({ prune: false, reason });

/** Better-is-smaller view: negates values when larger is better. */
function oriented(value: number, direction: Direction): number {
  return direction === 'minimize' ? value : -value;
}

/** The curve's value at `step` by linear interpolation, or null when outside it. */
export function valueAt(points: readonly StepValue[], step: number): number | null {
  if (points.length === 0) return null;
  const sorted = [...points].sort((a, b) => a.step - b.step);
  if (step < sorted[0]!.step || step > sorted.at(-1)!.step) return null;
  for (let i = 0; i < sorted.length; i++) {
    const point = sorted[i]!;
    if (point.step === step) return point.value;
    const next = sorted[i + 1];
    if (next && point.step < step && step < next.step) {
      const w = (step - point.step) / (next.step - point.step);
      return point.value * (1 - w) + next.value * w;
    }
  }
  return null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Median pruning (as Optuna's MedianPruner): at the trial's latest step, prune when its
 * best value so far is worse than the median of the other trials' values at that step.
 */
export function medianDecision(current: readonly StepValue[], finished: readonly FinishedCurve[], spec: PrunerSpec, direction: Direction): PruneDecision {
  const last = current.at(-1);
  if (!last) return KEEP('no intermediate value yet');
  if (last.step < spec.warmupSteps) return KEEP(`warm-up until step ${spec.warmupSteps}`);
  const others = finished.map((curve) => valueAt(curve.points, last.step)).filter((value): value is number => value !== null);
  if (others.length < spec.minTrials) return KEEP(`only ${others.length} finished curves reach step ${last.step}`);
  const best = Math.min(...current.filter((point) => point.step <= last.step).map((point) => oriented(point.value, direction)));
  const med = median(others.map((value) => oriented(value, direction)));
  if (best > med) {
    return { prune: true, reason: `median pruner: at step ${last.step} the best value ${fmt(oriented(best, direction))} is worse than the median ${fmt(oriented(med, direction))} of ${others.length} trials` };
  }
  return KEEP('at or better than the median');
}

/**
 * Successive halving (ASHA-style, asynchronous): rungs at minStep·reduction^k; a trial
 * reaching a rung continues only when it is in the top 1/reduction of the values that
 * finished trials had at that rung.
 */
export function ashaDecision(current: readonly StepValue[], finished: readonly FinishedCurve[], spec: PrunerSpec, direction: Direction): PruneDecision {
  const last = current.at(-1);
  if (!last) return KEEP('no intermediate value yet');
  const minStep = spec.minStep ?? Math.max(1, spec.warmupSteps);
  const reduction = spec.reduction ?? 3;
  let rung = minStep;
  let reached: number | null = null;
  while (rung <= last.step) {
    reached = rung;
    rung *= reduction;
  }
  if (reached === null) return KEEP(`before the first rung (step ${minStep})`);
  const mine = valueAt(current, reached) ?? last.value;
  const others = finished.map((curve) => valueAt(curve.points, reached)).filter((value): value is number => value !== null);
  if (others.length < Math.max(spec.minTrials, reduction - 1)) return KEEP(`only ${others.length} trials reached rung ${reached}`);
  const ranked = [...others.map((value) => oriented(value, direction)), oriented(mine, direction)].sort((a, b) => a - b);
  const keepCount = Math.max(1, Math.floor(ranked.length / reduction));
  const threshold = ranked[keepCount - 1]!;
  if (oriented(mine, direction) > threshold) {
    return { prune: true, reason: `successive halving: at rung ${reached} the value ${fmt(mine)} is not in the top 1/${reduction} of ${ranked.length} trials (cut-off ${fmt(oriented(threshold, direction))})` };
  }
  return KEEP(`in the top 1/${reduction} at rung ${reached}`);
}

/** A fitted learning curve y(s) = a + b·s^(-c), with the residual spread. */
export interface CurveFit {
  a: number;
  b: number;
  c: number;
  residualStd: number;
  predict(step: number): number;
}

/**
 * Fits y = a + b·s^(-c) (a power law that saturates at `a`) by a grid over c with a
 * closed-form least-squares fit of a and b for each c. Needs at least 4 points.
 */
export function fitPowerLaw(points: readonly StepValue[]): CurveFit | null {
  const usable = points.filter((point) => point.step > 0 && Number.isFinite(point.value));
  if (usable.length < 4) return null;
  let best: { a: number; b: number; c: number; sse: number } | null = null;
  for (let c = 0.05; c <= 3; c += 0.05) {
    const xs = usable.map((point) => Math.pow(point.step, -c));
    const ys = usable.map((point) => point.value);
    const n = xs.length;
    const mx = xs.reduce((s, x) => s + x, 0) / n;
    const my = ys.reduce((s, y) => s + y, 0) / n;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
      sxx += (xs[i]! - mx) ** 2;
      sxy += (xs[i]! - mx) * (ys[i]! - my);
    }
    if (sxx === 0) continue;
    const b = sxy / sxx;
    const a = my - b * mx;
    let sse = 0;
    for (let i = 0; i < n; i++) sse += (ys[i]! - (a + b * xs[i]!)) ** 2;
    if (!best || sse < best.sse) best = { a, b, c, sse };
  }
  if (!best) return null;
  const { a, b, c } = best;
  const residualStd = Math.sqrt(best.sse / Math.max(1, usable.length - 3));
  return { a, b, c, residualStd, predict: (step) => a + b * Math.pow(step, -c) };
}

/** z for a one-sided confidence level (0.5 .. 0.999). */
function zFor(confidence: number): number {
  // Acklam's rational approximation of the normal quantile, upper region is enough here.
  const p = Math.min(Math.max(confidence, 0.5), 0.9999);
  const t = Math.sqrt(-2 * Math.log(1 - p));
  return t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
}

/**
 * Learning-curve extrapolation: fit a saturating power law to the partial curve, predict
 * the value at the final step, and prune when even the optimistic end of the prediction
 * interval is worse than the incumbent's final value, at the given confidence.
 */
export function curveDecision(current: readonly StepValue[], finished: readonly FinishedCurve[], spec: PrunerSpec, direction: Direction): PruneDecision {
  const last = current.at(-1);
  if (!last) return KEEP('no intermediate value yet');
  if (last.step < spec.warmupSteps) return KEEP(`warm-up until step ${spec.warmupSteps}`);
  const incumbent = finished.find((curve) => curve.incumbent && curve.points.length > 0);
  if (!incumbent) return KEEP('no incumbent curve to compare with');
  if (finished.length < spec.minTrials) return KEEP(`only ${finished.length} finished curves`);
  const finalStep = spec.finalStep ?? Math.max(...finished.flatMap((curve) => curve.points.map((point) => point.step)));
  if (last.step >= finalStep) return KEEP('already at the final step');
  const fit = fitPowerLaw(current);
  if (!fit) return KEEP('too few points to fit a curve');
  const target = valueAt(incumbent.points, finalStep) ?? incumbent.points.at(-1)!.value;
  const predicted = fit.predict(finalStep);
  const z = zFor(spec.confidence ?? 0.95);
  // Uncertainty grows with the distance extrapolated.
  const stretch = 1 + Math.log(finalStep / last.step);
  const optimistic = oriented(predicted, direction) - z * fit.residualStd * stretch;
  if (optimistic > oriented(target, direction)) {
    return {
      prune: true,
      reason: `learning curve: predicted ${fmt(predicted)} at step ${finalStep} (fit ${fmt(fit.a)} + ${fmt(fit.b)}·s^-${fit.c.toFixed(2)}, ±${fmt(z * fit.residualStd * stretch)}) is worse than the incumbent's ${fmt(target)} with ${(100 * (spec.confidence ?? 0.95)).toFixed(0)}% confidence`,
    };
  }
  return KEEP(`predicted ${fmt(predicted)} may still beat ${fmt(target)}`);
}

/** The decision of the configured pruner. */
export function pruneDecision(current: readonly StepValue[], finished: readonly FinishedCurve[], spec: PrunerSpec, direction: Direction): PruneDecision {
  switch (spec.kind) {
    case 'median':
      return medianDecision(current, finished, spec, direction);
    case 'asha':
      return ashaDecision(current, finished, spec, direction);
    case 'curve':
      return curveDecision(current, finished, spec, direction);
    case 'none':
      return KEEP('no pruner');
  }
}

function fmt(value: number): string {
  return Number.isFinite(value) ? Number(value.toPrecision(4)).toString() : String(value);
}
