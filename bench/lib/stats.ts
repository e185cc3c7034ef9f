/**
 * Order statistics the benchmarks print.
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2.5, as numpy.quantile gives
 * percentile([5, 1, 3], 0.95); // 5
 */

/** The q-quantile with linear interpolation between order statistics (numpy's default); NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** The value at rank ⌊n·p⌋ of the sorted values (the last one at most): a measured sample, never interpolated; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}
