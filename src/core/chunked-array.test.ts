import { describe, expect, it } from 'vitest';
import { ChunkedArray } from './chunked-array.ts';

describe('ChunkedArray', () => {
  it('holds values across chunk boundaries, grows by whole chunks, and reads 0 past its end', () => {
    const values = new ChunkedArray((n) => new Float64Array(n));
    expect(values.capacity).toBe(0);
    expect(values.get(5)).toBe(0);
    for (const index of [0, 8191, 8192, 20_000, 3]) values.set(index, index + 0.5);
    for (const index of [0, 8191, 8192, 20_000, 3]) expect(values.get(index)).toBe(index + 0.5);
    expect(values.capacity).toBe(3 * 8192);
    const list = new ChunkedArray((n) => new Int32Array(n));
    list.set(0, 7);
    expect(list.capacity).toBe(16);
    for (let i = 1; i < 100; i++) list.set(i, i * 3);
    expect(list.capacity).toBe(128);
    expect(list.get(0)).toBe(7);
    expect(list.get(99)).toBe(297);
    list.set(9000, 1);
    expect(list.capacity).toBe(2 * 8192);
    expect([list.get(0), list.get(99), list.get(9000)]).toEqual([7, 297, 1]);
    expect(values.get(8193)).toBe(0);
    expect(values.get(10 ** 6)).toBe(0);
    const small = new ChunkedArray((n) => new Uint8Array(n));
    small.set(1, 1);
    expect(small.get(1)).toBe(1);
  });
});
