import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.ts';
import { fitScalingModel, predictAtScale, type ScalingObservations } from './scaling-model.ts';

const SCALES = [0.05, 0.15, 0.4, 1];

/** Box-Muller on the project's seeded generator. */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Trials following score = c_t + A_t * s^-alpha + noise, measured at the first `levels` scales. */
function population(seed: number, count: number, alpha: number, noise: number, levels: (index: number) => number) {
  const random = seededRandom(seed);
  const truth: Array<{ c: number; a: number }> = [];
  const observations: ScalingObservations[] = [];
  for (let t = 0; t < count; t++) {
    const c = 2 + 0.5 * random();
    const a = 0.3 * (1 + 0.2 * gaussian(random));
    truth.push({ c, a });
    observations.push({ trialId: t, points: SCALES.slice(0, levels(t)).map((scale) => ({ scale, score: c + a * scale ** -alpha + noise * gaussian(random) })) });
  }
  return { truth, observations };
}

describe('fitScalingModel and predictAtScale', () => {
  it('recovers the shared exponent of a known power law with noise', () => {
    for (const alpha of [0.3, 0.7]) {
      const { observations } = population(11, 12, alpha, 0.005, () => 4);
      const fit = fitScalingModel(observations)!;
      expect(Math.abs(fit.alpha - alpha)).toBeLessThanOrEqual(0.1);
      expect(fit.meanAmplitude).toBeGreaterThan(0.2);
      expect(fit.meanAmplitude).toBeLessThan(0.4);
      expect(fit.noise).toBeLessThan(0.02);
    }
  });

  it('predicts full-scale scores from lower levels within its stated uncertainty', () => {
    const alpha = 0.5;
    const noise = 0.01;
    // Six trials measured at every level teach the population; twenty more only at the lower levels.
    const { truth, observations } = population(5, 26, alpha, noise, (t) => (t < 6 ? 4 : 1 + (t % 3)));
    const fit = fitScalingModel(observations)!;
    let inside = 0;
    let checked = 0;
    let errorSum = 0;
    for (let t = 6; t < 26; t++) {
      const prediction = predictAtScale(fit, observations[t]!.points, 1)!;
      const actual = truth[t]!.c + truth[t]!.a;
      const error = Math.abs(prediction.mean - actual);
      errorSum += error;
      if (error <= 2 * prediction.std + 2 * noise) inside += 1;
      checked += 1;
      expect(prediction.std).toBeGreaterThan(0);
    }
    expect(inside / checked).toBeGreaterThanOrEqual(0.85);
    // The naive guess (the lowest level's score) is far worse than the model.
    const naive = observations.slice(6).reduce((sum, o, i) => sum + Math.abs(o.points[0]!.score - (truth[i + 6]!.c + truth[i + 6]!.a)), 0);
    expect(errorSum).toBeLessThan(naive / 3);
  });

  it('is more certain about a trial with more levels', () => {
    const { observations } = population(3, 8, 0.5, 0.01, () => 4);
    const fit = fitScalingModel(observations)!;
    const points = observations[0]!.points;
    const one = predictAtScale(fit, points.slice(0, 1), 1)!;
    const three = predictAtScale(fit, points.slice(0, 3), 1)!;
    expect(three.std).toBeLessThan(one.std);
  });

  it('needs a trial with two levels to fit, and a level to predict', () => {
    expect(fitScalingModel([{ trialId: 1, points: [{ scale: 0.1, score: 3 }] }])).toBeNull();
    const fit = fitScalingModel([{ trialId: 0, points: [{ scale: 0.1, score: 3 }, { scale: 1, score: 2 }] }])!;
    expect(predictAtScale(fit, [], 1)).toBeNull();
    // With two levels the exponent cannot be told: the population's shift is carried over.
    expect(predictAtScale(fit, [{ scale: 0.1, score: 3.5 }], 1)!.mean).toBeCloseTo(2.5, 6);
  });
});
