import { describe, expect, it } from 'vitest';
import { makeTrial } from '../testing/trial-fixture.ts';
import { causeSpan, failuresByCause } from './failures-by-cause.ts';

const assertion = (line: number, heads: number) =>
  ['Traceback (most recent call last):', `  File "/r/.autolab/worktrees/t1/model.py", line ${line}, in __init__`, '    assert d_model % n_heads == 0', `AssertionError: d_model 128, heads ${heads}`].join('\n');

describe('failuresByCause', () => {
  it('groups failed trials by signature (stored or derived), most frequent first, with first/last trial, example and specialists', () => {
    const trials = [
      makeTrial({ id: 0, status: 'kept', score: 2 }),
      makeTrial({ id: 1, status: 'failed', label: 'crash', labelDetail: 'exited with code 1', logExcerpt: assertion(66, 3) }),
      makeTrial({ id: 2, status: 'discarded', score: 2.1 }),
      makeTrial({ id: 3, status: 'failed', label: 'gate_miss', labelDetail: 'accuracy = 0.9, gate >= 0.96 (missed by 0.06, 6.3%)', specialist: 'llm' }),
      // The line moved (an edit above it): the same cause.
      makeTrial({ id: 4, status: 'failed', label: 'crash', labelDetail: 'exited with code 1', logExcerpt: assertion(70, 5), specialist: 'llm' }),
      makeTrial({ id: 5, status: 'failed', label: 'crash', failure: { signature: 'crash AssertionError at model.py: assert d_model % n_heads == <n>', summary: 'crash AssertionError: d_model 128, heads 7 at model.py:66', frame: { file: 'model.py', line: 66, source: 'assert d_model % n_heads == 0' } } }),
    ];
    const causes = failuresByCause(trials);
    expect(causes.map((cause) => [cause.signature, cause.count, cause.trials])).toEqual([
      ['crash AssertionError at model.py: assert d_model % n_heads == <n>', 3, [1, 4, 5]],
      ['gate_miss accuracy >= 0.96', 1, [3]],
    ]);
    expect(causes[0]).toMatchObject({ label: 'crash', firstTrial: 1, lastTrial: 5, summary: 'crash AssertionError: d_model 128, heads 7 at model.py:66', specialists: { tuner: 2, llm: 1 } });
    expect(causeSpan(causes[0]!)).toBe('#1 … #5');
    expect(causeSpan(causes[1]!)).toBe('#3');
  });

  it('is empty when nothing failed', () => {
    expect(failuresByCause([makeTrial({ id: 0, status: 'kept', score: 1 })])).toEqual([]);
  });
});
