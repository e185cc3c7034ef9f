/**
 * Pareto dominance and the front of a multi-objective study. Objective values are turned
 * into losses (lower is better: `maximize` objectives negated) before they are compared,
 * so every rule here is written once for minimisation.
 */
import type { Objective } from './task.ts';

/** One trial's objective values, in the order of the task's `objectives`. */
export type ObjectiveVector = readonly number[];

/**
 * The losses of a vector of objective values: minimised objectives as they are,
 * maximised ones negated.
 *
 * @example
 * toLosses([{ metric: 'loss', direction: 'minimize' }, { metric: 'acc', direction: 'maximize' }], [0.3, 0.9]); // [0.3, -0.9]
 */
export function toLosses(objectives: readonly Objective[], values: ObjectiveVector): number[] {
  return objectives.map((objective, index) => (objective.direction === 'maximize' ? -(values[index] as number) : (values[index] as number)));
}

/**
 * True when loss vector `a` dominates `b`: no worse in every objective and strictly better
 * in at least one. Equal vectors do not dominate each other.
 */
export function dominatesLosses(a: readonly number[], b: readonly number[]): boolean {
  let strictly = false;
  for (let index = 0; index < a.length; index += 1) {
    const x = a[index] as number;
    const y = b[index] as number;
    if (x > y) return false;
    if (x < y) strictly = true;
  }
  return strictly;
}

/** True when loss vector `a` weakly dominates `b`: no worse in every objective (equal vectors included). */
export function weaklyDominatesLosses(a: readonly number[], b: readonly number[]): boolean {
  for (let index = 0; index < a.length; index += 1) if ((a[index] as number) > (b[index] as number)) return false;
  return true;
}

/**
 * True when the objective values `a` dominate `b` under the objectives' directions.
 *
 * @example
 * const objectives = [{ metric: 'bpb', direction: 'minimize' }, { metric: 'bytes', direction: 'minimize' }] as const;
 * dominates(objectives, [1.1, 900], [1.2, 900]); // true
 * dominates(objectives, [1.1, 950], [1.2, 900]); // false: a trade-off
 */
export function dominates(objectives: readonly Objective[], a: ObjectiveVector, b: ObjectiveVector): boolean {
  return dominatesLosses(toLosses(objectives, a), toLosses(objectives, b));
}

/** A member of a front: an identifier (the trial number) and its objective values. */
export interface FrontMember {
  id: number;
  values: ObjectiveVector;
}

/**
 * The non-dominated members of `members` (the Pareto front), in their given order.
 * Ties: members with identical vectors are duplicates; only the first (the oldest, when
 * members come in trial order) stays, as a single-objective study keeps the first trial
 * to reach a score. Members with a non-finite value never belong to the front.
 *
 * @example
 * paretoFront(objectives, [{ id: 1, values: [1, 5] }, { id: 2, values: [2, 2] }, { id: 3, values: [3, 3] }]); // ids 1 and 2
 */
export function paretoFront<T extends FrontMember>(objectives: readonly Objective[], members: readonly T[]): T[] {
  const candidates = members.filter((member) => member.values.length === objectives.length && member.values.every((value) => Number.isFinite(value)));
  const losses = candidates.map((member) => toLosses(objectives, member.values));
  return candidates.filter((_, index) => {
    const mine = losses[index] as number[];
    return losses.every((other, otherIndex) => {
      if (otherIndex === index) return true;
      if (dominatesLosses(other, mine)) return false;
      // an earlier identical vector keeps its place; a later duplicate leaves
      return !(otherIndex < index && weaklyDominatesLosses(other, mine) && weaklyDominatesLosses(mine, other));
    });
  });
}

/**
 * Whether `candidate` enters the front: no member weakly dominates it (a duplicate of a
 * member's vector adds nothing and stays out, as an equal score is not a new incumbent).
 * `margins` (per objective, in its units, default 0) make a member block candidates that
 * beat it by no more than the margin everywhere.
 */
export function entersFront(objectives: readonly Objective[], front: readonly FrontMember[], candidate: ObjectiveVector, margins: readonly number[] = []): boolean {
  if (candidate.length !== objectives.length || !candidate.every((value) => Number.isFinite(value))) return false;
  const mine = toLosses(objectives, candidate);
  return !front.some((member) => {
    const theirs = toLosses(objectives, member.values);
    return theirs.every((loss, index) => mine[index]! >= loss - (margins[index] ?? 0));
  });
}

/**
 * The front after `candidate` is admitted: members it dominates leave, and it joins when
 * {@link entersFront} says so; otherwise the front is returned unchanged.
 *
 * @example
 * let front: FrontMember[] = [];
 * front = updateFront(objectives, front, { id: 1, values: [1, 5] });
 */
export function updateFront<T extends FrontMember>(objectives: readonly Objective[], front: readonly T[], candidate: T, margins: readonly number[] = []): T[] {
  if (!entersFront(objectives, front, candidate.values, margins)) return [...front];
  const mine = toLosses(objectives, candidate.values);
  return [...front.filter((member) => !dominatesLosses(mine, toLosses(objectives, member.values))), candidate];
}

/**
 * Fast non-dominated sorting (Deb et al. 2002) of loss vectors: rank 0 is the front, rank
 * 1 the front of what is left, and so on. Returns the indices of each rank.
 */
export function nonDominatedSort(losses: readonly (readonly number[])[]): number[][] {
  const count = losses.length;
  const dominatedBy: number[][] = losses.map(() => []);
  const dominationCount = new Array<number>(count).fill(0);
  const ranks: number[][] = [[]];
  for (let i = 0; i < count; i += 1) {
    for (let j = i + 1; j < count; j += 1) {
      if (dominatesLosses(losses[i]!, losses[j]!)) {
        dominatedBy[i]!.push(j);
        dominationCount[j]! += 1;
      } else if (dominatesLosses(losses[j]!, losses[i]!)) {
        dominatedBy[j]!.push(i);
        dominationCount[i]! += 1;
      }
    }
    if (dominationCount[i] === 0) ranks[0]!.push(i);
  }
  // dominationCount of earlier i may have changed after they were pushed: rebuild rank 0
  ranks[0] = [];
  for (let i = 0; i < count; i += 1) if (dominationCount[i] === 0) ranks[0].push(i);
  let current = ranks[0];
  while (current.length > 0) {
    const next: number[] = [];
    for (const i of current) {
      for (const j of dominatedBy[i]!) {
        dominationCount[j]! -= 1;
        if (dominationCount[j] === 0) next.push(j);
      }
    }
    if (next.length === 0) break;
    next.sort((a, b) => a - b);
    ranks.push(next);
    current = next;
  }
  return ranks.filter((rank) => rank.length > 0);
}

/**
 * Crowding distance (NSGA-II) of each loss vector within one rank: the sum over objectives
 * of the normalised gap between its neighbours; the extremes get Infinity.
 */
export function crowdingDistances(losses: readonly (readonly number[])[]): number[] {
  const count = losses.length;
  const distances = new Array<number>(count).fill(0);
  if (count === 0) return distances;
  const dimensions = losses[0]!.length;
  for (let k = 0; k < dimensions; k += 1) {
    const order = losses.map((_, index) => index).sort((a, b) => losses[a]![k]! - losses[b]![k]! || a - b);
    const low = losses[order[0]!]![k]!;
    const high = losses[order[count - 1]!]![k]!;
    distances[order[0]!] = Infinity;
    distances[order[count - 1]!] = Infinity;
    if (!(high > low)) continue;
    for (let position = 1; position < count - 1; position += 1) {
      const index = order[position]!;
      distances[index]! += (losses[order[position + 1]!]![k]! - losses[order[position - 1]!]![k]!) / (high - low);
    }
  }
  return distances;
}
