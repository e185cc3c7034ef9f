/**
 * Functional ANOVA of a tree ensemble (Hutter, Hoos and Leyton-Brown, "An Efficient
 * Approach for Assessing Hyperparameter Importance", ICML 2014), the method behind
 * Optuna's default `FanovaImportanceEvaluator`.
 *
 * A regression tree is a piecewise constant function over the unit hypercube (every
 * feature uniform on [0, 1]). Its variance splits into the variance of each feature's
 * main effect (the prediction averaged over all other features, as a function of that
 * feature alone) plus interactions. A feature's importance is the fraction of the
 * tree's variance its main effect explains, averaged over the trees of the forest.
 */
import type { TreeNode } from './random-forest.ts';

/** One feature's importance: the mean fraction of variance and its spread over trees. */
export interface MainEffect {
  /** Mean over trees of V_feature / V_total (0..1). */
  fraction: number;
  /** Standard deviation of that fraction over the trees. */
  std: number;
}

interface Leaf {
  value: number;
  low: Float64Array;
  high: Float64Array;
  volume: number;
}

/** The leaves of a tree as boxes of the unit hypercube, with their volume. */
export function treeLeaves(tree: TreeNode, features: number): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (node: TreeNode, low: Float64Array, high: Float64Array): void => {
    if (node.kind === 'leaf') {
      let volume = 1;
      for (let f = 0; f < features; f++) volume *= Math.max(0, (high[f] as number) - (low[f] as number));
      if (volume > 0) leaves.push({ value: node.value, low, high, volume });
      return;
    }
    const leftHigh = Float64Array.from(high);
    leftHigh[node.feature] = Math.min(high[node.feature] as number, node.threshold);
    const rightLow = Float64Array.from(low);
    rightLow[node.feature] = Math.max(low[node.feature] as number, node.threshold);
    walk(node.left, low, leftHigh);
    walk(node.right, rightLow, high);
  };
  walk(tree, new Float64Array(features), new Float64Array(features).fill(1));
  return leaves;
}

/**
 * Each feature's main-effect variance fraction in one tree, or null when the tree is
 * constant (no variance to explain).
 *
 * @example
 * // A tree that splits feature 0 at 0.5: feature 0 explains everything, feature 1 nothing.
 * treeMainEffects({ kind: 'split', feature: 0, threshold: 0.5, samples: 2,
 *   left: { kind: 'leaf', value: 0, samples: 1 }, right: { kind: 'leaf', value: 1, samples: 1 } }, 2); // [1, 0]
 */
export function treeMainEffects(tree: TreeNode, features: number): number[] | null {
  const leaves = treeLeaves(tree, features);
  let mean = 0;
  for (const leaf of leaves) mean += leaf.volume * leaf.value;
  let total = 0;
  for (const leaf of leaves) total += leaf.volume * (leaf.value - mean) ** 2;
  if (!(total > 1e-15 * Math.max(1, mean * mean))) return null;
  const fractions: number[] = [];
  for (let f = 0; f < features; f++) {
    // The marginal of feature f is constant between cut points: each leaf adds
    // value × (its volume in the other features) over [low, high) of f. Sweep the cuts.
    const change = new Map<number, number>();
    for (const leaf of leaves) {
      const low = leaf.low[f] as number;
      const high = leaf.high[f] as number;
      const height = leaf.value * (leaf.volume / (high - low));
      change.set(low, (change.get(low) ?? 0) + height);
      change.set(high, (change.get(high) ?? 0) - height);
    }
    const cuts = [...change.keys()].sort((a, b) => a - b);
    let marginal = 0;
    let variance = 0;
    for (let k = 0; k + 1 < cuts.length; k++) {
      marginal += change.get(cuts[k] as number) as number;
      variance += ((cuts[k + 1] as number) - (cuts[k] as number)) * (marginal - mean) ** 2;
    }
    fractions.push(Math.min(1, variance / total));
  }
  return fractions;
}

/**
 * The main effects of every feature over a forest: the mean and spread, over trees that
 * vary, of each feature's fraction of variance. Features of a forest whose every tree is
 * constant get fraction 0.
 */
export function forestMainEffects(forest: readonly TreeNode[], features: number): MainEffect[] {
  const perTree: number[][] = [];
  for (const tree of forest) {
    const fractions = treeMainEffects(tree, features);
    if (fractions !== null) perTree.push(fractions);
  }
  return Array.from({ length: features }, (_, f) => {
    if (perTree.length === 0) return { fraction: 0, std: 0 };
    const values = perTree.map((fractions) => fractions[f] as number);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
    return { fraction: mean, std: Math.sqrt(variance) };
  });
}
