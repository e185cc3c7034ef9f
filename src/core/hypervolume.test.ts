import { describe, expect, it } from 'vitest';
import { hypervolume, hypervolumeContributions, nadirReference } from './hypervolume.ts';
import { seededRandom } from './random.ts';

/** Monte Carlo estimate, to check the exact algorithm on random sets. */
function monteCarlo(points: number[][], reference: number[], samples: number, random: () => number): number {
  let inside = 0;
  for (let s = 0; s < samples; s += 1) {
    const x = reference.map((r) => random() * r);
    if (points.some((point) => point.every((value, k) => value <= x[k]!))) inside += 1;
  }
  return (inside / samples) * reference.reduce((product, r) => product * r, 1);
}

describe('hypervolume', () => {
  it('knows the two-objective values by hand', () => {
    expect(hypervolume([[1, 2], [2, 1]], [3, 3])).toBe(3);
    expect(hypervolume([[1, 1]], [3, 3])).toBe(4);
    expect(hypervolume([[1, 1], [2, 2], [1, 1]], [3, 3])).toBe(4);
    expect(hypervolume([[0, 3], [1, 2], [2, 1], [3, 0]], [4, 4])).toBe(10);
    expect(hypervolume([], [1, 1])).toBe(0);
  });

  it('ignores points outside the reference box', () => {
    expect(hypervolume([[5, 0], [0, 5], [1, 1]], [3, 3])).toBe(4);
    expect(hypervolume([[3, 1]], [3, 3])).toBe(0);
    expect(hypervolume([[Number.NaN, 1]], [3, 3])).toBe(0);
  });

  it('knows the three-objective values by hand', () => {
    expect(hypervolume([[0, 0, 0]], [1, 1, 1])).toBe(1);
    // three unit corners of a 2-cube: 3 boxes of volume 2*2*1 minus overlaps = 8 - 1 = 7
    expect(hypervolume([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [2, 2, 2])).toBe(7);
    expect(hypervolume([[1, 1, 1], [0.5, 1.5, 1.5]], [2, 2, 2])).toBeCloseTo(1 + 0.5 * 0.5 * 0.5, 12);
  });

  it('matches the known hypervolume of the exact ZDT1 front', () => {
    // f2 = 1 - sqrt(f1) on [0, 1], reference (1, 1): integral of sqrt(f1) = 2/3
    const points = Array.from({ length: 2001 }, (_, i) => [i / 2000, 1 - Math.sqrt(i / 2000)]);
    expect(hypervolume(points, [1, 1])).toBeCloseTo(2 / 3, 3);
  });

  it('matches Monte Carlo on random three- and four-objective sets', () => {
    const random = seededRandom(7);
    for (const dimensions of [3, 4]) {
      const points = Array.from({ length: 12 }, () => Array.from({ length: dimensions }, () => random()));
      const reference = new Array(dimensions).fill(1.2);
      const estimate = monteCarlo(points, reference, 200_000, random);
      expect(hypervolume(points, reference)).toBeCloseTo(estimate, 1);
    }
  });

  it('measures the DTLZ2 octant sphere from inside', () => {
    // points on the unit sphere's positive octant, reference (1,1,1): volume of the cube minus the ball's octant -> 1 - pi/6
    const points: number[][] = [];
    const steps = 40;
    for (let i = 0; i <= steps; i += 1) {
      for (let j = 0; j <= steps; j += 1) {
        const theta = (i / steps) * (Math.PI / 2);
        const phi = (j / steps) * (Math.PI / 2);
        points.push([Math.cos(theta) * Math.cos(phi), Math.cos(theta) * Math.sin(phi), Math.sin(theta)]);
      }
    }
    const value = hypervolume(points, [1, 1, 1]);
    expect(value).toBeLessThan(1 - Math.PI / 6);
    expect(value).toBeGreaterThan(1 - Math.PI / 6 - 0.03);
  });

  it('gives exclusive contributions', () => {
    expect(hypervolumeContributions([[1, 2], [2, 1]], [3, 3])).toEqual([1, 1]);
    expect(hypervolumeContributions([[1, 1], [2, 2]], [3, 3])).toEqual([3, 0]);
  });

  it('pushes a nadir reference out', () => {
    expect(nadirReference([[0, 10], [1, 20]])).toEqual([1.1, 21]);
    expect(nadirReference([[2, 2]], 0.1)).toEqual([2.2, 2.2]);
  });
});
