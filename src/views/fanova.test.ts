import { describe, expect, it } from 'vitest';
import { forestMainEffects, treeLeaves, treeMainEffects } from './fanova.ts';
import { seededRandom } from '../core/random.ts';
import { fitForest, predictTree, type TreeNode } from './random-forest.ts';

const leaf = (value: number): TreeNode => ({ kind: 'leaf', value, samples: 1 });

describe('fANOVA of one tree', () => {
  it('gives a feature that alone splits the tree all of the variance', () => {
    const tree: TreeNode = { kind: 'split', feature: 0, threshold: 0.5, samples: 2, left: leaf(0), right: leaf(1) };
    expect(treeMainEffects(tree, 2)).toEqual([1, 0]);
  });

  it('splits an additive tree by the variance of each part', () => {
    // f(a, b) = 2·[a > 0.5] + [b > 0.5]: Var = 4/4 + 1/4; main effects 0.8 and 0.2.
    const inner = (base: number): TreeNode => ({ kind: 'split', feature: 1, threshold: 0.5, samples: 2, left: leaf(base), right: leaf(base + 1) });
    const tree: TreeNode = { kind: 'split', feature: 0, threshold: 0.5, samples: 4, left: inner(0), right: inner(2) };
    const [a, b] = treeMainEffects(tree, 2)!;
    expect(a).toBeCloseTo(0.8, 10);
    expect(b).toBeCloseTo(0.2, 10);
  });

  it('leaves a pure interaction (xor) to neither main effect', () => {
    const inner = (flip: boolean): TreeNode => ({ kind: 'split', feature: 1, threshold: 0.5, samples: 2, left: leaf(flip ? 1 : 0), right: leaf(flip ? 0 : 1) });
    const tree: TreeNode = { kind: 'split', feature: 0, threshold: 0.5, samples: 4, left: inner(false), right: inner(true) };
    expect(treeMainEffects(tree, 2)).toEqual([0, 0]);
  });

  it('weights the marginal by the volume of uneven boxes', () => {
    const tree: TreeNode = { kind: 'split', feature: 0, threshold: 0.25, samples: 2, left: leaf(4), right: leaf(0) };
    expect(treeLeaves(tree, 1).map((l) => l.volume)).toEqual([0.25, 0.75]);
    expect(treeMainEffects(tree, 1)).toEqual([1]);
    expect(treeMainEffects(leaf(3), 2)).toBeNull();
  });
});

describe('fANOVA over a fitted random forest', () => {
  const sample = (count: number, seed: number, f: (a: number, b: number, random: () => number) => number) => {
    const random = seededRandom(seed);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < count; i++) {
      const point = [random(), random()];
      x.push(point);
      y.push(f(point[0]!, point[1]!, random));
    }
    return { x, y };
  };

  it('finds the one knob that matters and calls the other noise', () => {
    const { x, y } = sample(300, 3, (a, _b, random) => 10 * (a - 0.3) ** 2 + 0.01 * random());
    const effects = forestMainEffects(fitForest(x, y, { trees: 32, seed: 7 }), 2);
    expect(effects[0]!.fraction).toBeGreaterThan(0.9);
    expect(effects[1]!.fraction).toBeLessThan(0.03);
  });

  it('recovers the variance shares of an additive function (2a + b: 0.8 and 0.2)', () => {
    const { x, y } = sample(400, 11, (a, b) => 2 * a + b);
    const effects = forestMainEffects(fitForest(x, y, { trees: 32, seed: 5 }), 2);
    expect(effects[0]!.fraction).toBeGreaterThan(0.7);
    expect(effects[0]!.fraction).toBeLessThan(0.88);
    expect(effects[1]!.fraction).toBeGreaterThan(0.12);
    expect(effects[1]!.fraction).toBeLessThan(0.28);
  });

  it('fits the training data and is deterministic for a seed', () => {
    const { x, y } = sample(60, 2, (a, b) => a + 3 * b);
    const one = fitForest(x, y, { trees: 4, seed: 9 });
    expect(fitForest(x, y, { trees: 4, seed: 9 })).toEqual(one);
    const errors = x.map((point, i) => Math.abs(one.reduce((sum, tree) => sum + predictTree(tree, point), 0) / one.length - y[i]!));
    expect(Math.max(...errors)).toBeLessThan(1);
    expect(fitForest([], [])).toEqual([]);
    expect(() => fitForest([[0]], [])).toThrow(/1 points but 0 targets/);
  });
});
