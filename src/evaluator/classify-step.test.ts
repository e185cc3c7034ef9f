import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../core/task.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { classifyStep } from './classify-step.ts';
import type { Measured } from './measure-repeats.ts';
import type { RepeatResult } from './run-repeat.ts';
import { startingEvidence, type TrialEvidence } from './trial-evidence.ts';

const TASK: Pick<TaskSpec, 'objective' | 'gates'> = { objective: { metric: 'loss', direction: 'minimize' }, gates: [{ metric: 'size', op: '<=', value: 100, source: 'size <= 100' }] } as Pick<TaskSpec, 'objective' | 'gates'>;
const OK_RUN = { exitCode: 0, signal: null, timedOut: false, aborted: false, spawnError: null, oomSuspected: false, tail: '' };

function repeat(index: number, metrics: Record<string, number> | null, facts: RepeatResult['facts'] = {}): RepeatResult {
  return { repeat: index, seed: index, verification: false, facts, metrics, runMs: 10, scoreMs: 1, curve: [], logExcerpt: '' };
}

function measured(repeats: RepeatResult[]): Measured {
  const failedRepeat = repeats.find((r) => r.metrics === null) ?? null;
  return { repeats, failure: failedRepeat?.facts ?? null, failedRepeat, runMs: 0, scoreMs: 0, logExcerpt: '' };
}

function evidence(more: Partial<TrialEvidence>): TrialEvidence {
  return { ...startingEvidence(makeTrial({ id: 1 })), ...more };
}

describe('classifyStep', () => {
  it('scores an all-scored trial from the mean of its repeats, against the gates', () => {
    const result = classifyStep(TASK, evidence({ facts: { run: OK_RUN }, measured: measured([repeat(0, { loss: 1, size: 10 }), repeat(1, { loss: 3, size: 10 })]) }));
    expect(result).toMatchObject({ kind: 'scored', score: 2, metrics: { loss: 2, size: 10, repeats_n: 2 } });
  });

  it('misses a gate on the mean', () => {
    expect(classifyStep(TASK, evidence({ facts: { run: OK_RUN }, measured: measured([repeat(0, { loss: 1, size: 500 })]) }))).toMatchObject({ kind: 'failed', label: 'gate_miss' });
  });

  it("classifies a failing repeat from its own facts and names it when there were several", () => {
    const crash = { run: { ...OK_RUN, exitCode: 1, tail: 'boom' } };
    const result = classifyStep(TASK, evidence({ measured: measured([repeat(0, { loss: 1, size: 1 }), repeat(1, null, crash)]) }));
    expect(result).toMatchObject({ kind: 'failed', label: 'crash' });
    expect(result.kind === 'failed' && result.detail).toMatch(/^repeat 1 \(seed 1\): /);
  });

  it('lets an interruption or a machine fault win over the failing repeat', () => {
    const crash = { run: { ...OK_RUN, exitCode: 1 } };
    expect(classifyStep(TASK, evidence({ facts: { interrupted: 'stopped' }, measured: measured([repeat(0, null, crash)]) }))).toMatchObject({ label: 'interrupted' });
    expect(classifyStep(TASK, evidence({ facts: { infraError: 'disk' }, measured: measured([repeat(0, null, crash)]) }))).toMatchObject({ label: 'infra_error' });
  });

  it('classifies a trial that never ran from the facts gathered before', () => {
    expect(classifyStep(TASK, evidence({ facts: { applyError: 'no' } }))).toMatchObject({ kind: 'failed', label: 'apply_failed' });
    expect(classifyStep(TASK, evidence({ facts: { illegal: [], sizeExceeded: [], duplicateOf: 3 } }))).toMatchObject({ label: 'duplicate', detail: 'same tree as trial #3' });
  });
});
