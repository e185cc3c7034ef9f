/**
 * Knob importance for a study: which knobs the objective depends on, by functional ANOVA
 * over a random forest fitted to the scored trials (see fanova.ts). Knob values are
 * placed in the unit interval the samplers search (log-scaled for log knobs), each
 * categorical choice an equal slice of it, so "importance" is over the declared space.
 */
import type { KnobValue } from '../specialists/knobs/knob-value.ts';
import { toUnit, type NumericKnob } from '../specialists/knobs/knob-space.ts';
import { forestMainEffects } from './fanova.ts';
import { fitForest } from './random-forest.ts';
import type { StudyKnob } from './study-knobs.ts';

/** What the importance view says about one knob. */
export interface KnobImportanceRow {
  knob: string;
  /** The fraction of the objective's variance this knob's main effect explains (0..1). */
  fraction: number;
  /** Its spread over the forest's trees. */
  std: number;
  /** `fraction` over the sum of all knobs' (the bars; they sum to 1, as Optuna reports). */
  share: number;
}

export interface KnobImportance {
  method: string;
  /** One sentence for the page, naming the method and its settings. */
  description: string;
  trees: number;
  /** Scored trials the forest was fitted to. */
  trials: number;
  /** Most important first. */
  rows: KnobImportanceRow[];
  /** The sum of the main effects: what the knobs explain one at a time (the rest: interactions and noise). */
  explained: number;
}

/** Fewest scored trials with known knob values before importance is estimated. */
export const MIN_IMPORTANCE_TRIALS = 8;

export interface ImportanceOptions {
  trees?: number;
  /** Bootstrap draws per tree at most (default 1000). */
  maxSamples?: number;
  seed?: number;
}

/**
 * Estimates each knob's importance from `observations` (score and knob values by column);
 * an explanation instead when there are too few, or the scores do not vary.
 *
 * @example
 * const importance = knobImportance(knobs, trials.map((t) => ({ score: t.score, values: values.get(t.id) })));
 * if ('rows' in importance) importance.rows[0]; // { knob: 'lr', fraction: 0.82, std: 0.05, share: 0.9 }
 */
export function knobImportance(knobs: readonly StudyKnob[], observations: ReadonlyArray<{ score: number; values: Readonly<Record<string, KnobValue>> }>, options: ImportanceOptions = {}): KnobImportance | { unavailable: string } {
  if (knobs.length === 0) return { unavailable: 'the task declares no knobs' };
  const x: number[][] = [];
  const y: number[] = [];
  for (const observation of observations) {
    if (!Number.isFinite(observation.score)) continue;
    const point = encode(knobs, observation.values);
    if (point === null) continue;
    x.push(point);
    y.push(observation.score);
  }
  if (x.length < MIN_IMPORTANCE_TRIALS) return { unavailable: `needs ${MIN_IMPORTANCE_TRIALS} scored trials with every knob's value known, has ${x.length}` };
  if (y.every((value) => value === y[0])) return { unavailable: `all ${x.length} scored trials have the same score` };
  const trees = options.trees ?? 32;
  const maxSamples = options.maxSamples ?? 1000;
  const effects = forestMainEffects(fitForest(x, y, { trees, maxSamples, seed: options.seed ?? 1 }), knobs.length);
  const explained = effects.reduce((sum, effect) => sum + effect.fraction, 0);
  const rows = knobs
    .map((knob, index) => {
      const effect = effects[index]!;
      return { knob: knob.column, fraction: effect.fraction, std: effect.std, share: explained > 0 ? effect.fraction / explained : 0 };
    })
    .sort((a, b) => b.fraction - a.fraction || a.knob.localeCompare(b.knob));
  const samples = Math.min(x.length, maxSamples);
  return {
    method: 'fANOVA',
    description:
      `fANOVA (functional ANOVA, Hutter et al. 2014; Optuna's default importance evaluator): a random forest of ${trees} regression trees, ` +
      `each on a bootstrap of ${samples.toLocaleString('en')} of the ${x.length.toLocaleString('en')} scored trials, fitted to the score over the knobs (log knobs on a log scale); ` +
      `a knob's importance is the share of the forest's variance its main effect explains.`,
    trees,
    trials: x.length,
    rows,
    explained: Math.min(1, explained),
  };
}

/** A trial's point in the unit hypercube, or null when a knob's value is unknown or not declared. */
function encode(knobs: readonly StudyKnob[], values: Readonly<Record<string, KnobValue>>): number[] | null {
  const point: number[] = [];
  for (const knob of knobs) {
    const value = values[knob.column];
    if (value === undefined) return null;
    const unit = unitOf(knob, value);
    if (unit === null) return null;
    point.push(unit);
  }
  return point;
}

/** Where a value lies in its knob's unit interval (a choice at the middle of its slice). */
export function unitOf(knob: StudyKnob, value: KnobValue): number | null {
  if (knob.type === 'categorical') {
    const choices = knob.choices ?? [];
    const index = choices.findIndex((choice) => choice === value || String(choice) === String(value));
    return index < 0 ? null : (index + 0.5) / choices.length;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  if (typeof knob.low !== 'number' || typeof knob.high !== 'number' || !(knob.low < knob.high)) return null;
  return toUnit(knob as NumericKnob, value);
}
