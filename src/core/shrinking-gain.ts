/**
 * Gains that shrink with scale: a trial whose advantage over its parent falls as the
 * level grows, by more than the noise, is flagged so that specialists stop building on
 * it ("gain +1.2% at s, +0.4% at m: likely gone at full"). Pure: no I/O.
 */
import { normalQuantile } from './promotion.ts';
import type { Direction } from './task.ts';

/** A trial's and its parent's scores at one level both were measured at. */
export interface PairedLevel {
  levelName: string;
  scale: number;
  trial: number;
  parent: number;
}

export interface ShrinkingGain {
  /** The advantage (positive: the trial is better) at each common level, in the objective's units. */
  advantages: Array<{ levelName: string; advantage: number; percent: number }>;
  /** The advantage at the full level's scale, extrapolated linearly in log(scale). */
  predictedFullAdvantage: number;
  /** The text shown in the lineage feedback. */
  message: string;
}

/**
 * Flags a shrinking gain: the trial beats its parent at its lowest common level by more
 * than the noise, its advantage then falls by more than the noise of a difference of
 * differences (at `confidence`, default 0.9), and the trend (linear in log scale) does not
 * keep the first gain at the full scale. Null when not flagged (or fewer than two common levels).
 *
 * @example
 * shrinkingGain([{ levelName: 's', scale: 0.1, trial: 2.9, parent: 3.0 }, { levelName: 'm', scale: 0.3, trial: 2.49, parent: 2.5 }],
 *   { direction: 'minimize', noise: 0.01, fullScale: 1, fullName: 'full' });
 * // { message: 'gain +3.33% at s, +0.4% at m: likely gone at full', ... }
 */
export function shrinkingGain(
  levels: readonly PairedLevel[],
  options: { direction: Direction; noise: number; fullScale: number; fullName: string; confidence?: number },
): ShrinkingGain | null {
  const sorted = [...levels].filter((level) => level.scale > 0).sort((a, b) => a.scale - b.scale);
  if (sorted.length < 2) return null;
  const sign = options.direction === 'minimize' ? 1 : -1;
  const advantages = sorted.map((level) => {
    const advantage = sign * (level.parent - level.trial);
    return { levelName: level.levelName, scale: level.scale, advantage, percent: level.parent !== 0 ? (100 * advantage) / Math.abs(level.parent) : 0 };
  });
  const z = normalQuantile(options.confidence ?? 0.9);
  const differenceNoise = options.noise * Math.SQRT2;
  const first = advantages[0]!;
  const last = advantages[advantages.length - 1]!;
  if (!(first.advantage > z * differenceNoise)) return null;
  if (!(first.advantage - last.advantage > z * differenceNoise * Math.SQRT2)) return null;
  // Least squares of advantage on log(scale), evaluated at the full scale.
  const xs = advantages.map((a) => Math.log(a.scale));
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = advantages.reduce((s, a) => s + a.advantage, 0) / advantages.length;
  let sxx = 0;
  let sxy = 0;
  advantages.forEach((a, i) => {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (a.advantage - my);
  });
  const slope = sxx > 0 ? sxy / sxx : 0;
  const predictedFullAdvantage = my + slope * (Math.log(options.fullScale) - mx);
  const gone = predictedFullAdvantage <= differenceNoise;
  const measuredFull = last.scale >= options.fullScale;
  const steps = advantages.map((a) => `${formatPercent(a.percent)} at ${a.levelName}`).join(', ');
  const verdict = measuredFull ? (last.advantage <= differenceNoise ? 'gone at full' : 'shrinking with scale') : gone ? `likely gone at ${options.fullName}` : `shrinking toward ${options.fullName}`;
  return {
    advantages: advantages.map(({ levelName, advantage, percent }) => ({ levelName, advantage, percent })),
    predictedFullAdvantage,
    message: `gain ${steps}: ${verdict}`,
  };
}

function formatPercent(percent: number): string {
  const rounded = Math.round(percent * 100) / 100;
  return `${rounded >= 0 ? '+' : ''}${rounded}%`;
}
