import { describe, expect, it } from 'vitest';
import { crowdingDistances, dominates, entersFront, nonDominatedSort, paretoFront, toLosses, updateFront, type FrontMember } from './pareto.ts';
import type { Objective } from './task.ts';

const minMin: Objective[] = [{ metric: 'bpb', direction: 'minimize' }, { metric: 'bytes', direction: 'minimize' }];
const minMax: Objective[] = [{ metric: 'loss', direction: 'minimize' }, { metric: 'accuracy', direction: 'maximize' }];

describe('dominance', () => {
  it('follows each objective\'s direction', () => {
    expect(dominates(minMin, [1, 1], [2, 2])).toBe(true);
    expect(dominates(minMin, [1, 2], [2, 1])).toBe(false);
    expect(dominates(minMax, [1, 0.9], [2, 0.8])).toBe(true);
    expect(dominates(minMax, [1, 0.8], [2, 0.9])).toBe(false);
    expect(toLosses(minMax, [1, 0.9])).toEqual([1, -0.9]);
  });

  it('equal vectors do not dominate each other; better in one and equal elsewhere does', () => {
    expect(dominates(minMin, [1, 1], [1, 1])).toBe(false);
    expect(dominates(minMin, [1, 1], [1, 2])).toBe(true);
  });
});

describe('the front', () => {
  const members: FrontMember[] = [
    { id: 1, values: [3, 3] },
    { id: 2, values: [1, 5] },
    { id: 3, values: [2, 2] },
    { id: 4, values: [2, 2] },
    { id: 5, values: [5, 1] },
    { id: 6, values: [2, Number.NaN] },
  ];

  it('keeps the non-dominated members, the oldest of duplicates, no non-finite values', () => {
    expect(paretoFront(minMin, members).map((member) => member.id)).toEqual([2, 3, 5]);
  });

  it('admits a candidate no member weakly dominates', () => {
    const front = paretoFront(minMin, members);
    expect(entersFront(minMin, front, [1.5, 3])).toBe(true);
    expect(entersFront(minMin, front, [2, 2])).toBe(false); // a duplicate adds nothing
    expect(entersFront(minMin, front, [2, 3])).toBe(false);
    expect(entersFront(minMin, front, [Number.POSITIVE_INFINITY, 0])).toBe(false);
    expect(entersFront(minMin, [], [7, 7])).toBe(true);
  });

  it('honours margins per objective', () => {
    const front = [{ id: 1, values: [2, 2] }];
    expect(entersFront(minMin, front, [1.95, 2.5], [0.1, 0])).toBe(false);
    expect(entersFront(minMin, front, [1.8, 2.5], [0.1, 0])).toBe(true);
  });

  it('updates: dominated members leave, trade-offs stay', () => {
    let front: FrontMember[] = [];
    for (const member of members) front = updateFront(minMin, front, member);
    expect(front.map((member) => member.id).sort()).toEqual([2, 3, 5]);
    front = updateFront(minMin, front, { id: 7, values: [1, 1] });
    expect(front.map((member) => member.id)).toEqual([7]);
  });
});

describe('non-dominated sorting and crowding', () => {
  it('ranks fronts in order', () => {
    const losses = [[1, 5], [2, 2], [3, 3], [5, 1], [4, 4], [6, 6]];
    expect(nonDominatedSort(losses)).toEqual([[0, 1, 3], [2], [4], [5]]);
  });

  it('puts ties in the same rank', () => {
    expect(nonDominatedSort([[1, 1], [1, 1], [2, 2]])).toEqual([[0, 1], [2]]);
  });

  it('gives the extremes infinite distance', () => {
    const distances = crowdingDistances([[0, 4], [1, 2], [2, 1.5], [4, 0]]);
    expect(distances[0]).toBe(Infinity);
    expect(distances[3]).toBe(Infinity);
    expect(distances[1]).toBeCloseTo(2 / 4 + 2.5 / 4, 12);
    expect(distances[2]).toBeCloseTo(3 / 4 + 2 / 4, 12);
  });
});
