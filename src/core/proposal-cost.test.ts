import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.ts';
import { changedLines, costFactor, costFeatures, fitProposalCost, numericChanges, type CostObservation } from './proposal-cost.ts';
import { predictLevelCosts } from './level-cost.ts';

const diffOf = (changes: Record<string, [number, number]>, extra = 0) =>
  ['--- a/config.py', '+++ b/config.py', '@@ -1,3 +1,3 @@', ...Object.entries(changes).flatMap(([name, [from, to]]) => [`-${name} = ${from}`, `+${name} = ${to}`]), ...Array.from({ length: extra }, (_, i) => `+# note ${i}`)].join('\n');

describe('numericChanges', () => {
  it('pairs a name\'s removed and added numbers in a hunk (assignments, JSON, YAML)', () => {
    expect(numericChanges('-WIDTH = 64\n+WIDTH = 128\n')).toEqual([{ name: 'WIDTH', from: 64, to: 128 }]);
    expect(numericChanges('@@ -1 +1 @@\n-  "steps": 200,\n+  "steps": 600,\n')).toEqual([{ name: 'steps', from: 200, to: 600 }]);
    expect(numericChanges('-lr: 3e-4\n+lr: 1e-3\n')).toEqual([{ name: 'lr', from: 3e-4, to: 1e-3 }]);
  });

  it('ignores unchanged values, non-positive ones, names only on one side and other hunks', () => {
    expect(numericChanges('-a = 1\n+a = 1\n')).toEqual([]);
    expect(numericChanges('-b = 0\n+b = 4\n')).toEqual([]);
    expect(numericChanges('-c = 2\n+d = 4\n')).toEqual([]);
    expect(numericChanges('@@ -1 +1 @@\n-e = 2\n@@ -9 +9 @@\n+e = 4\n')).toEqual([]);
    expect(changedLines('--- a/x\n+++ b/x\n-a\n+b\n+c\n context')).toBe(3);
  });
});

describe('fitProposalCost: the cost\'s elasticity in each changed value, learnt from past trials', () => {
  it('learns that cost grows with width and steps and not with the learning rate (no names hard-coded)', () => {
    const random = seededRandom(3);
    const observations: CostObservation[] = [];
    for (let i = 0; i < 40; i++) {
      const width = 2 ** Math.floor(random() * 3 - 1);
      const steps = 2 ** Math.floor(random() * 3 - 1);
      const lr = 2 ** Math.floor(random() * 5 - 2);
      // Measured cost: width × steps, with 5% noise; the learning rate costs nothing.
      const logRatio = Math.log(width * steps) + (random() - 0.5) * 0.1;
      observations.push({ logRatio, features: costFeatures(diffOf({ width: [64, 64 * width], steps: [100, 100 * steps], lr: [0.01, 0.01 * lr] })) });
    }
    const model = fitProposalCost(observations);
    expect(model.observations).toBe(40);
    expect(model.coefficients.width).toBeGreaterThan(0.85);
    expect(model.coefficients.steps).toBeGreaterThan(0.85);
    expect(Math.abs(model.coefficients.lr!)).toBeLessThan(0.1);
    // A proposal that doubles the width (and changes the learning rate) is predicted at about twice its parent's cost.
    const { factor, terms } = costFactor(model, costFeatures(diffOf({ width: [128, 256], lr: [0.01, 0.1] })));
    expect(factor).toBeGreaterThan(1.7);
    expect(factor).toBeLessThan(2.3);
    expect(terms.map((term) => term.feature)).toContain('width');
  });

  it('predicts a change costs what its parent did while no trial was measured', () => {
    const model = fitProposalCost([]);
    expect(costFactor(model, costFeatures(diffOf({ width: [64, 512] }))).factor).toBe(1);
  });
});

describe('predictLevelCosts', () => {
  const costs = [
    { level: 0, name: 's', expectedMs: 1_000 },
    { level: 1, name: 'm', expectedMs: 3_000 },
    { level: 2, name: 'full', expectedMs: 10_000 },
  ];

  it('scales the parent\'s measured run times by the factor, and the levels it never ran by its speed where it ran', () => {
    // The parent ran s in 1.5 s (1.5× the level's mean) and was stopped there.
    expect(predictLevelCosts(costs, [1_500, null, null], 2)).toEqual([
      { level: 0, levelName: 's', expectedRunMs: 3_000 },
      { level: 1, levelName: 'm', expectedRunMs: 9_000 },
      { level: 2, levelName: 'full', expectedRunMs: 30_000 },
    ]);
    expect(predictLevelCosts(costs, [], 1).map((level) => level.expectedRunMs)).toEqual([1_000, 3_000, 10_000]);
    expect(predictLevelCosts([{ level: 0, name: 'run', expectedMs: null }], [], 1)[0]!.expectedRunMs).toBeNull();
  });
});
