/**
 * Grid search for small discrete spaces: the cartesian product of every categorical
 * knob's choices, every int knob's integers (or `points` evenly spaced ones when there are
 * more; a declared `step` keeps them on its lattice), and `points` evenly spaced values of every float knob (log-spaced when `log`).
 * Grid points are visited in a random order, skipping those already tried or in flight,
 * those that violate a declared constraint and (while others are left) those predicted to fail;
 * when every point was tried the sampler returns the incumbent, and the specialist then
 * has nothing to propose.
 */
import { AutolabError } from '../../core/errors.ts';
import type { KnobSpec } from '../../core/task.ts';
import { knobLattice, snapToLattice, type NumericKnob } from './knob-space.ts';
import type { KnobObservation, KnobSampleContext, KnobSampler } from './knob-sampler.ts';
import { knobValuesKey, roundKnobFloat, type KnobValue, type KnobValues } from './knob-value.ts';
import { feasibilityGuard } from './feasibility-guard.ts';
import { triedValueKeys } from './sampler-support.ts';

export interface GridSamplerOptions {
  /** Values per float knob (and per int knob with more integers than this). Default 5. */
  points?: number;
}

/** The largest grid the sampler walks. */
export const MAX_GRID_SIZE = 1_000_000;

/** The values of each knob on the grid, in knob order. */
export function gridAxes(space: readonly KnobSpec[], points = 5): KnobValue[][] {
  return space.map((knob) => {
    if (knob.type === 'categorical') return [...(knob.choices ?? [])];
    const numeric = knob as NumericKnob;
    const lattice = knob.type === 'int' || knob.log !== true ? knobLattice(numeric) : null;
    if (lattice !== null && lattice.count <= points) {
      return Array.from({ length: lattice.count }, (_, i) => snapToLattice(numeric, numeric.low + i * lattice.step));
    }
    // Evenly spaced from low to high inclusive (in log space when log), rounded as written.
    const values: number[] = [];
    for (let i = 0; i < points; i += 1) {
      const value = knob.log === true
        ? Math.exp(Math.log(numeric.low) + (i / (points - 1)) * (Math.log(numeric.high) - Math.log(numeric.low)))
        : numeric.low + (i / (points - 1)) * (numeric.high - numeric.low);
      const rounded = lattice !== null ? snapToLattice(numeric, value) : Math.min(numeric.high, Math.max(numeric.low, knob.type === 'int' ? Math.round(value) : roundKnobFloat(value)));
      if (!values.includes(rounded)) values.push(rounded);
    }
    return values;
  });
}

/** Number of points of a grid. */
export function gridSize(axes: readonly (readonly KnobValue[])[]): number {
  return axes.reduce((size, axis) => size * axis.length, 1);
}

/**
 * Creates the grid sampler. Throws a `TaskFileError` from `sample` when the grid has more
 * than {@link MAX_GRID_SIZE} points (use `checkGridSpace` to refuse such a space up front).
 *
 * @example
 * const sampler = createGridSampler({ points: 4 });
 */
export function createGridSampler(options: GridSamplerOptions = {}): KnobSampler {
  const points = Math.max(2, Math.floor(options.points ?? 5));
  return {
    name: 'grid',
    sample(space: readonly KnobSpec[], history: readonly KnobObservation[], incumbent: KnobValues, random: () => number, context?: KnobSampleContext): KnobValues {
      if (space.length === 0) return {};
      const axes = gridAxes(space, points);
      const size = checkGridSpace(space, points);
      const tried = triedValueKeys(space, history, incumbent, context?.pending);
      const at = (index: number): KnobValues => {
        const values: KnobValues = {};
        let rest = index;
        space.forEach((knob, k) => {
          const axis = axes[k] as KnobValue[];
          values[knob.name] = axis[rest % axis.length] as KnobValue;
          rest = Math.floor(rest / axis.length);
        });
        return values;
      };
      const guard = feasibilityGuard(space, history, context);
      // Random probes first (cheap while most of the grid is untried), then a scan from a random start.
      for (let probe = 0; probe < 64; probe += 1) {
        const values = at(Math.floor(random() * size));
        if (!tried.has(knobValuesKey(space, values)) && guard.accept(values, random)) return values;
      }
      // The scan: the first untried point that satisfies the declared constraints and is
      // likely to run; else the one most likely to run.
      let best: { values: KnobValues; chance: number } | null = null;
      const start = Math.floor(random() * size);
      for (let offset = 0; offset < size; offset += 1) {
        const values = at((start + offset) % size);
        if (tried.has(knobValuesKey(space, values)) || !guard.allowed(values)) continue;
        const chance = guard.chance(values);
        if (chance >= 0.5) return values;
        if (best === null || chance > best.chance) best = { values, chance };
      }
      return best !== null ? best.values : { ...incumbent };
    },
  };
}

/** The grid size of `space`; throws a `TaskFileError` when it exceeds {@link MAX_GRID_SIZE}. */
export function checkGridSpace(space: readonly KnobSpec[], points = 5): number {
  const size = gridSize(gridAxes(space, points));
  if (size > MAX_GRID_SIZE) {
    throw new AutolabError('TaskFileError', `the grid over knobs ${space.map((knob) => knob.name).join(', ')} has ${size} points, more than ${MAX_GRID_SIZE}`, {
      hint: 'lower options.grid_points, declare fewer knobs, or use sampler: tpe',
    });
  }
  return size;
}
