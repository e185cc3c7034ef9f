import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePatch } from '../testing/recipe-repo.ts';
import { openRuntimeFixture, type RuntimeFixture } from '../testing/runtime-fixture.ts';
import { materialiseStep, parentStep, worktreeStep } from './materialise-step.ts';
import { startingEvidence, type TrialJob } from './trial-evidence.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
let fixture: RuntimeFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

function job(f: RuntimeFixture, trial: TrialJob['trial']): TrialJob {
  return { runtime: f.runtime, trial, slot: { index: 0, gpu: null }, signal: new AbortController().signal };
}

describe('parentStep, worktreeStep and materialiseStep', () => {
  it('makes the worktree at the parent, applies the edit and recomputes the diff from git', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    await fixture.recordBaseline();
    const patch = await makePatch(fixture.dir, { 'config.json': '{ "x": 2 }\n' });
    const trial = await fixture.createTrial({ edit: { kind: 'patch', patch } });
    const opened = await worktreeStep(job(fixture, trial), await parentStep(job(fixture, trial), startingEvidence(trial)));
    expect(opened.worktree).toMatch(/fixture\+1$/);
    expect(opened.parentCommit).toBe(fixture.runtime.baselineCommit);
    const applied = await materialiseStep(job(fixture, trial), opened);
    expect(applied.facts).toEqual({});
    expect(applied.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(applied.diff).toContain('+{ "x": 2 }');
    expect(applied.changed?.map((change) => change.path)).toEqual(['config.json']);
    expect(opened.commit).toBeNull(); // the step returned new evidence; the old one is unchanged
  });

  it('takes the baseline as its own commit with an empty diff', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    const baseline = await fixture.createTrial({ id: 0, parent: null, edit: null });
    const done = await materialiseStep(job(fixture, baseline), await worktreeStep(job(fixture, baseline), await parentStep(job(fixture, baseline), startingEvidence(baseline))));
    expect(done).toMatchObject({ commit: fixture.runtime.baselineCommit, diff: '', changed: null, facts: {} });
    expect(done.tree).toMatch(/^[0-9a-f]{40}$/);
  });

  it('gives an applyError, and no worktree, when the parent has no commit', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    await fixture.recordBaseline();
    const failed = await fixture.createTrial({ edit: null });
    await fixture.store.finishTrial(fixture.runtime.studyId, failed.id, { status: 'failed', label: 'apply_failed', labelDetail: 'no', metrics: {}, score: null, timings: {}, logExcerpt: '' }, () => false);
    const trial = await fixture.createTrial({ parent: failed.id, edit: { kind: 'patch', patch: '' } });
    const opened = await worktreeStep(job(fixture, trial), await parentStep(job(fixture, trial), startingEvidence(trial)));
    expect(opened.worktree).toBeNull();
    expect(opened.facts.applyError).toBe(`parent trial #${failed.id} has no commit (it failed with apply_failed)`);
    expect(await materialiseStep(job(fixture, trial), opened)).toBe(opened);
  });

  it('gives an applyError for a proposal without an edit, and for a patch that does not apply', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    await fixture.recordBaseline();
    const bare = await fixture.createTrial({ edit: null });
    const noEdit = await materialiseStep(job(fixture, bare), await worktreeStep(job(fixture, bare), await parentStep(job(fixture, bare), startingEvidence(bare))));
    expect(noEdit.facts.applyError).toBe('the proposal carries no edit');
    const wrong = await fixture.createTrial({ edit: { kind: 'patch', patch: 'diff --git a/config.json b/config.json\n--- a/config.json\n+++ b/config.json\n@@ -1 +1 @@\n-nothing like this\n+x\n' } });
    const failed = await materialiseStep(job(fixture, wrong), await worktreeStep(job(fixture, wrong), await parentStep(job(fixture, wrong), startingEvidence(wrong))));
    expect(failed.facts.applyError).toMatch(/patch/i);
    expect(failed.commit).toBeNull();
  });
});
