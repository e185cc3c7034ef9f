/**
 * Entries kept in ascending order of their id (the first element of each entry), updated
 * in place: an upsert or a removal costs a binary search and a move of the entries after
 * it, which for a study's newest trials (the ones that change) is a few entries. The
 * incremental views hold their plotted marks this way, so a write does not sort a study.
 */
export class IdOrdered<T extends readonly [number, ...unknown[]]> {
  /** The entries, ascending by id (read-only to callers). */
  readonly entries: T[] = [];

  /**
   * Puts `entry` in its place (replacing one with its id).
   *
   * @example const marks = new IdOrdered<[number, string]>(); marks.upsert([4, 'crash']); marks.entries; // [[4, 'crash']]
   */
  upsert(entry: T): void {
    const at = this.indexOf(entry[0]);
    if (at < this.entries.length && this.entries[at]![0] === entry[0]) this.entries[at] = entry;
    else if (at === this.entries.length) this.entries.push(entry);
    else this.entries.splice(at, 0, entry);
  }

  /** Removes the entry of `id`; true when there was one. */
  remove(id: number): boolean {
    const at = this.indexOf(id);
    if (at >= this.entries.length || this.entries[at]![0] !== id) return false;
    if (at === this.entries.length - 1) this.entries.pop();
    else this.entries.splice(at, 1);
    return true;
  }

  get size(): number {
    return this.entries.length;
  }

  /** The index of `id`, or where it would go. */
  private indexOf(id: number): number {
    const entries = this.entries;
    if (entries.length === 0 || entries[entries.length - 1]![0] < id) return entries.length;
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (entries[mid]![0] < id) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
