import { describe, expect, it } from 'vitest';
import type { FinishedCurve } from '../core/pruners.ts';
import type { PrunerSpec } from '../core/task.ts';
import { pruneWatch } from './prune-watch.ts';

const spec: PrunerSpec = { kind: 'median', warmupSteps: 1, minTrials: 2 };
const finished = (values: number[]): FinishedCurve[] => values.map((value, index) => ({ trialId: index + 1, points: [{ step: 1, value }, { step: 2, value }], incumbent: false }));

describe('pruneWatch', () => {
  it('watches one metric with one objective', () => {
    const watch = pruneWatch({ spec, metric: 'loss', direction: 'minimize', finished: finished([1, 1.1, 0.9]) });
    expect(watch([{ name: 'other', step: 1, value: 9 }])).toBeNull();
    expect(watch([{ name: 'loss', step: 1, value: 5 }])).toMatch(/^median pruner: at step 1/);
  });

  it('with several objectives, prunes only once every objective looks unpromising', () => {
    const context = {
      spec,
      metric: 'loss',
      direction: 'minimize' as const,
      finished: finished([1, 1.1, 0.9]),
      objectives: [
        { metric: 'loss', direction: 'minimize' as const, finished: finished([1, 1.1, 0.9]) },
        { metric: 'bytes', direction: 'minimize' as const, finished: finished([100, 110, 90]) },
      ],
    };
    const small = pruneWatch(context);
    expect(small([{ name: 'loss', step: 1, value: 5 }])).toBeNull(); // bytes not reported yet
    expect(small([{ name: 'bytes', step: 1, value: 50 }])).toBeNull(); // small: may reach the front
    const large = pruneWatch(context);
    expect(large([{ name: 'loss', step: 1, value: 5 }])).toBeNull();
    expect(large([{ name: 'bytes', step: 1, value: 500 }])).toMatch(/^unpromising on every objective: loss: .*; bytes: /);
  });
});
