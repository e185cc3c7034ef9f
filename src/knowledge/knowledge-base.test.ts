import { describe, expect, it } from 'vitest';
import type { TrialRecord } from '../core/trial.ts';
import { ideaOf } from './idea-groups.ts';
import { renderKnowledgeBase } from './knowledge-base.ts';

function trial(id: number, fields: Partial<TrialRecord>): TrialRecord {
  return {
    studyId: 1, id, specialist: 'opt', parent: 0, hypothesis: '', notes: '', expectedDelta: null, status: 'discarded', label: null, labelDetail: null, commit: null, tree: null,
    diff: null, metrics: {}, score: null, seed: 0, timings: {}, cost: null, logExcerpt: '', edit: null, owner: null, createdAt: '2026-01-01T00:00:00Z', startedAt: null,
    finishedAt: null, heartbeatAt: null, repeats: [], curve: [], failure: null, ...fields,
  };
}

const runs = (values: number[]) => values.map((value, repeat) => ({ repeat, seed: repeat, metrics: { loss: value }, runMs: 1, verification: false }));

describe('knowledge base', () => {
  it('groups trials by idea', () => {
    expect(ideaOf({ hypothesis: 'knobs: lr 0.1 -> 0.2, width 8 -> 16 (tpe search over 4 measured trials, trial 0)', diff: null })).toBe('knobs: lr, width');
    expect(ideaOf({ hypothesis: 'Add a linear warmup of 200 steps', diff: null })).toBe('warmup');
    expect(ideaOf({ hypothesis: 'try something', diff: 'diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n' })).toBe('edits to x.py');
  });

  it('renders the leaderboard, the hypothesis tree with effects and intervals, saturation, failures by cause and notes', () => {
    const trials = [
      trial(0, { specialist: 'baseline', parent: null, status: 'kept', score: 10, hypothesis: 'baseline', repeats: runs([10, 10.2, 9.8]) }),
      trial(1, { status: 'kept', score: 8, hypothesis: 'warmup of 100 steps', repeats: runs([8, 8.1, 7.9]) }),
      trial(2, { parent: 1, status: 'discarded', score: 8.05, hypothesis: 'longer warmup' }),
      trial(3, { parent: 1, status: 'discarded', score: 8.1, hypothesis: 'warmup 500' }),
      trial(4, { parent: 1, status: 'discarded', score: 8.02, hypothesis: 'warmup 50' }),
      trial(5, { parent: 1, status: 'failed', label: 'crash', labelDetail: 'exited with code 1', logExcerpt: 'Traceback (most recent call last):\n  File "train.py", line 3, in <module>\n    x = 1 / 0\nZeroDivisionError: division by zero', hypothesis: 'batch size 4096' }),
      trial(6, { parent: 1, status: 'failed', label: 'crash', labelDetail: 'exited with code 1', logExcerpt: 'Traceback (most recent call last):\n  File "train.py", line 3, in <module>\n    x = 1 / 0\nZeroDivisionError: division by zero', hypothesis: 'batch size 8192' }),
    ];
    const files = renderKnowledgeBase({ study: 's', objective: { metric: 'loss', direction: 'minimize' }, trials, notes: [{ id: 1, studyId: 1, author: 'opt', sessionId: null, text: 'batch sizes above 2048 crash', at: '2026-01-01T00:00:00Z' }] });
    expect(files['leaderboard.md']).toContain('| 1 | #1 | 8 | -2 |');
    expect(files['hypotheses.md']).toContain('## warmup');
    expect(files['hypotheses.md']).toMatch(/#0 → #1 \(opt\): warmup of 100 steps — kept, -2 \[-2\.\d+, -1\.\d+\]/);
    expect(files['hypotheses.md']).toContain('**saturated**');
    expect(files['hypotheses.md']).toContain('## batch size\n\n2 tried · 0 kept · 2 failed');
    expect(files['failures.md']).toContain('## crash × 2');
    expect(files['failures.md']).toContain('ZeroDivisionError');
    expect(files['notes.md']).toContain('**opt**: batch sizes above 2048 crash');
    expect(files['README.md']).toContain("# Knowledge base of study 's'");
  });
});
