/**
 * Random search around the incumbent: each proposal changes one to three knobs; each
 * changed knob is either drawn over its whole range (log-uniform when `log`) or nudged
 * from the incumbent by a gaussian step in the normalised space. History (and proposals
 * waiting for a slot) is used only to avoid repeating a value set.
 */
import type { KnobSpec } from '../../core/task.ts';
import type { KnobObservation, KnobSampleContext, KnobSampler } from './knob-sampler.ts';
import { fromUnit, knobLattice, snapToLattice, toUnit, type NumericKnob } from './knob-space.ts';
import { knobValueEquals, knobValuesKey, normaliseKnobValue, type KnobValue, type KnobValues } from './knob-value.ts';
import { standardNormal as gaussian } from './sampler-math.ts';
import { feasibilityGuard } from './feasibility-guard.ts';
import { triedValueKeys } from './sampler-support.ts';

export interface RandomSamplerOptions {
  /** Most knobs changed per proposal (at least one is always changed). Default 3. */
  maxChanged?: number;
  /** Probability that a changed knob is drawn over its whole range rather than nudged. Default 0.5. */
  globalProbability?: number;
  /** Standard deviation of a nudge, as a fraction of the (log) range. Default 0.15. */
  localSigma?: number;
  /** Draws tried to find a value set not in the history (the later half draw over whole ranges). Default 64. */
  attempts?: number;
}

/**
 * Creates the random-search sampler.
 *
 * @example
 * const sampler = createRandomSampler();
 * const next = sampler.sample(surface.knobs, history, { lr: 0.01, width: 64 }, ctx.random);
 */
export function createRandomSampler(options: RandomSamplerOptions = {}): KnobSampler {
  const maxChanged = Math.max(1, Math.floor(options.maxChanged ?? 3));
  const globalProbability = options.globalProbability ?? 0.5;
  const localSigma = options.localSigma ?? 0.15;
  const attempts = Math.max(1, Math.floor(options.attempts ?? 64));

  const changeKnob = (knob: KnobSpec, current: KnobValue | undefined, random: () => number, forceGlobal: boolean): KnobValue =>
    changedValue(knob, current, random, forceGlobal, globalProbability, localSigma);

  const draw = (space: readonly KnobSpec[], incumbent: KnobValues, random: () => number, forceGlobal = false): KnobValues => {
    const values: KnobValues = {};
    const order = space.map((_, index) => index);
    for (const knob of space) {
      const current = incumbent[knob.name];
      if (current !== undefined) values[knob.name] = normaliseKnobValue(knob, current);
    }
    const count = 1 + Math.floor(random() * Math.min(maxChanged, space.length));
    for (let picked = 0; picked < count; picked += 1) {
      const swap = picked + Math.floor(random() * (order.length - picked));
      [order[picked], order[swap]] = [order[swap] as number, order[picked] as number];
      const knob = space[order[picked] as number] as KnobSpec;
      values[knob.name] = changeKnob(knob, incumbent[knob.name], random, forceGlobal);
    }
    // A knob the incumbent had no value for gets one from its whole range.
    for (const knob of space) if (values[knob.name] === undefined) values[knob.name] = changeKnob(knob, undefined, random, true);
    return values;
  };

  /** Every knob drawn over its whole range. */
  const drawAll = (space: readonly KnobSpec[], incumbent: KnobValues, random: () => number): KnobValues => {
    const values: KnobValues = {};
    for (const knob of space) values[knob.name] = changeKnob(knob, incumbent[knob.name], random, true);
    return values;
  };

  return {
    name: 'random',
    sample(space: readonly KnobSpec[], history: readonly KnobObservation[], incumbent: KnobValues, random: () => number, context?: KnobSampleContext): KnobValues {
      if (space.length === 0) return {};
      const tried = triedValueKeys(space, history, incumbent, context?.pending);
      const guard = feasibilityGuard(space, history, context);
      if (!guard.active) {
        let candidate = draw(space, incumbent, random);
        for (let attempt = 1; attempt < attempts && tried.has(knobValuesKey(space, candidate)); attempt += 1) {
          // Nudges may keep landing on tried points of a small space: widen to the whole range.
          candidate = draw(space, incumbent, random, attempt >= attempts / 2);
        }
        return candidate;
      }
      // With declared constraints or learned failures: draws must also pass the guard (a
      // constraint may need several knobs to change together, so later draws change them all).
      let best: { values: KnobValues; chance: number } | null = null;
      for (let attempt = 0; attempt < 4 * attempts; attempt += 1) {
        const candidate = attempt < 2 * attempts ? draw(space, incumbent, random, attempt >= attempts) : drawAll(space, incumbent, random);
        const untried = !tried.has(knobValuesKey(space, candidate));
        if (untried && guard.accept(candidate, random)) return candidate;
        if (untried && guard.allowed(candidate)) {
          const chance = guard.chance(candidate);
          if (best === null || chance > best.chance) best = { values: candidate, chance };
        }
      }
      return best?.values ?? { ...incumbent };
    },
  };
}

/**
 * A new value for one knob, different from `current` where the knob allows: another
 * choice; a value over the whole range (always when `forceGlobal`, else with
 * `globalProbability`) or a gaussian nudge of `localSigma` in the unit range; failing that,
 * one lattice step.
 */
function changedValue(knob: KnobSpec, current: KnobValue | undefined, random: () => number, forceGlobal: boolean, globalProbability: number, localSigma: number): KnobValue {
  if (knob.type === 'categorical') {
    const others = (knob.choices ?? []).filter((choice) => !knobValueEquals(choice, current));
    const pool = others.length > 0 ? others : knob.choices ?? [];
    return pool[Math.min(pool.length - 1, Math.floor(random() * pool.length))] as KnobValue;
  }
  const numeric = knob as NumericKnob;
  if (typeof current !== 'number') return fromUnit(numeric, random());
  const global = forceGlobal || random() < globalProbability;
  for (let tries = 0; tries < 8; tries += 1) {
    const unit = global ? random() : toUnit(numeric, current) + localSigma * gaussian(random);
    const value = fromUnit(numeric, unit);
    if (!knobValueEquals(value, current)) return value;
  }
  for (let tries = 0; tries < 8; tries += 1) {
    const value = fromUnit(numeric, random());
    if (!knobValueEquals(value, current)) return value;
  }
  const lattice = numeric.log === true && numeric.type !== 'int' ? null : knobLattice(numeric);
  if (lattice === null) return fromUnit(numeric, random());
  // One lattice step up or down (a step of 1 for ints without a declared step).
  const step = (random() < 0.5 ? -1 : 1) * (numeric.log === true ? 1 : lattice.step);
  const snapped = numeric.log === true ? Math.round(current) : snapToLattice(numeric, current);
  const next = snapped + step >= numeric.low && snapped + step <= numeric.high ? snapped + step : snapped - step;
  return numeric.log === true ? Math.min(numeric.high, Math.max(numeric.low, next)) : snapToLattice(numeric, next);
}
