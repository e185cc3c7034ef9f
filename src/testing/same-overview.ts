import { expect } from 'vitest';
import type { StudyOverview } from '../views/overview.ts';

/**
 * Asserts two overviews are the same: sums (cost, compute, payoff per hour), which another
 * computation adds in another order, compared to 9 and 6 digits; everything else exactly.
 *
 * @example
 * expectSameOverview(tracker.overview(input), buildOverview(input));
 */
export function expectSameOverview(actual: StudyOverview, expected: StudyOverview): void {
  expect(actual.costUsd).toBeCloseTo(expected.costUsd, 9);
  expect(actual.computeMs).toBeCloseTo(expected.computeMs, 6);
  expect(actual.specialists.length).toBe(expected.specialists.length);
  actual.specialists.forEach((row, index) => {
    const other = expected.specialists[index]!;
    expect(row.costUsd).toBeCloseTo(other.costUsd, 9);
    expect(row.computeMs).toBeCloseTo(other.computeMs, 6);
    if (row.payoffPerHour !== null) expect(row.payoffPerHour).toBeCloseTo(other.payoffPerHour!, 6);
    expect({ ...row, costUsd: 0, computeMs: 0, payoffPerHour: null }).toEqual({ ...other, costUsd: 0, computeMs: 0, payoffPerHour: null });
  });
  expect({ ...actual, costUsd: 0, computeMs: 0, specialists: [] }).toEqual({ ...expected, costUsd: 0, computeMs: 0, specialists: [] });
}
