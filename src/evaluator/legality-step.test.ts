import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePatch, type FileChange } from '../testing/recipe-repo.ts';
import { openRuntimeFixture, type RuntimeFixture } from '../testing/runtime-fixture.ts';
import { ScriptedExecutor } from '../testing/scripted-executor.ts';
import { legalityStep } from './legality-step.ts';
import { materialiseStep, parentStep, worktreeStep } from './materialise-step.ts';
import { startingEvidence, type TrialEvidence, type TrialJob } from './trial-evidence.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
let fixture: RuntimeFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

/** A trial of `changes` on the baseline, materialised; returns its job and evidence. */
async function materialised(f: RuntimeFixture, changes: Record<string, FileChange>, signal = new AbortController().signal): Promise<{ job: TrialJob; evidence: TrialEvidence }> {
  const patch = await makePatch(f.dir, changes);
  const trial = await f.createTrial({ edit: { kind: 'patch', patch } });
  const job: TrialJob = { runtime: f.runtime, trial, slot: { index: 0, gpu: null }, signal };
  return { job, evidence: await materialiseStep(job, await worktreeStep(job, await parentStep(job, startingEvidence(trial)))) };
}

describe('legalityStep', () => {
  it('passes an edit inside the surface, and times itself', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    await fixture.recordBaseline();
    const { job, evidence } = await materialised(fixture, { 'config.json': '{ "x": 1 }\n' });
    const judged = await legalityStep(job, evidence);
    expect(judged.facts).toEqual({ illegal: [], sizeExceeded: [] });
    expect(judged.timings.legalityMs).toEqual(expect.any(Number));
    expect(fixture.emitted.some(([name, payload]) => name === 'trial:phase' && (payload as { phase: string }).phase === 'legality')).toBe(true);
  });

  it('rejects protected paths and paths outside the surface', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    await fixture.recordBaseline();
    const { job, evidence } = await materialised(fixture, { 'score.js': 'console.log("{}")\n', 'README.md': 'hi\n' });
    const { facts } = await legalityStep(job, evidence);
    expect(facts.illegal).toEqual(["README.md: outside surface 'recipe' (config.json, train.js, lib/)", 'score.js: protected path (evaluator-owned; no trial may change it)']);
  });

  it('finds an earlier trial with the same tree', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    await fixture.recordBaseline();
    const first = await materialised(fixture, { 'config.json': '{ "x": 1 }\n' });
    await fixture.store.updateTrial(fixture.runtime.studyId, first.job.trial.id, { tree: first.evidence.tree });
    const second = await materialised(fixture, { 'config.json': '{ "x": 1 }\n' });
    expect((await legalityStep(second.job, second.evidence)).facts.duplicateOf).toBe(first.job.trial.id);
  });

  it("runs the task's own legality command last: its rejection, or an interruption", async () => {
    const executor = new ScriptedExecutor({ legality: (_request, call) => (call === 1 ? { exitCode: 3, outputTail: 'uses a forbidden import\n' } : { exitCode: null, aborted: true }) });
    fixture = await openRuntimeFixture(FIXTURE, { executor, task: (task) => ({ ...task, legality: { command: 'node check.js', timeoutMs: 5_000 } }) });
    await fixture.recordBaseline();
    const rejected = await materialised(fixture, { 'config.json': '{ "x": 1 }\n' });
    expect((await legalityStep(rejected.job, rejected.evidence)).facts.illegal).toEqual(["the task's legality command rejected the edit: uses a forbidden import"]);
    const stopped = await materialised(fixture, { 'config.json': '{ "x": 2 }\n' });
    expect((await legalityStep(stopped.job, stopped.evidence)).facts.interrupted).toBe('stopped during the legality check');
    expect(executor.calls('legality')[0]!.cwd).toBe(rejected.evidence.worktree);
  });

  it('skips the baseline and edits that did not apply', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    const baseline = await fixture.createTrial({ id: 0, parent: null, edit: null });
    const job: TrialJob = { runtime: fixture.runtime, trial: baseline, slot: { index: 0, gpu: null }, signal: new AbortController().signal };
    const evidence = await materialiseStep(job, await worktreeStep(job, await parentStep(job, startingEvidence(baseline))));
    expect(await legalityStep(job, evidence)).toBe(evidence);
  });
});
