/**
 * Warm starts for knob samplers from earlier studies (memory across studies): a wrapper
 * around any KnobSampler that (1) first tries the best settings earlier studies measured
 * (as Optuna's enqueued trials do), then (2) hands the inner sampler the earlier trials
 * as extra observations, placed on this study's scale by rank, so that a model-based
 * sampler starts from where earlier studies found good values instead of from random
 * trials. The priors are **similarity-gated** (in the spirit of transfer TPE and
 * warm-started CMA-ES): after each measured trial, the rank correlation between what an
 * earlier study predicts at this study's points and what this study measured decides how
 * much of it is used; an earlier study that disagrees is dropped, so an unrelated one
 * costs only its first tries. Pure apart from the random stream.
 */
import type { ProposalContext } from '../../core/specialist.ts';
import type { Direction, KnobSpec } from '../../core/task.ts';
import type { KnobPriorObservation } from '../../core/technique-card.ts';
import { encodeSpace, encodeValues, type EncodedSpace } from './knob-encoding.ts';
import { observationRole } from './knob-observations.ts';
import type { KnobObservation, KnobSampleContext, KnobSampler } from './knob-sampler.ts';
import { knobValuesKey, type KnobValues } from './knob-value.ts';
import { triedValueKeys } from './sampler-support.ts';
import { regionScale, regionSteps, sampleRegion } from './warm-start-region.ts';
import { createShapeArm, type ShapeArm } from './warm-start-shape-arm.ts';
import { createProposerBandit, type ProposerBandit } from './warm-start-bandit.ts';
import { createPopulationArm, warmDistribution, type PopulationArm } from './warm-start-population.ts';
import { sourceShape } from './warm-start-shape.ts';
import { swapProposal } from './warm-start-swap.ts';

export interface WarmStartOptions {
  /** Best settings of each earlier study tried first. Default 2. */
  enqueue?: number;
  /** Most prior observations handed to the inner sampler. Default 16. */
  maxPriors?: number;
  /** Measured trials of this study after which the priors weigh half as much. Default 6. */
  halfLife?: number;
  /** Similarity below which an earlier study is dropped. Default 0.2. */
  minSimilarity?: number;
  /** Until this study has measured this many trials, every other proposal explores as a cold start does. Default 0 (off: it measured no better on bench:warmstart). */
  exploreUntil?: number;
  /** Share of proposals (after the enqueued ones) drawn in the trust region around this study's best (`warm-start-region.ts`) while the region lasts. Default 0.5. */
  localShare?: number;
  /** Similarity an earlier study needs to shape the trust region (besides agreeing that this study's best is a good place). Default 0.35. */
  regionSimilarity?: number;
  /**
   * How the warm proposers share the proposals after the enqueued ones: `fixed` (default)
   * in a fixed order (the shape step when it has one, else the region every other
   * proposal, else the inner sampler with the earlier trials as observations); `bandit`
   * ranks the proposers of `banditArms` for each proposal by what their proposals paid
   * (`warm-start-bandit.ts`), the others keep their fixed turn. The bandit measured about
   * even on bench:warmstart's related pairs and worse on its unrelated one (docs/memory.md).
   */
  proposers?: 'bandit' | 'fixed';
  /**
   * The proposers the bandit chooses between. Default `['shape', 'region', 'inner']`;
   * `population` (warm-started CMA-ES, `warm-start-population.ts`) and `cold` (the inner
   * sampler without the earlier trials) measured worse on bench:warmstart (docs/memory.md).
   */
  banditArms?: readonly WarmProposer[];
  /** Whether a knob's value that this study's trials credit (an additive model of them) is swapped into its best setting (`warm-start-swap.ts`). Default true. */
  swap?: boolean;
}

/**
 * A warm proposer: the earlier shape's step (`shape`), the trust region around this study's
 * best (`region`), the warm-started population (`population`), the inner sampler with the
 * earlier trials as observations (`inner`) or without them (`cold`).
 */
export type WarmProposer = 'shape' | 'region' | 'population' | 'inner' | 'cold';
/** What made a proposal: a warm proposer, the swap, an earlier study's best setting (`enqueued`), or the inner sampler alone because no earlier study is used (`dropped`: none trusted, or the earlier shape contradicted). */
export type WarmSource = WarmProposer | 'swap' | 'enqueued' | 'dropped';
const DEFAULT_BANDIT_ARMS: readonly WarmProposer[] = ['shape', 'region', 'inner'];

/** One earlier study's usable trials: encoded points and their rank (0 best, 1 worst). */
interface PriorStudy {
  study: string;
  points: Array<{ values: KnobValues; point: number[]; quantile: number; loss: number }>;
}

const KERNEL_WIDTH = 0.15;
/** Similarity an earlier study needs for the trust region (stricter than for its priors). */
const REGION_SIMILARITY = 0.35;
/** The rank (in this study's measured scores) the best earlier trial is placed at. */
const PRIOR_FLOOR = 0.15;
/** Measured trials TPE wants before it models (its default `startup_trials`). */
const STARTUP = 10;

/** The earlier trials that fit this knob space, per study, ranked within their study. */
export function priorStudies(space: readonly KnobSpec[], priors: readonly KnobPriorObservation[]): PriorStudy[] {
  const encoded = encodeSpace(space);
  const byStudy = new Map<string, Array<{ values: KnobValues; point: number[]; loss: number }>>();
  for (const prior of priors) {
    if (prior.score === null || !Number.isFinite(prior.score)) continue;
    const fits = space.every((knob) => prior.space[knob.name]?.type === knob.type);
    if (!fits) continue;
    const values: KnobValues = {};
    for (const knob of space) values[knob.name] = prior.values[knob.name] as KnobValues[string];
    const point = encodeValues(encoded, values);
    if (point === null || space.some((knob) => knob.type !== 'categorical' && (Number(values[knob.name]) < knob.low! || Number(values[knob.name]) > knob.high!))) continue;
    const loss = prior.direction === 'minimize' ? prior.score : -prior.score;
    const list = byStudy.get(prior.study) ?? [];
    list.push({ values, point, loss });
    byStudy.set(prior.study, list);
  }
  const studies: PriorStudy[] = [];
  for (const [study, list] of byStudy) {
    if (list.length < 3) continue;
    const sorted = [...list].sort((a, b) => a.loss - b.loss);
    studies.push({ study, points: sorted.map((entry, index) => ({ values: entry.values, point: entry.point, loss: entry.loss, quantile: sorted.length === 1 ? 0 : index / (sorted.length - 1) })) });
  }
  return studies;
}

function distance(encoded: EncodedSpace, a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  encoded.forEach((dimension, index) => {
    const d = dimension.kind === 'categorical' ? (a[index] === b[index] ? 0 : 1) : (a[index]! - b[index]!);
    sum += d * d;
  });
  return Math.sqrt(sum / Math.max(1, encoded.length));
}

/** What an earlier study predicts (its rank, 0 best) at `point`: a kernel-weighted mean of its trials' ranks. */
function predictQuantile(encoded: EncodedSpace, prior: PriorStudy, point: readonly number[]): number {
  let weight = 0;
  let total = 0;
  for (const entry of prior.points) {
    const w = Math.exp(-0.5 * (distance(encoded, entry.point, point) / KERNEL_WIDTH) ** 2) + 1e-9;
    weight += w;
    total += w * entry.quantile;
  }
  return total / weight;
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const out = new Array<number>(values.length);
  order.forEach((entry, rank) => (out[entry.index] = rank));
  return out;
}

/** Spearman's rank correlation (0 when undefined). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n < 3) return 0;
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (n - 1) / 2;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i += 1) {
    cov += (ra[i]! - mean) * (rb[i]! - mean);
    va += (ra[i]! - mean) ** 2;
    vb += (rb[i]! - mean) ** 2;
  }
  return va === 0 || vb === 0 ? 0 : cov / Math.sqrt(va * vb);
}

/**
 * How much an earlier study agrees with this one, in [0, 1]: the rank correlation of its
 * predictions with this study's measured scores, shrunk towards a prior belief of 0.5
 * while few trials are measured.
 */
export function priorSimilarity(encoded: EncodedSpace, prior: PriorStudy, measured: ReadonlyArray<{ point: number[]; loss: number }>): number {
  const rho = spearman(measured.map((entry) => predictQuantile(encoded, prior, entry.point)), measured.map((entry) => entry.loss));
  const n = measured.length;
  const shrink = 4 / (4 + Math.max(0, n - 2));
  return Math.max(0, shrink * 0.5 + (1 - shrink) * rho);
}

/** The quantile `q` of sorted `values` (linear interpolation). */
function quantileOf(sorted: readonly number[], q: number): number {
  if (sorted.length === 1) return sorted[0]!;
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

type Trusted = ReadonlyArray<{ study: PriorStudy; similarity: number }>;
type Measured = ReadonlyArray<{ point: number[]; loss: number }>;

/**
 * A proposal in the trust region around this study's best point (`warm-start-region.ts`),
 * its steps from the good trials of the trusted earlier studies that agree this best is a
 * good place (their prediction there in their better half); null when none does, the
 * region is spent, or no draw is new.
 */
function regionProposal(space: readonly KnobSpec[], encoded: EncodedSpace, trusted: Trusted, measured: Measured, minSimilarity: number, history: readonly KnobObservation[], incumbent: KnobValues, random: () => number, context?: KnobSampleContext): KnobValues | null {
  if (measured.length === 0) return null;
  const scale = regionScale(measured.map((entry) => entry.loss));
  if (scale === null) return null;
  const best = measured.reduce((a, b) => (b.loss < a.loss ? b : a));
  const agreeing = trusted.filter(({ study, similarity }) => similarity >= minSimilarity && predictQuantile(encoded, study, best.point) <= 0.5);
  if (agreeing.length === 0) return null;
  const steps = regionSteps(encoded, agreeing.map(({ study, similarity }) => ({ source: study, weight: similarity })));
  return sampleRegion(space, encoded, best.point, steps, scale, history, incumbent, random, context);
}

/** The options with their defaults. */
function withDefaults(options: WarmStartOptions): Required<WarmStartOptions> {
  return {
    enqueue: options.enqueue ?? 2,
    maxPriors: options.maxPriors ?? 16,
    halfLife: options.halfLife ?? 6,
    minSimilarity: options.minSimilarity ?? 0.2,
    exploreUntil: options.exploreUntil ?? 0,
    localShare: options.localShare ?? 0.5,
    regionSimilarity: options.regionSimilarity ?? REGION_SIMILARITY,
    proposers: options.proposers ?? 'fixed',
    banditArms: options.banditArms ?? DEFAULT_BANDIT_ARMS,
    swap: options.swap ?? true,
  };
}

/** This study's scored trials with a point in `encoded`: the point, the loss (lower is better) and the value set's key. */
function measuredOf(space: readonly KnobSpec[], encoded: EncodedSpace, history: readonly KnobObservation[], direction: Direction): Array<{ point: number[]; loss: number; key: string }> {
  return history
    .filter((observation) => observationRole(observation) === 'scored')
    .map((observation) => ({ point: encodeValues(encoded, observation.values), loss: direction === 'minimize' ? observation.score! : -observation.score!, key: knobValuesKey(space, observation.values) }))
    .filter((entry): entry is { point: number[]; loss: number; key: string } => entry.point !== null);
}

/** Every finished trial of this study by key: its loss, or undefined when it failed (for the bandit's credits). */
function finishedOf(space: readonly KnobSpec[], history: readonly KnobObservation[], measured: ReadonlyArray<{ loss: number; key: string }>): Map<string, number | undefined> {
  const finished = new Map<string, number | undefined>(history.filter((observation) => observationRole(observation) !== 'in_flight').map((observation) => [knobValuesKey(space, observation.values), undefined]));
  for (const entry of measured) finished.set(entry.key, entry.loss);
  return finished;
}

/** The population arm started from the trusted earlier studies' promising region (weighted by similarity), or null. */
function populationFor(encoded: EncodedSpace, trusted: Trusted): PopulationArm | null {
  const start = warmDistribution(encoded, trusted.map(({ study, similarity }) => ({ source: study, weight: similarity })));
  return start === null ? null : createPopulationArm(start);
}

/**
 * The trusted earlier studies' trials as observations of this study: placed by their rank
 * on this study's measured scores (never above its own best 15%), at least enough to pass
 * a model-based sampler's random start-up and fewer as this study measures more.
 */
function extraObservations(trusted: Trusted, measured: Measured, options: { maxPriors: number; halfLife: number }, direction: Direction): KnobObservation[] {
  const sortedLosses = measured.map((entry) => entry.loss).sort((a, b) => a - b);
  const extra: KnobObservation[] = [];
  let nextId = -1;
  for (const { study, similarity } of trusted) {
    // At least enough to pass a model-based sampler's random start-up (TPE: 10 measured trials).
    const count = Math.max(Math.round((options.maxPriors * similarity * options.halfLife) / (options.halfLife + measured.length) / trusted.length), Math.ceil((STARTUP - measured.length) / trusted.length));
    if (count < 1 || sortedLosses.length === 0) continue;
    const stride = study.points.length / Math.min(count, study.points.length);
    for (let k = 0; k < Math.min(count, study.points.length); k += 1) {
      const entry = study.points[Math.min(study.points.length - 1, Math.floor(k * stride))]!;
      // Never above this study's own best trials: an earlier optimum guides, it does not lead.
      const loss = quantileOf(sortedLosses, PRIOR_FLOOR + (1 - PRIOR_FLOOR) * entry.quantile) + 1e-9 * (entry.quantile - 0.5) * (Math.abs(sortedLosses[0]!) + 1);
      extra.push({ trialId: nextId--, values: entry.values, status: 'discarded', score: direction === 'minimize' ? loss : -loss });
    }
  }
  return extra;
}

/**
 * The earlier studies that fit `space` and their shape step; for a resumed study (trials
 * in `history`) the shape step's radius as this study's trials left it.
 */
function preparedFor(space: readonly KnobSpec[], priors: readonly KnobPriorObservation[], history: readonly KnobObservation[], direction: Direction): { cache: { space: readonly KnobSpec[]; studies: PriorStudy[]; encoded: EncodedSpace }; arm: ShapeArm } {
  const encoded = encodeSpace(space);
  const studies = priorStudies(space, priors);
  const arm = createShapeArm(studies.map((study) => sourceShape(encoded, study.points)));
  if (studies.length > 0) arm.resume(space, encoded, measuredOf(space, encoded, history, direction));
  return { cache: { space, studies, encoded }, arm };
}

/** The earlier studies whose shape predicts this study's trials well enough to use (each one's similarity noted). */
function trustedStudies(studies: readonly PriorStudy[], encoded: EncodedSpace, measured: Parameters<typeof priorSimilarity>[2], minSimilarity: number, similarities: Map<string, number>): { study: PriorStudy; similarity: number }[] {
  return studies.map((study) => ({ study, similarity: priorSimilarity(encoded, study, measured) })).filter((entry) => {
    similarities.set(entry.study.study, entry.similarity);
    return entry.similarity >= minSimilarity;
  });
}

/** (1) The best settings of trusted earlier studies, each tried once: the first not tried yet. */
function firstUntried(space: readonly KnobSpec[], trusted: readonly { study: PriorStudy }[], enqueue: number, tried: ReadonlySet<string>): KnobValues | null {
  for (const { study } of trusted) {
    for (const entry of study.points.slice(0, enqueue)) {
      if (!tried.has(knobValuesKey(space, entry.values))) return { ...entry.values };
    }
  }
  return null;
}

/** (4) The bandit's proposers, most promising first: the first with a proposal, credited to it. */
function banditChoice(bandit: ProposerBandit, propose: Record<WarmProposer, () => KnobValues | null>, key: (values: KnobValues) => string, bestLoss: number, random: () => number): { name: WarmProposer; values: KnobValues } | null {
  for (const name of bandit.order(random) as WarmProposer[]) {
    const values = propose[name]();
    if (values !== null) {
      bandit.credit(key(values), name, bestLoss);
      return { name, values };
    }
  }
  return null;
}

/**
 * `bandit` with its record rebuilt from a resumed study's trials, in trial order: each trial
 * whose notes name the proposer that made it counts for that proposer as it did then (paid
 * when it beat the best of the trials measured before it; a failed one did not pay; one in
 * flight is credited and settles when it finishes). Trials made before a restart with
 * several slots may have been proposed against a slightly different best.
 */
function resumedBandit(bandit: ProposerBandit, space: readonly KnobSpec[], history: readonly KnobObservation[], direction: Direction): ProposerBandit {
  let best = Infinity;
  for (const observation of [...history].sort((a, b) => a.trialId - b.trialId)) {
    const role = observationRole(observation);
    const loss = role === 'scored' ? (direction === 'minimize' ? observation.score! : -observation.score!) : undefined;
    if (observation.proposer !== undefined) {
      if (role === 'in_flight') bandit.credit(knobValuesKey(space, observation.values), observation.proposer, best);
      else bandit.record(observation.proposer, loss !== undefined && loss < best - 1e-12 * Math.max(1, Math.abs(best)));
    }
    if (loss !== undefined) best = Math.min(best, loss);
  }
  return bandit;
}

/**
 * Wraps `inner` with warm starts from `priors` (earlier studies' trials on matching knobs).
 *
 * @example
 * const sampler = createWarmStartSampler(createTpeSampler(), await context.knowledge.knobPriors(['lr', 'width']));
 */
export function createWarmStartSampler(
  inner: KnobSampler,
  priors: readonly KnobPriorObservation[],
  options: WarmStartOptions = {},
): KnobSampler & { readonly similarities: Map<string, number>; readonly lastProposer: WarmSource | null; proposerTally(): Record<string, { paid: number; unpaid: number }> } {
  const { enqueue, maxPriors, halfLife, minSimilarity, exploreUntil, localShare, regionSimilarity, proposers, banditArms, swap } = withDefaults(options);
  let cache: { space: readonly KnobSpec[]; studies: PriorStudy[]; encoded: EncodedSpace } | null = null;
  let arm = createShapeArm([]);
  let population: PopulationArm | null | undefined;
  let bandit: ProposerBandit = createProposerBandit(banditArms);
  const similarities = new Map<string, number>();
  let lastProposer: WarmSource | null = null;
  const from = (source: WarmSource, values: KnobValues): KnobValues => ((lastProposer = source), values);

  return {
    name: `${inner.name}+warm`,
    similarities,
    get lastProposer() { return lastProposer; },
    proposerTally: () => bandit.tally(),
    sample(space: readonly KnobSpec[], history: readonly KnobObservation[], incumbent: KnobValues, random: () => number, context?: KnobSampleContext): KnobValues {
      if (cache === null || cache.space !== space) {
        ({ cache, arm } = preparedFor(space, priors, history, context?.direction ?? 'minimize'));
        population = undefined;
        if (proposers === 'bandit') bandit = resumedBandit(createProposerBandit(banditArms), space, history, context?.direction ?? 'minimize');
      }
      const { studies, encoded } = cache;
      if (studies.length === 0) return from('dropped', inner.sample(space, history, incumbent, random, context));
      const direction: Direction = context?.direction ?? 'minimize';
      const measured = measuredOf(space, encoded, history, direction);
      const tried = triedValueKeys(space, history, incumbent, context?.pending);
      const trusted = trustedStudies(studies, encoded, measured, minSimilarity, similarities);
      if (trusted.length === 0) return from('dropped', inner.sample(space, history, incumbent, random, context));

      // (1) The best settings of trusted earlier studies, each tried once.
      const enqueued = firstUntried(space, trusted, enqueue, tried);
      if (enqueued !== null) return from('enqueued', enqueued);
      const finished = finishedOf(space, history, measured);
      bandit.settle(finished);
      // (2) The earlier shapes placed on this study's trials: a step to their centre, while they fit and deliver.
      const modelled = arm.propose(space, encoded, measured, tried);
      // The earlier shape, placed on this study's trials, does not predict them: the earlier study is not used further (a decoy at its optimum looks related only as long as this study's trials sit there).
      if (modelled === null && arm.contradicted) return from('dropped', inner.sample(space, history, incumbent, random, context));
      const withPriors = (): KnobValues => from('inner', inner.sample(space, [...extraObservations(trusted, measured, { maxPriors, halfLife }, direction).reverse(), ...history], incumbent, random, context));
      if (modelled !== null && (proposers === 'fixed' || !banditArms.includes('shape'))) return from('shape', modelled);
      // (2') A knob value this study's trials credit, swapped into its best setting (the earlier optimum moved on that knob).
      if (swap) {
        const swapped = swapProposal(space, encoded, measured, tried);
        if (swapped !== null) return from('swap', swapped);
      }
      // (3) Every other proposal (`localShare`): the trust region around this study's best, while it lasts.
      if ((proposers === 'fixed' || !banditArms.includes('region')) && localShare > 0 && Math.floor((measured.length + 1) * localShare) > Math.floor(measured.length * localShare)) {
        const values = regionProposal(space, encoded, trusted, measured, regionSimilarity, history, incumbent, random, context);
        if (values !== null) return from('region', values);
      }
      // (4) The proposers of the bandit, most promising first (by what their proposals paid), the first with a proposal.
      if (proposers === 'bandit') {
        const best = measured.reduce((a, b) => (b.loss < a.loss ? b : a), measured[0]!);
        const propose: Record<WarmProposer, () => KnobValues | null> = {
          shape: () => modelled,
          region: () => regionProposal(space, encoded, trusted, measured, regionSimilarity, history, incumbent, random, context),
          population: () => {
            population ??= populationFor(encoded, trusted);
            return population === null || best === undefined ? null : population.propose(space, encoded, measured, new Set(finished.keys()), tried, best.point, random);
          },
          inner: withPriors,
          cold: () => inner.sample(space, history, incumbent, random, context),
        };
        const chosen = banditChoice(bandit, propose, (values) => knobValuesKey(space, values), best?.loss ?? Infinity, random);
        return chosen === null ? withPriors() : from(chosen.name, chosen.values);
      }
      // (4') While this study has few trials, every other proposal explores as a cold start would
      // (the inner sampler's own start-up), so an optimum that moved far is still found.
      if (measured.length < exploreUntil && measured.length % 2 === 0) return from('cold', inner.sample(space, history, incumbent, random, context));
      // (5) Earlier trials as extra observations, on this study's scale by rank, fewer as this study learns
      // (they count as older than every trial of this study: samplers weigh recent ones more).
      return withPriors();
    },
  };
}

/**
 * The sampler a knobs specialist proposes with: on its first proposal, earlier studies'
 * trials on these knobs are read once from the memory (`context.knowledge.knobPriors`);
 * with any, `inner` is wrapped in the warm start, else (memory off, nothing matching,
 * memory unreadable) `inner` itself is used.
 *
 * @example
 * const activeSampler = warmStartOnFirstProposal(sampler, knobs);
 * const proposed = (await activeSampler(context)).sample(knobs, history, current, random, options);
 */
export function warmStartOnFirstProposal(inner: KnobSampler, knobs: readonly KnobSpec[]): (context: ProposalContext) => Promise<KnobSampler> {
  let active: KnobSampler | null = null;
  return async (context) => {
    if (active === null) {
      const priors = context.knowledge ? await context.knowledge.knobPriors(knobs.map((knob) => knob.name)).catch(() => []) : [];
      active = priors.length > 0 ? createWarmStartSampler(inner, priors) : inner;
    }
    return active;
  };
}
