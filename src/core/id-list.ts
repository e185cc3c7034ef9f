/**
 * An ascending list of trial ids in typed-array chunks: 4 bytes an id (a `number[]` of
 * them took 8, and more as it grew; chunks leave no garbage when it grows), for the lists a
 * lineage index keeps of every trial of a study (all ids, each specialist's, each failure
 * signature's). Pure: no I/O.
 */
import { ChunkedArray } from './chunked-array.ts';

/** The largest id a list holds (ids are int32). */
const MAX_ID = 0x7fffffff;

/**
 * @example
 * const ids = new IdList();
 * ids.insert(4); ids.insert(9); ids.insert(7);
 * ids.slice(-2); // [7, 9]
 * ids.upperBound(7); // 2: where an 8 would go
 */
export class IdList implements Iterable<number> {
  private readonly items = new ChunkedArray((n) => new Int32Array(n));
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** The id at `index` (negative: from the end), else undefined. */
  at(index: number): number | undefined {
    const at = index < 0 ? this.count + index : index;
    return at >= 0 && at < this.count ? this.items.get(at) : undefined;
  }

  /** Inserts `id` in order (after equal ones); at the end, in the usual case. */
  insert(id: number): void {
    if (!Number.isInteger(id) || id < -MAX_ID - 1 || id > MAX_ID) throw new RangeError(`an id must be an int32, got ${id}`);
    const at = this.count === 0 || this.items.get(this.count - 1) <= id ? this.count : this.upperBound(id);
    // Out of order ids land near the end: few to move.
    for (let i = this.count; i > at; i--) this.items.set(i, this.items.get(i - 1));
    this.items.set(at, id);
    this.count++;
  }

  /** How many ids are at most `id`: where `id` would go after equal ones. */
  upperBound(id: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.items.get(mid) <= id) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The index of `id`, else -1. */
  indexOf(id: number): number {
    const at = this.upperBound(id) - 1;
    return at >= 0 && this.items.get(at) === id ? at : -1;
  }

  has(id: number): boolean {
    return this.indexOf(id) >= 0;
  }

  removeAt(index: number): void {
    if (index < 0 || index >= this.count) return;
    for (let i = index; i < this.count - 1; i++) this.items.set(i, this.items.get(i + 1));
    this.count--;
  }

  /** The ids from `start` to before `end` (negative: from the end), as `Array.prototype.slice`. */
  slice(start = 0, end = this.count): number[] {
    const from = start < 0 ? Math.max(0, this.count + start) : Math.min(start, this.count);
    const to = end < 0 ? Math.max(0, this.count + end) : Math.min(end, this.count);
    const ids: number[] = [];
    for (let i = from; i < to; i++) ids.push(this.items.get(i));
    return ids;
  }

  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.count; i++) yield this.items.get(i);
  }
}
