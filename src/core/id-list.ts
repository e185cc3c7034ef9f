/**
 * An ascending list of trial ids in one typed array: 4 bytes an id (a `number[]` of them
 * took 8, and more as it grew), for the lists a lineage index keeps of every trial of a
 * study (all ids, each specialist's, each failure signature's). Pure: no I/O.
 */

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
  private items = new Int32Array(8);
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** The id at `index` (negative: from the end), else undefined. */
  at(index: number): number | undefined {
    const at = index < 0 ? this.count + index : index;
    return at >= 0 && at < this.count ? this.items[at] : undefined;
  }

  /** Inserts `id` in order (after equal ones); at the end, in the usual case. */
  insert(id: number): void {
    if (!Number.isInteger(id) || id < -MAX_ID - 1 || id > MAX_ID) throw new RangeError(`an id must be an int32, got ${id}`);
    if (this.count === this.items.length) {
      const grown = new Int32Array(Math.ceil(this.items.length * 1.5) + 8);
      grown.set(this.items);
      this.items = grown;
    }
    const at = this.count === 0 || this.items[this.count - 1]! <= id ? this.count : this.upperBound(id);
    this.items.copyWithin(at + 1, at, this.count);
    this.items[at] = id;
    this.count++;
  }

  /** How many ids are at most `id`: where `id` would go after equal ones. */
  upperBound(id: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.items[mid]! <= id) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The index of `id`, else -1. */
  indexOf(id: number): number {
    const at = this.upperBound(id) - 1;
    return at >= 0 && this.items[at] === id ? at : -1;
  }

  has(id: number): boolean {
    return this.indexOf(id) >= 0;
  }

  removeAt(index: number): void {
    if (index < 0 || index >= this.count) return;
    this.items.copyWithin(index, index + 1, this.count);
    this.count--;
  }

  /** The ids from `start` to before `end` (negative: from the end), as `Array.prototype.slice`. */
  slice(start = 0, end = this.count): number[] {
    const from = start < 0 ? Math.max(0, this.count + start) : Math.min(start, this.count);
    const to = end < 0 ? Math.max(0, this.count + end) : Math.min(end, this.count);
    return from < to ? Array.from(this.items.subarray(from, to)) : [];
  }

  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.count; i++) yield this.items[i]!;
  }
}
