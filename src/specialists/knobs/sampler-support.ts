/**
 * Helpers every sampler uses to finish a proposal: the set of value sets already tried
 * (or in flight), and uniform draws that avoid them.
 */
import type { KnobSpec } from '../../core/task.ts';
import { decodePoint, uniformPoint, type EncodedSpace } from './knob-encoding.ts';
import type { FeasibilityGuard } from './feasibility-guard.ts';
import type { KnobObservation } from './knob-sampler.ts';
import { knobValuesKey, type KnobValues } from './knob-value.ts';

/** Keys (`knobValuesKey`) of every value set in the history, the pending proposals and the incumbent. */
export function triedValueKeys(space: readonly KnobSpec[], history: readonly KnobObservation[], incumbent: KnobValues, pending: readonly KnobValues[] = []): Set<string> {
  const keys = new Set<string>();
  for (const observation of history) keys.add(knobValuesKey(space, observation.values));
  for (const values of pending) keys.add(knobValuesKey(space, values));
  keys.add(knobValuesKey(space, incumbent));
  return keys;
}

/**
 * A uniform value set not in `tried` (up to `attempts` draws; the last draw is returned
 * when every draw was tried, as the sampler contract allows for exhausted spaces).
 * With a `guard`, draws must also be accepted by it; when none is, the untried draw that
 * satisfies the declared constraints and is most likely to run is returned, and when no
 * draw satisfies them, the incumbent (the specialist then proposes nothing).
 */
export function uniformUntried(space: readonly KnobSpec[], encoded: EncodedSpace, tried: ReadonlySet<string>, random: () => number, attempts = 128, guard?: { fallback: KnobValues; guard: FeasibilityGuard }): KnobValues {
  if (guard === undefined || !guard.guard.active) {
    let values = decodePoint(encoded, uniformPoint(encoded, random));
    for (let attempt = 1; attempt < attempts && tried.has(knobValuesKey(space, values)); attempt += 1) {
      values = decodePoint(encoded, uniformPoint(encoded, random));
    }
    return values;
  }
  let best: { values: KnobValues; chance: number; untried: boolean } | null = null;
  for (let attempt = 0; attempt < attempts * 2; attempt += 1) {
    const values = decodePoint(encoded, uniformPoint(encoded, random));
    const untried = !tried.has(knobValuesKey(space, values));
    if (untried && guard.guard.accept(values, random)) return values;
    if (!guard.guard.allowed(values)) continue;
    const chance = guard.guard.chance(values);
    if (best === null || (untried && !best.untried) || (untried === best.untried && chance > best.chance)) best = { values, chance, untried };
  }
  return best !== null ? best.values : { ...guard.fallback };
}