/**
 * Each trial's children, found without a list per trial: the child ids grouped by parent
 * in two typed arrays (offsets by parent id, then the children in id order), about 8
 * bytes a trial, built in one pass over the trials. The trial page asks for one trial's
 * children; a study of 100,000 trials held a map of arrays for that before.
 */
import type { TrialRecord } from '../core/trial.ts';

export class ChildrenIndex {
  private constructor(
    /** `children[offsets[p]..offsets[p + 1]]` are the children of trial p (null: ids too sparse, scan instead). */
    private readonly offsets: Int32Array | null,
    private readonly children: Int32Array,
    private readonly trials: readonly TrialRecord[],
  ) {}

  /**
   * @example const index = ChildrenIndex.of(snapshot.sorted()); index.childrenOf(12); // [14, 19]
   */
  static of(trials: readonly TrialRecord[]): ChildrenIndex {
    let maxId = -1;
    for (const trial of trials) maxId = Math.max(maxId, trial.id, trial.parent ?? -1);
    // Ids are a study's numbers from 0; a sparse set (a test's, a hand-edited store) is scanned instead.
    if (maxId > 4 * trials.length + 1_000) return new ChildrenIndex(null, new Int32Array(0), trials);
    const offsets = new Int32Array(maxId + 2);
    for (const trial of trials) if (trial.parent !== null && trial.parent >= 0) offsets[trial.parent + 1]! += 1;
    for (let i = 1; i < offsets.length; i++) offsets[i]! += offsets[i - 1]!;
    const children = new Int32Array(offsets[offsets.length - 1]!);
    const fill = offsets.slice(0, -1);
    for (const trial of trials) if (trial.parent !== null && trial.parent >= 0) children[fill[trial.parent]!++] = trial.id;
    return new ChildrenIndex(offsets, children, trials);
  }

  /** The ids of `id`'s children, in the order of the trials the index was built from. */
  childrenOf(id: number): number[] {
    if (this.offsets === null) return this.trials.filter((trial) => trial.parent === id).map((trial) => trial.id);
    if (id < 0 || id + 1 >= this.offsets.length) return [];
    return Array.from(this.children.subarray(this.offsets[id]!, this.offsets[id + 1]!));
  }
}
