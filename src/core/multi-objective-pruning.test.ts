import { describe, expect, it } from 'vitest';
import { multiObjectivePruneDecision, type WatchedObjective } from './multi-objective-pruning.ts';
import type { FinishedCurve, StepValue } from './pruners.ts';
import type { PrunerSpec } from './task.ts';

const spec: PrunerSpec = { kind: 'median', warmupSteps: 1, minTrials: 2 };
const curve = (values: number[]): StepValue[] => values.map((value, step) => ({ step: step + 1, value }));
const finished = (curves: number[][]): FinishedCurve[] => curves.map((values, index) => ({ trialId: index + 1, points: curve(values), incumbent: index === 0 }));

// Finished trials: loss falls to ~1, bytes stay near 100.
const objectives: WatchedObjective[] = [
  { metric: 'loss', direction: 'minimize', finished: finished([[3, 2, 1], [3, 2.2, 1.2], [3.1, 2.1, 1.1]]) },
  { metric: 'bytes', direction: 'minimize', finished: finished([[100, 100, 100], [110, 110, 110], [90, 90, 90]]) },
];

describe('multiObjectivePruneDecision', () => {
  it('prunes a trial unpromising on every objective, naming each', () => {
    const decision = multiObjectivePruneDecision(new Map([['loss', curve([5, 4])], ['bytes', curve([200, 200])]]), objectives, spec);
    expect(decision.prune).toBe(true);
    expect(decision.reason).toMatch(/^unpromising on every objective: loss: median pruner: .*; bytes: median pruner: /);
  });

  it('keeps a trial promising on one objective (it may reach the front)', () => {
    const decision = multiObjectivePruneDecision(new Map([['loss', curve([5, 4])], ['bytes', curve([20, 20])]]), objectives, spec);
    expect(decision).toEqual({ prune: false, reason: 'bytes: at or better than the median' });
  });

  it('keeps a trial when an objective has no intermediate values, or no finished curves', () => {
    expect(multiObjectivePruneDecision(new Map([['loss', curve([5, 4])]]), objectives, spec)).toMatchObject({ prune: false, reason: expect.stringContaining('no intermediate value of bytes yet') });
    const unseen = [objectives[0]!, { ...objectives[1]!, finished: [] }];
    expect(multiObjectivePruneDecision(new Map([['loss', curve([5, 4])], ['bytes', curve([200, 200])]]), unseen, spec)).toMatchObject({ prune: false, reason: 'no finished trial has a curve of bytes' });
  });

  it('follows each objective\'s direction', () => {
    const maximised: WatchedObjective[] = [objectives[0]!, { metric: 'accuracy', direction: 'maximize', finished: finished([[0.5, 0.6], [0.55, 0.65], [0.5, 0.62]]) }];
    expect(multiObjectivePruneDecision(new Map([['loss', curve([5, 4])], ['accuracy', curve([0.9, 0.95])]]), maximised, spec).prune).toBe(false);
    expect(multiObjectivePruneDecision(new Map([['loss', curve([5, 4])], ['accuracy', curve([0.1, 0.2])]]), maximised, spec).prune).toBe(true);
  });
});
