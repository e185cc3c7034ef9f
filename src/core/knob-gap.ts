/** One knob's part of `knobDistance` (lineage-failures.ts). Pure. */

/**
 * How far apart one knob's two values are: the relative difference of two numbers, else
 * 1 when they differ (a value missing on one side differs) and 0 when equal.
 *
 * @example knobGap(0.02, 0.04) // 0.5
 * @example knobGap('gelu', undefined) // 1
 */
export function knobGap(x: string | number | boolean | undefined, y: string | number | boolean | undefined): number {
  if (typeof x === 'number' && typeof y === 'number') return Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-12);
  return x !== y ? 1 : 0;
}
