/**
 * Expected gain per unit of predicted cost: the measure of the `gain_per_cost` promotion
 * rule and of the order in which waiting promotions take free slots.
 *
 * - **Gain**: the expected improvement (EI) of a trial's predicted full-level score
 *   (the scaling model's mean and standard deviation, a normal) over the incumbent's
 *   full-level score: `d·Φ(d/σ) + σ·φ(d/σ)` with `d` the predicted advantage (the
 *   incumbent minus the mean when minimising); `max(d, 0)` when σ is 0.
 * - **Cost**: the run time the trial's climb from the next level to the full level is
 *   predicted to take: the cost model's expected run time of each level
 *   (`level-cost.ts`, increments on a continued ladder) times the trial's own speed, its
 *   run time at the level just measured over the level's mean there (a wider model that
 *   ran twice as long at `s` is expected to cost twice as much above), kept within ×½..×2.
 *
 * Pure: no I/O.
 */
import type { Direction } from './task.ts';

/** A trial's expected gain and the predicted cost of its climb. */
export interface GainPerCost {
  trialId: number;
  /** Expected improvement of its full-level score over the incumbent's (in score units, ≥ 0). */
  gain: number;
  /** The probability that its full-level score beats the incumbent's (`chanceOfBeating`; the bar of rule `predicted`). */
  chance?: number;
  /** Predicted run time of its climb to the full level, in ms (> 0). */
  costMs: number;
}

/** The closest a trial's speed may be taken to differ from its level's mean (×½..×2). */
const SPEED_BOUNDS = [0.5, 2] as const;

function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** The standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * The expected improvement of a predicted score (mean ± std) over `reference`.
 *
 * @example expectedImprovement({ mean: 1.0, std: 0 }, 1.2, 'minimize') // 0.2
 */
export function expectedImprovement(prediction: { mean: number; std: number }, reference: number, direction: Direction): number {
  const advantage = direction === 'minimize' ? reference - prediction.mean : prediction.mean - reference;
  if (!(prediction.std > 0)) return Math.max(advantage, 0);
  const z = advantage / prediction.std;
  return Math.max(advantage * normalCdf(z) + prediction.std * normalPdf(z), 0);
}

/**
 * The probability that a predicted score (mean ± std, a normal) beats `reference`.
 *
 * @example chanceOfBeating({ mean: 1.0, std: 0.1 }, 1.0, 'minimize') // 0.5
 */
export function chanceOfBeating(prediction: { mean: number; std: number }, reference: number, direction: Direction): number {
  const advantage = direction === 'minimize' ? reference - prediction.mean : prediction.mean - reference;
  if (!(prediction.std > 0)) return advantage > 0 ? 1 : 0;
  return normalCdf(advantage / prediction.std);
}

/**
 * A trial's predicted climb cost: the level costs of its climb times its speed (its run
 * time at the measured level over the mean there, within ×½..×2; 1 when unknown).
 *
 * @example predictedClimbCostMs(3000, 120, 100) // 3600: it ran 20% slower than its peers
 */
export function predictedClimbCostMs(climbMs: number, ownRunMs: number | null, meanRunMs: number | null): number {
  const speed = ownRunMs !== null && meanRunMs !== null && ownRunMs > 0 && meanRunMs > 0 ? Math.min(Math.max(ownRunMs / meanRunMs, SPEED_BOUNDS[0]), SPEED_BOUNDS[1]) : 1;
  return Math.max(climbMs * speed, 1);
}

/** Expected gain per second of predicted cost. */
export function gainPerSecond(entry: Pick<GainPerCost, 'gain' | 'costMs'>): number {
  return entry.gain / (entry.costMs / 1000);
}

/** What `gainsAtLevel` weighs. */
export interface GainsAtLevelInput {
  direction: Direction;
  level: number;
  /** The study's level records (scored ones at `level` are the peers). */
  records: ReadonlyArray<{ trialId: number; level: number; status: 'scored' | 'failed'; score: number | null; runMs: number }>;
  /** Each trial's predicted full-level score (null or absent: cannot predict). */
  predictions: ReadonlyMap<number, { mean: number; std: number } | null>;
  /** The incumbent's full-level score. */
  incumbent: number;
  /** The cost model's expected run time of a climb from `level + 1` to the full level, in ms. */
  climbMs: number;
}

/**
 * The expected gain, the chance of beating the incumbent and the predicted climb cost of
 * every trial scored at `level` that the scaling model can predict (the baseline's included).
 *
 * @example
 * gainsAtLevel({ direction: 'minimize', level: 0, records, predictions, incumbent: 1.31, climbMs: 2700 })
 * // [{ trialId: 4, gain: 0.021, chance: 0.61, costMs: 2700 }, ...]
 */
export function gainsAtLevel(input: GainsAtLevelInput): GainPerCost[] {
  const here = input.records.filter((record) => record.level === input.level && record.status === 'scored' && record.score !== null);
  const timed = here.filter((record) => record.runMs > 0);
  const meanRunMs = timed.length > 0 ? timed.reduce((sum, record) => sum + record.runMs, 0) / timed.length : null;
  const gains: GainPerCost[] = [];
  for (const record of here) {
    const prediction = input.predictions.get(record.trialId);
    if (!prediction) continue;
    const gain = expectedImprovement(prediction, input.incumbent, input.direction);
    gains.push({ trialId: record.trialId, gain, chance: chanceOfBeating(prediction, input.incumbent, input.direction), costMs: predictedClimbCostMs(input.climbMs, record.runMs > 0 ? record.runMs : null, meanRunMs) });
  }
  return gains;
}
