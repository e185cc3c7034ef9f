/**
 * The exact hypervolume of a set of loss vectors (lower is better) against a reference
 * point: the volume of the region they dominate and the reference point bounds. Two
 * objectives by a sweep (O(n log n)); more by slicing along the last objective down to
 * the two-objective sweep (O(n^(d-1) log n); exact, fine for the fronts of a study).
 */

/**
 * The hypervolume dominated by `points` and bounded by `reference` (losses; a point that
 * is not strictly better than the reference in every objective adds nothing).
 *
 * @example
 * hypervolume([[1, 2], [2, 1]], [3, 3]); // 3
 * hypervolume([[0, 0, 0]], [1, 1, 1]); // 1
 */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const inside = points.filter((point) => point.length === reference.length && point.every((value, index) => Number.isFinite(value) && value < (reference[index] as number)));
  if (inside.length === 0) return 0;
  return volume(inside, reference);
}

function volume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const dimensions = reference.length;
  if (dimensions === 1) return (reference[0] as number) - Math.min(...points.map((point) => point[0] as number));
  if (dimensions === 2) return sweep2d(points, reference);
  const last = dimensions - 1;
  const sorted = [...points].sort((a, b) => (a[last] as number) - (b[last] as number));
  const lowerReference = reference.slice(0, last);
  let total = 0;
  for (let index = 0; index < sorted.length; index += 1) {
    const top = index + 1 < sorted.length ? (sorted[index + 1]![last] as number) : (reference[last] as number);
    const height = top - (sorted[index]![last] as number);
    if (height <= 0) continue;
    const slice = sorted.slice(0, index + 1).map((point) => point.slice(0, last));
    total += volume(nonDominatedOnly(slice), lowerReference) * height;
  }
  return total;
}

function sweep2d(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const sorted = [...points].sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  let total = 0;
  let lowestY = reference[1] as number;
  for (const point of sorted) {
    const y = point[1] as number;
    if (y < lowestY) {
      total += ((reference[0] as number) - (point[0] as number)) * (lowestY - y);
      lowestY = y;
    }
  }
  return total;
}

/** Drops points weakly dominated by another (keeps one of equal points): fewer slices to sum. */
function nonDominatedOnly(points: readonly (readonly number[])[]): (readonly number[])[] {
  return points.filter((point, index) =>
    !points.some((other, otherIndex) => otherIndex !== index && other.every((value, k) => value <= (point[k] as number)) && (other.some((value, k) => value < (point[k] as number)) || otherIndex < index)),
  );
}

/**
 * Each point's exclusive contribution: the hypervolume lost when it alone is removed
 * (0 for a dominated point or one outside the reference box).
 *
 * @example
 * hypervolumeContributions([[1, 2], [2, 1]], [3, 3]); // [1, 1]
 */
export function hypervolumeContributions(points: readonly (readonly number[])[], reference: readonly number[]): number[] {
  const total = hypervolume(points, reference);
  return points.map((_, index) => total - hypervolume(points.filter((__, other) => other !== index), reference));
}

/**
 * A reference point for loss vectors with no declared one: the worst value of each
 * objective, pushed out by `slack` times its range (or by `slack` in absolute terms when
 * the range is 0), as Optuna's MOTPE does.
 */
export function nadirReference(points: readonly (readonly number[])[], slack = 0.1): number[] {
  if (points.length === 0) return [];
  const dimensions = points[0]!.length;
  return Array.from({ length: dimensions }, (_, k) => {
    const values = points.map((point) => point[k] as number).filter((value) => Number.isFinite(value));
    if (values.length === 0) return 0;
    const worst = Math.max(...values);
    const best = Math.min(...values);
    const range = worst - best;
    return worst + (range > 0 ? range * slack : Math.max(Math.abs(worst) * slack, slack));
  });
}
