import { readFileSync } from 'node:fs';
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
    expect(fixture.emitted.some(([name, payload]) => name === 'trial.phase' && (payload as { phase: string }).phase === 'legality')).toBe(true);
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
    // From the evaluator's checkout (a trial cannot change the checker), judging the trial's tree and cumulative diff.
    const call = executor.calls('legality')[0]!;
    expect(call.cwd).toBe(fixture.runtime.evaluatorDir);
    expect(call.env.AUTOLAB_WORKTREE).toBe(rejected.evidence.worktree);
    expect(readFileSync(call.env.AUTOLAB_DIFF!, 'utf8')).toContain('"x": 1');
  });

  it('protects .autolab/ and the task file in every diff, whatever the task says', async () => {
    fixture = await openRuntimeFixture(FIXTURE, { task: (task) => ({ ...task, protected: [], surfaces: {}, specialists: [] }) });
    await fixture.recordBaseline();
    // Written by hand: the recipe's own git ignores .autolab/, so makePatch would leave it out.
    const planted = ['diff --git a/.autolab/repo.git/config b/.autolab/repo.git/config', 'new file mode 100644', '--- /dev/null', '+++ b/.autolab/repo.git/config', '@@ -0,0 +1,2 @@', '+[core]', '+\tfsmonitor = evil', ''].join('\n');
    const patch = planted + (await makePatch(fixture.dir, { 'autolab.yaml': 'name: x\n' }));
    const trial = await fixture.createTrial({ edit: { kind: 'patch', patch } });
    const job: TrialJob = { runtime: fixture.runtime, trial, slot: { index: 0, gpu: null }, signal: new AbortController().signal };
    const evidence = await materialiseStep(job, await worktreeStep(job, await parentStep(job, startingEvidence(trial))));
    const { facts } = await legalityStep(job, evidence);
    expect(facts.illegal).toEqual([
      ".autolab/repo.git/config: a path inside a '.autolab' folder, where autolab keeps study state; no trial may change it",
      'autolab.yaml: where this study keeps its state or task file (autolab.yaml); no trial may change it',
    ]);
  });

  it('judges the whole tree against the baseline, and refuses to build on an illegal trial', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    await fixture.recordBaseline();
    const illegal = await materialised(fixture, { 'score.js': 'console.log(JSON.stringify({ loss: 0, size: 1 }))\n' });
    const verdict = await legalityStep(illegal.job, illegal.evidence);
    expect(verdict.facts.illegal).toEqual(['score.js: protected path (evaluator-owned; no trial may change it)']);
    await fixture.store.finishTrial(fixture.runtime.studyId, illegal.job.trial.id, { status: 'failed', label: 'illegal_edit', labelDetail: verdict.facts.illegal!.join('; '), metrics: {}, score: null, timings: {}, logExcerpt: '', commit: illegal.evidence.commit, tree: illegal.evidence.tree, diff: illegal.evidence.diff }, () => false);

    // The child's own edit is legal; its tree still carries the parent's protected change.
    const patch = await makePatch(fixture.dir, { 'score.js': 'console.log(JSON.stringify({ loss: 0, size: 1 }))\n', 'config.json': '{ "x": 1 }\n' });
    const child = await fixture.createTrial({ parent: illegal.job.trial.id, edit: { kind: 'patch', patch: patch.split('diff --git').filter((part) => part.includes('config.json')).map((part) => `diff --git${part}`).join('') } });
    const job: TrialJob = { runtime: fixture.runtime, trial: child, slot: { index: 0, gpu: null }, signal: new AbortController().signal };
    const evidence = await materialiseStep(job, await worktreeStep(job, await parentStep(job, startingEvidence(child))));
    expect(evidence.changed!.map((change) => change.path)).toEqual(['config.json']);
    const { facts } = await legalityStep(job, evidence);
    expect(facts.illegal).toEqual([
      'score.js: protected path changed since the baseline (in this trial\'s lineage)',
      `trial #${child.id} builds on trial #${illegal.job.trial.id}, an illegal edit (score.js: protected path (evaluator-owned; no trial may change it)): no trial may build on it, and it cannot be exported`,
    ]);
  });

  it('skips the baseline and edits that did not apply', async () => {
    fixture = await openRuntimeFixture(FIXTURE);
    const baseline = await fixture.createTrial({ id: 0, parent: null, edit: null });
    const job: TrialJob = { runtime: fixture.runtime, trial: baseline, slot: { index: 0, gpu: null }, signal: new AbortController().signal };
    const evidence = await materialiseStep(job, await worktreeStep(job, await parentStep(job, startingEvidence(baseline))));
    expect(await legalityStep(job, evidence)).toBe(evidence);
  });
});
