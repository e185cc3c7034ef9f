import { describe, expect, it } from 'vitest';
import { makeTrial } from '../testing/trial-fixture.ts';
import { buildLineageFeedback } from './lineage-feedback.ts';
import { lineageFailures } from './lineage-failures.ts';
import { renderLineageMarkdown } from './lineage-markdown.ts';
import { diffSummary } from './trial-change.ts';
import type { TrialRecord } from './trial.ts';

const objective = { metric: 'loss', direction: 'minimize' as const };

function traceback(id: number, heads: number): string {
  return [
    `vocab size 65 (trial ${id})`,
    'Traceback (most recent call last):',
    `  File "/r/.autolab/worktrees/t${id}/train.py", line 12, in <module>`,
    '    model = Model(128, n_heads)',
    `  File "/r/.autolab/worktrees/t${id}/model.py", line 66, in __init__`,
    '    assert d_model % n_heads == 0',
    `AssertionError: heads ${heads}`,
  ].join('\n');
}

const notes = (values: Record<string, number | string>) => `tpe search\n${JSON.stringify({ knobs: values, sampler: 'tpe' })}`;

/** Knob trials: n_heads that do not divide 128 crash; the others score. */
function knobStudy(): TrialRecord[] {
  const trials: TrialRecord[] = [makeTrial({ id: 0, specialist: 'baseline', status: 'kept', score: 2.12, parent: null })];
  const heads = [4, 3, 8, 6, 2, 5, 7];
  heads.forEach((n, index) => {
    const id = index + 1;
    const lr = 0.001 * (index + 1);
    if (128 % n === 0) trials.push(makeTrial({ id, status: 'discarded', score: 2.13 + index / 100, notes: notes({ n_heads: n, lr }) }));
    else trials.push(makeTrial({ id, status: 'failed', label: 'crash', labelDetail: 'exited with code 1\nvocab size 65', logExcerpt: traceback(id, n), notes: notes({ n_heads: n, lr }) }));
  });
  return trials;
}

describe('lineage failures by cause', () => {
  it('groups by signature with the trials, the knob values that hit it, the nearest that did not, and what tells them apart', () => {
    const [cause, ...others] = lineageFailures(knobStudy());
    expect(others).toEqual([]);
    expect(cause).toMatchObject({
      signature: 'crash AssertionError at model.py: assert d_model % n_heads == <n>',
      label: 'crash',
      count: 4,
      trials: [2, 4, 6, 7],
      specialists: { tuner: 4 },
      summary: 'crash AssertionError: heads 7 at model.py:66',
    });
    expect(cause!.hits.map((hit) => [hit.id, hit.change])).toEqual([
      [7, 'n_heads=7, lr=0.007'],
      [6, 'n_heads=5, lr=0.006'],
      [4, 'n_heads=6, lr=0.004'],
      [2, 'n_heads=3, lr=0.002'],
    ]);
    // Nearest in relative knob distance among the scored trials: #3 (8, 0.003) to #7 and #4, #5 (2, 0.005) to #6, #1 (4, 0.001) to #2.
    expect(cause!.passes.map((pass) => pass.id)).toEqual([3, 5, 1]);
    expect(cause!.passes[0]).toMatchObject({ status: 'discarded', change: 'n_heads=8, lr=0.003' });
    expect(cause!.contrast).toEqual(['n_heads: hit 3, 5, 6, 7 · scored 2, 4, 8']);
    expect(cause!.excerpt).toContain('AssertionError: heads 7');
    expect(cause!.excerpt).toContain('assert d_model % n_heads == 0');
  });

  it('renders one block per cause with the traceback once, and the recent table names causes instead of repeating excerpts', () => {
    const markdown = renderLineageMarkdown(buildLineageFeedback(knobStudy(), { study: 's', objective, viewer: 'tuner' }));
    expect(markdown).toContain('## Failures by cause');
    expect(markdown).toContain('### 4 × crash AssertionError: heads 7 at model.py:66');
    expect(markdown).toContain('- #7 tuner: n_heads=7, lr=0.007');
    expect(markdown).toContain('- #5 tuner (discarded, 2.17): n_heads=2, lr=0.005');
    expect(markdown).toContain('- n_heads: hit 3, 5, 6, 7 · scored 2, 4, 8');
    expect(markdown.match(/Traceback \(most recent call last\)/g)).toHaveLength(1);
    expect(markdown.match(/assert d_model % n_heads == 0/g)).toHaveLength(1);
    expect(markdown).toContain('| #6 | #0 | tuner | crash AssertionError: heads 5 at model.py:66 |');
    expect(markdown).not.toContain('vocab size 65 (trial 6)');
  });

  it("contrasts an edit that hit a cause with its scored parent, by a summary of the diff", () => {
    const diff = ['--- a/model.py', '+++ b/model.py', '@@ -1,2 +1,2 @@', '-n_heads = 4', '+n_heads = 6', ' d_model = 128'].join('\n');
    const trials = [
      makeTrial({ id: 0, specialist: 'baseline', status: 'kept', score: 2, parent: null }),
      makeTrial({ id: 1, status: 'failed', specialist: 'llm', label: 'crash', labelDetail: 'exited with code 1', logExcerpt: traceback(1, 6), diff }),
    ];
    const [cause] = lineageFailures(trials);
    expect(cause!.hits).toEqual([{ id: 1, specialist: 'llm', status: 'failed', label: 'crash', score: null, change: 'model.py: n_heads = 4 → n_heads = 6' }]);
    expect(cause!.passes.map((pass) => [pass.id, pass.change])).toEqual([[0, '(no change)']]);
    expect(cause!.contrast).toEqual([]);
  });

  it('warns a specialist whose own last trials all failed with one cause', () => {
    const trials = knobStudy().map((trial) => (trial.id === 2 || trial.id === 4 || trial.id === 6 || trial.id === 7 ? trial : { ...trial, specialist: trial.id === 0 ? 'baseline' : 'other' }));
    const feedback = buildLineageFeedback(trials, { study: 's', objective, viewer: 'tuner' });
    expect(feedback.own).toMatchObject({ saturated: true, repeatedFailure: { signature: 'crash AssertionError at model.py: assert d_model % n_heads == <n>', count: 4 } });
    expect(feedback.own!.saturationNote).toContain('Your last 4 trials all failed with the same cause: crash AssertionError: heads 7 at model.py:66');
    expect(renderLineageMarkdown(feedback)).toContain('**Saturation warning:** Your last 4 trials all failed with the same cause');
    // Three in a row is not yet a streak (the default run is 4), and another specialist is not warned.
    expect(buildLineageFeedback(trials.filter((trial) => trial.id !== 2), { study: 's', objective, viewer: 'tuner' }).own!.repeatedFailure).toBeNull();
    expect(buildLineageFeedback(trials, { study: 's', objective, viewer: 'other' }).own!.repeatedFailure).toBeNull();
  });

  it('summarises diffs: pairs of changed lines, added and removed lines, and a count of the rest', () => {
    expect(diffSummary(null)).toBe('(no change)');
    const diff = ['--- a/a.py', '+++ b/a.py', '@@', '-x = 1', '+x = 2', '+y = 3', '--- a/b.py', '+++ b/b.py', '@@', '-z = 1', '-w = 2', '+z = 9', '--- a/old.py', '+++ /dev/null', '@@', '-gone = 1'].join('\n');
    expect(diffSummary(diff)).toBe('a.py: x = 1 → x = 2; +y = 3 | b.py: z = 1 → z = 9; -w = 2 (+1 more changed lines)');
  });
});
