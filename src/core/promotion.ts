/**
 * Promotion up the fidelity ladder: which trials measured at a level climb to the next.
 * Decided asynchronously, the moment a trial's measurement at a level is recorded,
 * against every trial measured at that level so far (as ASHA and Optuna's
 * `SuccessiveHalvingPruner` do), once the level holds `min_rung` results (`minRungOf`):
 * before that the trial waits (holding no slot: new proposals take the free slots at the
 * first level) and every waiting trial is decided when the level fills. A trial that is
 * not promoted is finished at once (label `pruned`) and fed back to the specialists.
 * Pure: no I/O.
 */
import { minRungOf, type PromotionRuleSpec } from './fidelity.ts';
import type { Direction } from './task.ts';
import { gainPerSecond, type GainPerCost } from './gain-per-cost.ts';

/** A trial's score at one level (a scored measurement). */
export interface LevelScore {
  trialId: number;
  score: number;
}

/** The scaling model's prediction of a trial's full-level score. */
export interface FullLevelPrediction {
  mean: number;
  std: number;
}

export interface PromotionInput {
  rule: PromotionRuleSpec;
  direction: Direction;
  /** The trial being decided and its score at `levelName`. */
  trialId: number;
  score: number;
  levelName: string;
  /** Every scored measurement at this level so far, the trial's own included. */
  peers: readonly LevelScore[];
  /** `predicted` only: the scaling model's prediction for this trial (null: cannot predict yet). */
  prediction?: FullLevelPrediction | null;
  /** `predicted` only: the incumbent's full-level score. */
  incumbentFullScore?: number | null;
  /**
   * `gain_per_cost`: the expected gain and predicted climb cost of every trial measured at
   * this level that the model can predict, this trial's included (absent or without this
   * trial: successive halving). `predicted`: the same, its bar on each entry's `chance`.
   */
  gains?: readonly GainPerCost[] | null;
  /**
   * Decide against the level as it stands even when it holds fewer than `min_rung`
   * results (the study stops proposing, so the level will not fill).
   */
  decideNow?: boolean;
}

export interface PromotionDecision {
  promote: boolean;
  /**
   * The level holds fewer than `min_rung` results: no decision yet, the trial waits
   * (`promote` is false) and is decided again when the level gets another result.
   */
  wait?: boolean;
  /** Why, in words (recorded as the `pruned` detail when not promoted). */
  reason: string;
}

/** The standard normal quantile (Acklam's rational approximation; |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** 1-based rank of `score` among `peers` (1 = best; ties share the better rank). */
export function rankAmong(score: number, peers: readonly LevelScore[], direction: Direction): number {
  const better = peers.filter((peer) => (direction === 'minimize' ? peer.score < score : peer.score > score)).length;
  return better + 1;
}

/**
 * Whether a trial measured at a level climbs to the next one.
 *
 * - `successive_halving` (eta): promoted when its rank among the n trials measured at the
 *   level is at most floor(n / eta); while n < eta, when it is the best so far.
 * - `top_k` (k): promoted when its rank is at most k.
 * - `gain_per_cost` (eta): promoted when its expected gain over the incumbent per second of
 *   predicted climb cost ranks in the top floor(n / eta) (at least 1) of the n predictable
 *   trials at the level, and that gain is above 0 (`gain-per-cost.ts`); successive
 *   halving while the model cannot predict it.
 * - `predicted` (eta, confidence): promoted when the chance that its predicted full-level
 *   score (the scaling model fitted across trials: mean, std) beats the incumbent's
 *   full-level score is at least 1 - confidence (the optimistic bound at `confidence`
 *   beats it) and its expected gain per second of predicted climb cost ranks in the top
 *   floor(n / eta) (at least 1) of the n predictable trials at the level; without `gains`
 *   (no cost model yet), on the bound alone; successive halving with eta when there is no
 *   prediction or incumbent yet.
 *
 * @example
 * decidePromotion({ rule: { rule: 'successive_halving', eta: 3 }, direction: 'minimize', trialId: 4, score: 1.2,
 *   levelName: 's', peers: [{ trialId: 1, score: 1.5 }, { trialId: 2, score: 1.4 }, { trialId: 4, score: 1.2 }] });
 * // { promote: true, reason: 'rank 1 of 3 at s; the best 1 (1/3) climb' }
 */
export function decidePromotion(input: PromotionInput): PromotionDecision {
  const { rule, direction, score, levelName } = input;
  const peers = input.peers.some((peer) => peer.trialId === input.trialId) ? input.peers : [...input.peers, { trialId: input.trialId, score }];
  const n = peers.length;
  const minRung = minRungOf(rule);
  if (n < minRung && input.decideNow !== true) {
    return { promote: false, wait: true, reason: `waits: ${n} of the ${minRung} results at ${levelName} a promotion is decided against` };
  }
  const rank = rankAmong(score, peers, direction);
  if (rule.rule === 'top_k') {
    return { promote: rank <= rule.k, reason: `rank ${rank} of ${n} at ${levelName}; the best ${rule.k} climb` };
  }
  if (rule.rule === 'predicted' && input.prediction && input.incumbentFullScore !== null && input.incumbentFullScore !== undefined) {
    const own = input.gains?.find((entry) => entry.trialId === input.trialId);
    if (own !== undefined) return decidePredicted(own, input.gains!, rule, input.prediction, input.incumbentFullScore);
    const { mean, std } = input.prediction;
    const z = normalQuantile(rule.confidence);
    const optimistic = direction === 'minimize' ? mean - z * std : mean + z * std;
    const beats = direction === 'minimize' ? optimistic < input.incumbentFullScore : optimistic > input.incumbentFullScore;
    const bound = `predicted full-level score ${formatScore(mean)} ± ${formatScore(std)} (optimistic ${formatScore(optimistic)} at ${Math.round(rule.confidence * 100)}%)`;
    return { promote: beats, reason: `${bound} ${beats ? 'may beat' : 'cannot beat'} the incumbent's ${formatScore(input.incumbentFullScore)}` };
  }
  const eta = rule.eta;
  const own = rule.rule === 'gain_per_cost' ? input.gains?.find((entry) => entry.trialId === input.trialId) : undefined;
  if (own !== undefined) return decideByGainPerCost(own, input.gains!, eta);
  const climbing = Math.floor(n / eta);
  if (climbing === 0) {
    return { promote: rank === 1, reason: `rank ${rank} of ${n} at ${levelName}; while fewer than ${eta} are measured only the best climbs` };
  }
  return { promote: rank <= climbing, reason: `rank ${rank} of ${n} at ${levelName}; the best ${climbing} (1/${eta}) climb` };
}

/**
 * `gain_per_cost`: ranked by expected gain per second of predicted climb cost among the
 * trials at the level the model can predict; the top floor(n / eta) climb (while n < eta,
 * the best only), and never a trial expected to gain nothing.
 */
function decideByGainPerCost(own: GainPerCost, gains: readonly GainPerCost[], eta: number): PromotionDecision {
  const value = gainPerSecond(own);
  const n = gains.length;
  const rank = gains.filter((entry) => gainPerSecond(entry) > value).length + 1;
  const climbing = Math.max(Math.floor(n / eta), 1);
  const measure = `expected gain ${formatScore(own.gain)} over the incumbent for a predicted ${formatScore(own.costMs / 1000)} s climb (${formatScore(value)}/s)`;
  if (!(own.gain > 0)) return { promote: false, reason: `${measure}: no gain expected` };
  return { promote: rank <= climbing, reason: `${measure}, rank ${rank} of ${n}; the best ${climbing} (1/${eta}) climb` };
}

/**
 * `predicted` with a cost model: the chance of beating the incumbent must reach 1 -
 * confidence (a climb unlikely to make an incumbent is not taken), and the expected gain per
 * second of predicted climb cost must rank in the top floor(n / eta) (while n < eta, the
 * best only) of the predictable trials at the level. (Ranking by the chance itself would
 * not do: against a weak incumbent every chance is near 1 and the rank would follow the
 * trials' run times alone.)
 */
function decidePredicted(own: GainPerCost, gains: readonly GainPerCost[], rule: { eta: number; confidence: number }, prediction: FullLevelPrediction, incumbent: number): PromotionDecision {
  const value = gainPerSecond(own);
  const n = gains.length;
  const rank = gains.filter((entry) => gainPerSecond(entry) > value).length + 1;
  const climbing = Math.max(Math.floor(n / rule.eta), 1);
  const bar = 1 - rule.confidence;
  const chance = own.chance ?? 0;
  const measure = `predicted full-level score ${formatScore(prediction.mean)} ± ${formatScore(prediction.std)}: chance ${formatScore(chance)} of beating the incumbent's ${formatScore(incumbent)}`;
  if (!(chance >= bar)) return { promote: false, reason: `${measure}, under ${formatScore(bar)}` };
  const perCost = `expected gain ${formatScore(own.gain)} for a predicted ${formatScore(own.costMs / 1000)} s climb (${formatScore(value)}/s)`;
  return { promote: rank <= climbing, reason: `${measure}; ${perCost}, rank ${rank} of ${n}; the best ${climbing} (1/${rule.eta}) climb` };
}

function formatScore(value: number): string {
  return Number(value.toPrecision(4)).toString();
}
