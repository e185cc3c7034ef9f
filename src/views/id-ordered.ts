/**
 * Entries kept in ascending order of their id (the first element of each entry), updated
 * in place: an upsert or a removal costs a binary search and a move of the entries after
 * it, which for a study's newest trials (the ones that change) is a few entries. The
 * incremental views hold their plotted marks this way, so a write does not sort a study.
 * Held in columns (one array per position of the entry: ids, scores, labels), not an
 * array per entry: a score is 8 bytes in a number array, not a tuple of its own.
 */
export class IdOrdered<T extends readonly [number, ...unknown[]]> {
  private readonly ids: number[] = [];
  /** The entries' other positions, one array each (made at the first upsert). */
  private rest: unknown[][] = [];

  /**
   * Puts `entry` in its place (replacing one with its id).
   *
   * @example const marks = new IdOrdered<[number, string]>(); marks.upsert([4, 'crash']); marks.entries(); // [[4, 'crash']]
   */
  upsert(entry: T): void {
    if (this.rest.length < entry.length - 1) this.rest = Array.from({ length: entry.length - 1 }, (_, k) => this.rest[k] ?? []);
    const id = entry[0];
    const at = this.indexOf(id);
    if (at < this.ids.length && this.ids[at] === id) {
      for (let k = 0; k < this.rest.length; k++) this.rest[k]![at] = entry[k + 1];
    } else if (at === this.ids.length) {
      this.ids.push(id);
      for (let k = 0; k < this.rest.length; k++) this.rest[k]!.push(entry[k + 1]);
    } else {
      this.ids.splice(at, 0, id);
      for (let k = 0; k < this.rest.length; k++) this.rest[k]!.splice(at, 0, entry[k + 1]);
    }
  }

  /** Removes the entry of `id`; true when there was one. */
  remove(id: number): boolean {
    const at = this.indexOf(id);
    if (at >= this.ids.length || this.ids[at] !== id) return false;
    this.ids.splice(at, 1);
    for (const column of this.rest) column.splice(at, 1);
    return true;
  }

  get size(): number {
    return this.ids.length;
  }

  /** The id of the entry at `index` (in id order). */
  idAt(index: number): number {
    return this.ids[index]!;
  }

  /** The entry at `index` (a new tuple). */
  at(index: number): T {
    const entry: unknown[] = [this.ids[index]!];
    for (const column of this.rest) entry.push(column[index]);
    return entry as unknown as T;
  }

  /** Every entry in id order (new tuples, made for this call). */
  entries(): T[] {
    const out = new Array<T>(this.ids.length);
    for (let i = 0; i < out.length; i++) out[i] = this.at(i);
    return out;
  }

  /** The ids in order (a copy). */
  idList(): number[] {
    return this.ids.slice();
  }

  /** The index of `id`, or where it would go. */
  private indexOf(id: number): number {
    const ids = this.ids;
    if (ids.length === 0 || ids[ids.length - 1]! < id) return ids.length;
    let low = 0;
    let high = ids.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (ids[mid]! < id) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
