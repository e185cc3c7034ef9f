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

describe('the exponent fitted across trials with two levels', () => {
  /** Trials on a ladder of three scales, each measured at two of them (which two varies by trial), as the baseline is at all three. */
  function pairs(seed: number, alpha: number, noise: number, count: number, firstAtAll = true) {
    const random = seededRandom(seed);
    const ladder = [0.1, 0.3, 1];
    const choices = [[0, 1], [1, 2], [0, 2]];
    const truth: Array<{ c: number; a: number }> = [];
    const observations: ScalingObservations[] = [];
    for (let t = 0; t < count; t++) {
      const c = 1.5 + random();
      const a = 0.4 * (1 + 0.15 * gaussian(random));
      truth.push({ c, a });
      const levels = t === 0 && firstAtAll ? [0, 1, 2] : choices[t % 3]!;
      observations.push({ trialId: t, points: levels.map((level) => ({ scale: ladder[level]!, score: c + a * ladder[level]! ** -alpha + noise * gaussian(random) })) });
    }
    return { truth, observations };
  }

  it('recovers the exponent within its 95% interval from trials with two levels each', () => {
    let covered = 0;
    const cases = [0.3, 0.5, 0.8, 1.2].flatMap((alpha) => [1, 2, 3].map((seed) => ({ alpha, seed })));
    for (const { alpha, seed } of cases) {
      const { observations } = pairs(seed * 17 + Math.round(alpha * 10), alpha, 0.01, 24);
      const fit = fitScalingModel(observations, { noiseHint: 0.01 })!;
      expect(fit.alphaInterval).toBeDefined();
      const [low, high] = fit.alphaInterval!;
      expect(low).toBeLessThanOrEqual(fit.alpha);
      expect(high).toBeGreaterThanOrEqual(fit.alpha);
      expect(Math.abs(fit.alpha - alpha)).toBeLessThanOrEqual(0.25);
      if (low - 0.05 <= alpha && alpha <= high + 0.05) covered += 1;
    }
    // A 95% interval on a grid of 0.05: it holds the truth in (nearly) every case.
    expect(covered).toBeGreaterThanOrEqual(cases.length - 1);
  });

  it('predicts the full level of trials measured at the lowest level only, with an interval that holds the truth', () => {
    const alpha = 0.8;
    const noise = 0.01;
    const { observations } = pairs(41, alpha, noise, 20);
    const fit = fitScalingModel(observations, { noiseHint: noise })!;
    const random = seededRandom(99);
    let inside = 0;
    let errorSum = 0;
    let naiveSum = 0;
    for (let t = 0; t < 40; t++) {
      const c = 1.5 + random();
      const a = 0.4 * (1 + 0.15 * gaussian(random));
      const s = c + a * 0.1 ** -alpha + noise * gaussian(random);
      const prediction = predictAtScale(fit, [{ scale: 0.1, score: s }], 1)!;
      const error = Math.abs(prediction.mean - (c + a));
      errorSum += error;
      naiveSum += Math.abs(s - (c + a));
      if (error <= 2 * prediction.std) inside += 1;
    }
    expect(inside / 40).toBeGreaterThanOrEqual(0.85);
    expect(errorSum).toBeLessThan(naiveSum / 4);
  });

  it('tells a different exponent where the old fit (three-level trials only) could not', () => {
    // No trial has three levels: only how far apart each trial's two levels are, against the population, tells the exponent.
    const { observations } = pairs(7, 1.2, 0.005, 30, false);
    const fit = fitScalingModel(observations, { noiseHint: 0.005 })!;
    expect(fit.alpha).toBeGreaterThan(0.9);
  });

  it('assumes the default exponent, without an interval, when every trial has the same two levels', () => {
    const observations: ScalingObservations[] = [2, 2.2, 2.5].map((c, t) => ({ trialId: t, points: [{ scale: 0.1, score: c + 0.3 * 0.1 ** -0.5 }, { scale: 0.3, score: c + 0.3 * 0.3 ** -0.5 + 0.01 * t }] }));
    const fit = fitScalingModel(observations)!;
    expect(fit.alpha).toBe(0.5);
    expect(fit.alphaInterval).toBeUndefined();
    // Amplitudes that differ, with a noise hint (what the floors of the spread and the noise once turned into a spurious exponent of 2).
    const spread = [0.2, 0.35, 0.3].map((a, t) => ({ trialId: t, points: [{ scale: 0.1, score: 2 + a * 0.1 ** -0.5 }, { scale: 0.3, score: 2 + a * 0.3 ** -0.5 }] }));
    const hinted = fitScalingModel(spread, { noiseHint: 0.005 })!;
    expect(hinted.alpha).toBe(0.5);
    expect(hinted.alphaInterval).toBeUndefined();
  });
});
