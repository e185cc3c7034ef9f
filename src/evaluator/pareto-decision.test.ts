import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskSpec } from '../core/task.ts';
import { openRuntimeFixture, type RuntimeFixture } from '../testing/runtime-fixture.ts';
import { objectiveSamplesOf } from './pareto-decision.ts';
import { recordStep, startStep } from './record-step.ts';
import { startingEvidence } from './trial-evidence.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
let fixture: RuntimeFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

const twoObjectives = (task: TaskSpec): TaskSpec => ({
  ...task,
  objective: { metric: 'loss', direction: 'minimize' },
  objectives: [{ metric: 'loss', direction: 'minimize' }, { metric: 'size', direction: 'minimize' }],
});

async function record(f: RuntimeFixture, metrics: Record<string, number>) {
  const trial = await f.createTrial({ edit: { kind: 'patch', patch: '' } });
  const job = { runtime: f.runtime, trial, slot: { index: 1, gpu: null }, signal: new AbortController().signal };
  await startStep(job);
  return recordStep(job, startingEvidence(trial), { kind: 'scored', score: metrics.loss ?? Number.NaN, metrics }, 1);
}

describe('recording in a multi-objective study', () => {
  it('keeps trade-offs on the front, discards dominated and duplicate trials', async () => {
    fixture = await openRuntimeFixture(FIXTURE, { task: twoObjectives });
    await fixture.recordBaseline({ loss: 9, size: 10 });
    expect(await record(fixture, { loss: 5, size: 12 })).toMatchObject({ status: 'kept' }); // trade-off with the baseline
    expect(await record(fixture, { loss: 4, size: 9 })).toMatchObject({ status: 'kept' }); // dominates both
    expect(await record(fixture, { loss: 4, size: 9 })).toMatchObject({ status: 'discarded' }); // a duplicate adds nothing
    const dominated = await record(fixture, { loss: 5, size: 11 });
    expect(dominated).toMatchObject({ status: 'discarded', labelDetail: null });
    expect(await record(fixture, { loss: 3, size: 20 })).toMatchObject({ status: 'kept', metrics: { front_size: 1 } }); // the front is now trial 2 alone
  });

  it('fails a trial whose score lacks an objective as metric_missing', async () => {
    fixture = await openRuntimeFixture(FIXTURE, { task: twoObjectives });
    await fixture.recordBaseline({ loss: 9, size: 10 });
    expect(await record(fixture, { loss: 1 })).toMatchObject({ status: 'discarded', label: 'metric_missing', labelDetail: 'the score printed no size (an objective of this study)' });
  });
});

describe('objectiveSamplesOf', () => {
  it('reads repeats, else the recorded metric, else the score of the primary objective', () => {
    const repeats = [
      { repeat: 0, seed: 0, metrics: { loss: 1, size: 5 }, runMs: 1, verification: false },
      { repeat: 1, seed: 1, metrics: { loss: 2, size: 6 }, runMs: 1, verification: true },
    ];
    expect(objectiveSamplesOf({ id: 1, repeats, score: 1.5, metrics: {} }, 'size', false)).toEqual({ samples: [5], verification: [6] });
    expect(objectiveSamplesOf({ id: 1, repeats: [], score: 1.5, metrics: { size: 7 } }, 'size', false)).toEqual({ samples: [7], verification: [] });
    expect(objectiveSamplesOf({ id: 1, repeats: [], score: 1.5, metrics: { loss: 9 } }, 'loss', true)).toEqual({ samples: [1.5], verification: [] });
  });
});
