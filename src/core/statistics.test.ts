import { describe, expect, it } from 'vitest';
import { confidenceHalfWidth95, regularizedBeta, studentTQuantile, studentTUpperTail, summarize, welchOneSided } from './statistics.ts';

describe('statistics', () => {
  it('summarizes', () => {
    expect(summarize([1, 2, 3, 4])).toEqual({ n: 4, mean: 2.5, std: Math.sqrt(5 / 3) });
    expect(summarize([7])).toEqual({ n: 1, mean: 7, std: 0 });
  });

  it('matches known t-distribution tail values', () => {
    // scipy.stats.t.sf(2.0, 5) = 0.050969739414929; t.sf(1.0, 1) = 0.25; t.sf(2.764, 10) ≈ 0.01
    expect(studentTUpperTail(2, 5)).toBeCloseTo(0.050969739, 6);
    expect(studentTUpperTail(1, 1)).toBeCloseTo(0.25, 8);
    expect(studentTUpperTail(2.763769, 10)).toBeCloseTo(0.01, 5);
    expect(studentTUpperTail(-2, 5)).toBeCloseTo(1 - 0.050969739, 6);
    expect(studentTUpperTail(1.959964, Infinity)).toBeCloseTo(0.025, 5);
    expect(regularizedBeta(0.5, 2, 3)).toBeCloseTo(0.6875, 10);
  });

  it('inverts the t distribution for confidence intervals', () => {
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(2.776445, 4);
    expect(confidenceHalfWidth95(summarize([1, 2, 3, 4, 5]))).toBeCloseTo((2.776445 * Math.sqrt(2.5)) / Math.sqrt(5), 4);
  });

  it('runs a one-sided Welch test in the better direction', () => {
    const minimize = -1 as const;
    const clear = welchOneSided({ values: [1.0, 1.1, 0.9, 1.05] }, { values: [2.0, 2.1, 1.9, 2.05] }, minimize);
    expect(clear.improvement).toBeCloseTo(1, 10);
    expect(clear.pValue).toBeLessThan(1e-4);
    const noise = welchOneSided({ values: [2.0, 2.2, 1.8] }, { values: [2.1, 1.9, 2.0] }, minimize);
    expect(noise.pValue).toBeGreaterThan(0.2);
    const effect = welchOneSided({ values: [1.0, 1.1, 0.9, 1.05] }, { values: [2.0, 2.1, 1.9, 2.05] }, minimize, 2);
    expect(effect.pValue).toBeGreaterThan(0.99);
  });

  it('falls back to the calibrated noise for single measurements', () => {
    const single = welchOneSided({ values: [1.5], fallbackStd: 0.1, fallbackDf: 4 }, { values: [2.0, 2.1, 1.9, 2.0, 2.0] }, -1);
    expect(single.hasVariance).toBe(true);
    expect(single.pValue).toBeLessThan(0.01);
    const none = welchOneSided({ values: [1.5] }, { values: [2.0] }, -1);
    expect(none).toMatchObject({ hasVariance: false, pValue: 0 });
  });
});
