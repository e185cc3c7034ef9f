/**
 * A small random forest of regression trees (CART: each split minimises the squared
 * error of its two sides), over points of the unit hypercube. Each tree is grown on a
 * bootstrap sample; every feature is tried at every split (as scikit-learn's default
 * `max_features=1.0`, which Optuna's fANOVA uses). Pure and deterministic for a seed.
 *
 * Growing keeps, per node, the node's samples sorted along every feature (sorted once
 * per tree, then partitioned stably), so a tree costs O(samples × features × depth).
 */
import { seededRandom } from '../core/random.ts';

/** A node of a fitted tree: a leaf with its mean, or a split `x[feature] <= threshold`. */
export type TreeNode =
  | { kind: 'leaf'; value: number; samples: number }
  | { kind: 'split'; feature: number; threshold: number; left: TreeNode; right: TreeNode; samples: number };

export interface ForestOptions {
  /** Trees in the forest (default 64, as Optuna's fANOVA). */
  trees?: number;
  /** Deepest split (default 64). */
  maxDepth?: number;
  /** Fewest samples a leaf may hold (default 1). */
  minSamplesLeaf?: number;
  /** Each tree's bootstrap draws at most this many samples (default: all of them, up to 2000). */
  maxSamples?: number;
  seed?: number;
}

/**
 * Fits a forest to points `x` (each a vector in [0, 1]^d) and targets `y`.
 *
 * @example
 * const forest = fitForest([[0.1], [0.2], [0.8], [0.9]], [1, 1, 5, 5], { trees: 8, seed: 1 });
 * predictTree(forest[0]!, [0.85]); // 5
 */
export function fitForest(x: readonly (readonly number[])[], y: readonly number[], options: ForestOptions = {}): TreeNode[] {
  if (x.length !== y.length) throw new RangeError(`fitForest: ${x.length} points but ${y.length} targets`);
  if (x.length === 0) return [];
  const random = seededRandom(options.seed ?? 1);
  const trees = options.trees ?? 64;
  const draws = Math.min(x.length, options.maxSamples ?? 2000);
  const settings = { maxDepth: options.maxDepth ?? 64, minLeaf: Math.max(1, options.minSamplesLeaf ?? 1) };
  const forest: TreeNode[] = [];
  for (let t = 0; t < trees; t++) {
    const sample = new Int32Array(draws);
    for (let i = 0; i < draws; i++) sample[i] = Math.floor(random() * x.length);
    forest.push(growTree(x, y, sample, settings));
  }
  return forest;
}

/** The prediction of one tree at `point`. */
export function predictTree(tree: TreeNode, point: readonly number[]): number {
  let node = tree;
  while (node.kind === 'split') node = (point[node.feature] as number) <= node.threshold ? node.left : node.right;
  return node.value;
}

interface GrowSettings {
  maxDepth: number;
  minLeaf: number;
}

/** Grows one tree on the rows `sample` (indices into x/y, repeats allowed). */
function growTree(x: readonly (readonly number[])[], y: readonly number[], sample: Int32Array, settings: GrowSettings): TreeNode {
  const n = sample.length;
  const features = x[0]!.length;
  // Column-major copies of the sample: values[f][i] and targets[i] for position i.
  const values = Array.from({ length: features }, (_, f) => Float64Array.from(sample, (row) => x[row]![f] as number));
  const targets = Float64Array.from(sample, (row) => y[row] as number);
  const orders = values.map((column) => Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => (column[a] as number) - (column[b] as number)));
  const goesLeft = new Uint8Array(n);
  return grow(orders, 0);

  function grow(sorted: Int32Array[], depth: number): TreeNode {
    const count = sorted[0]!.length;
    let sum = 0;
    let sumSquares = 0;
    for (const i of sorted[0]!) {
      const t = targets[i] as number;
      sum += t;
      sumSquares += t * t;
    }
    const mean = sum / count;
    const leaf: TreeNode = { kind: 'leaf', value: mean, samples: count };
    if (depth >= settings.maxDepth || count < 2 * settings.minLeaf || sumSquares - sum * mean <= 1e-12 * Math.max(1, sumSquares)) return leaf;
    const best = bestSplit(sorted, sum, count);
    if (best === null) return leaf;
    const column = values[best.feature]!;
    for (const i of sorted[0]!) goesLeft[i] = (column[i] as number) <= best.threshold ? 1 : 0;
    const left: Int32Array[] = [];
    const right: Int32Array[] = [];
    for (const order of sorted) {
      const l = new Int32Array(best.leftCount);
      const r = new Int32Array(count - best.leftCount);
      let li = 0;
      let ri = 0;
      for (const i of order) {
        if (goesLeft[i] === 1) l[li++] = i;
        else r[ri++] = i;
      }
      left.push(l);
      right.push(r);
    }
    return { kind: 'split', feature: best.feature, threshold: best.threshold, left: grow(left, depth + 1), right: grow(right, depth + 1), samples: count };
  }

  /** The split with the largest drop in squared error, or null when no split separates values. */
  function bestSplit(sorted: Int32Array[], total: number, count: number): { feature: number; threshold: number; leftCount: number } | null {
    let best: { feature: number; threshold: number; leftCount: number } | null = null;
    let bestScore = (total * total) / count + 1e-12 * Math.abs(total);
    for (let f = 0; f < features; f++) {
      const order = sorted[f]!;
      const column = values[f]!;
      let leftSum = 0;
      for (let k = 0; k < count - 1; k++) {
        const i = order[k]!;
        leftSum += targets[i] as number;
        const leftCount = k + 1;
        if (leftCount < settings.minLeaf || count - leftCount < settings.minLeaf) continue;
        const here = column[i] as number;
        const next = column[order[k + 1]!] as number;
        if (next <= here) continue; // no threshold between equal values
        // Maximising sumL²/nL + sumR²/nR is minimising the squared error of both sides.
        const rightSum = total - leftSum;
        const score = (leftSum * leftSum) / leftCount + (rightSum * rightSum) / (count - leftCount);
        if (score > bestScore) {
          bestScore = score;
          best = { feature: f, threshold: (here + next) / 2, leftCount };
        }
      }
    }
    return best;
  }
}
