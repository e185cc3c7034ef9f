import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../task/schema.ts';
import { makePatch } from '../testing/recipe-repo.ts';
import { openRuntimeFixture, type RuntimeFixture } from '../testing/runtime-fixture.ts';
import { admitEdit, editNotStoredReason, notesWithSummary } from './edit-admission.ts';
import { materialiseStep, parentStep, worktreeStep } from './materialise-step.ts';
import { startingEvidence, type TrialJob } from './trial-evidence.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
let fixture: RuntimeFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

/** Every loose object and pack of the private repo. */
function objectFiles(gitDir: string): string[] {
  const objects = join(gitDir, 'objects');
  return readdirSync(objects).flatMap((entry) => (/^[0-9a-f]{2}$|^pack$/.test(entry) ? readdirSync(join(objects, entry)).map((name) => `${entry}/${name}`) : []));
}

describe('limits before storage', () => {
  it('admitEdit keeps an edit within the limits and replaces one over them by a summary', () => {
    const small = { kind: 'patch' as const, patch: 'diff --git a/x b/x\n' };
    expect(admitEdit(small, DEFAULT_LIMITS)).toEqual({ edit: small, summary: null });
    const huge = admitEdit({ kind: 'patch', patch: 'x'.repeat(DEFAULT_LIMITS.maxDiffBytes + 1) }, DEFAULT_LIMITS);
    expect(huge).toEqual({ edit: null, summary: '[autolab: edit not stored: a patch of 1000001 bytes, over limits.max_diff_bytes (1000000)]' });
    expect(editNotStoredReason(notesWithSummary('my notes', huge))).toBe('a patch of 1000001 bytes, over limits.max_diff_bytes (1000000)');
    expect(admitEdit({ kind: 'files', files: { 'a.bin': 'y'.repeat(DEFAULT_LIMITS.maxFileBytes + 1) } }, DEFAULT_LIMITS).summary).toMatch(/"a\.bin" is 5000001 bytes, over limits\.max_file_bytes/);
  });

  it('a trial whose edit was not stored is size_exceeded, not apply_failed', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    await fixture.recordBaseline();
    const admitted = admitEdit({ kind: 'patch', patch: 'x'.repeat(2_000_000) }, fixture.runtime.task.limits);
    const trial = await fixture.createTrial({ edit: admitted.edit });
    const job: TrialJob = { runtime: fixture.runtime, trial: { ...trial, notes: notesWithSummary('', admitted) }, slot: { index: 0, gpu: null }, signal: new AbortController().signal };
    const evidence = await materialiseStep(job, await worktreeStep(job, await parentStep(job, startingEvidence(job.trial))));
    expect(evidence.facts.sizeExceeded).toEqual(['the edit was not stored or applied: a patch of 2000000 bytes, over limits.max_diff_bytes (1000000)']);
    expect(evidence.commit).toBeNull();
    expect((await fixture.store.getTrial(fixture.runtime.studyId, trial.id))!.edit).toBeNull();
  });

  it('a small patch that expands to a file over the limit leaves no object and no ref in the private repo', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    await fixture.recordBaseline();
    // 4 MB of zeros compresses to a few KB of binary patch: within the diff limit, over the file limit (50KB).
    const patch = await makePatch(fixture.dir, { 'lib/weights.bin': Buffer.alloc(4 * 1024 * 1024).toString('latin1') });
    expect(patch.length).toBeLessThan(fixture.runtime.task.limits.maxDiffBytes);
    const gitDir = join(fixture.dir, '.autolab', 'repo.git');
    const before = objectFiles(gitDir);
    const trial = await fixture.createTrial({ edit: { kind: 'patch', patch } });
    const job: TrialJob = { runtime: fixture.runtime, trial, slot: { index: 0, gpu: null }, signal: new AbortController().signal };
    const evidence = await materialiseStep(job, await worktreeStep(job, await parentStep(job, startingEvidence(trial))));
    expect(evidence.facts.sizeExceeded).toEqual([`lib/weights.bin: ${4 * 1024 * 1024} bytes, over the file limit of ${fixture.runtime.task.limits.maxFileBytes}`]);
    expect(evidence.commit).toBeNull();
    expect(objectFiles(gitDir)).toEqual(before);
    expect(readdirSync(gitDir).filter((name) => name.startsWith('autolab-incoming-'))).toEqual([]);

    const legal = await makePatch(fixture.dir, { 'config.json': '{ "x": 1 }\n' });
    const next = await fixture.createTrial({ edit: { kind: 'patch', patch: legal } });
    const nextJob: TrialJob = { ...job, trial: next };
    const stored = await materialiseStep(nextJob, await worktreeStep(nextJob, await parentStep(nextJob, startingEvidence(next))));
    expect(stored.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(objectFiles(gitDir).length).toBeGreaterThan(before.length);
  });
});
