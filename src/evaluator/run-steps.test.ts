import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePatch } from '../testing/recipe-repo.ts';
import { openRuntimeFixture, type RuntimeFixture } from '../testing/runtime-fixture.ts';
import { ScriptedExecutor, scored, type ScriptedPhase, type PhaseScript } from '../testing/scripted-executor.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { materialiseStep, parentStep, worktreeStep } from './materialise-step.ts';
import { preflightPassed, preflightStep, runStep, stoppedStep } from './run-steps.ts';
import { startingEvidence, withFacts, type TrialEvidence, type TrialJob } from './trial-evidence.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
let fixture: RuntimeFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

async function ready(script: Partial<Record<ScriptedPhase, PhaseScript>>): Promise<{ job: TrialJob; evidence: TrialEvidence; executor: ScriptedExecutor }> {
  const executor = new ScriptedExecutor({ score: scored({ loss: 4, size: 10 }), ...script });
  fixture = await openRuntimeFixture(FIXTURE, { executor });
  await fixture.recordBaseline();
  const patch = await makePatch(fixture.dir, { 'config.json': '{ "x": 1 }\n' });
  const trial = await fixture.createTrial({ edit: { kind: 'patch', patch } });
  const job: TrialJob = { runtime: fixture.runtime, trial, slot: { index: 1, gpu: '3' }, signal: new AbortController().signal };
  return { job, executor, evidence: await materialiseStep(job, await worktreeStep(job, await parentStep(job, startingEvidence(trial)))) };
}

describe('preflightStep', () => {
  it('runs the preflight in the worktree on the trial slot', async () => {
    const { job, evidence, executor } = await ready({});
    const checked = await preflightStep(job, evidence);
    expect(checked.facts.preflight).toMatchObject({ exitCode: 0, timedOut: false });
    expect(preflightPassed(checked)).toBe(true);
    expect(checked.timings.preflightMs).toEqual(expect.any(Number));
    const [request] = executor.calls('preflight');
    expect(request).toMatchObject({ command: 'node --check train.js', cwd: evidence.worktree });
    expect(request!.env.CUDA_VISIBLE_DEVICES).toBe('3');
  });

  it('keeps the last lines of a failing preflight as the log excerpt', async () => {
    const { job, evidence } = await ready({ preflight: { exitCode: 1, outputTail: 'SyntaxError: Unexpected token\n' } });
    const checked = await preflightStep(job, evidence);
    expect(preflightPassed(checked)).toBe(false);
    expect(checked.logExcerpt).toBe('SyntaxError: Unexpected token');
  });

  it('does not run for a blocked trial', async () => {
    const { job, evidence, executor } = await ready({});
    const blocked = withFacts(evidence, { illegal: ['score.js: protected path'] });
    expect(await preflightStep(job, blocked)).toBe(blocked);
    expect(executor.requests).toEqual([]);
  });
});

describe('runStep', () => {
  it('measures the repeats and marks an all-scored trial as run', async () => {
    const { job, evidence } = await ready({});
    const ran = await runStep(job, evidence);
    expect(ran.measured?.repeats.map((repeat) => repeat.metrics?.loss)).toEqual([4]);
    expect(ran.measured?.failure).toBeNull();
    expect(ran.facts.run).toMatchObject({ exitCode: 0 });
    expect(ran.timings).toMatchObject({ runMs: 5, scoreMs: 5 });
  });

  it('keeps the failing repeat and no run fact when the run crashed', async () => {
    const { job, evidence } = await ready({ run: { exitCode: 2, outputTail: 'boom\n' } });
    const ran = await runStep(job, evidence);
    expect(ran.facts.run).toBeUndefined();
    expect(ran.measured?.failure?.run).toMatchObject({ exitCode: 2 });
    expect(ran.logExcerpt).toBe('boom');
  });

  it('does not run after a failed preflight', async () => {
    const { job, evidence, executor } = await ready({ preflight: { exitCode: 1 } });
    const checked = await preflightStep(job, evidence);
    expect(await runStep(job, checked)).toBe(checked);
    expect(executor.calls('run')).toEqual([]);
  });
});

describe('stoppedStep', () => {
  const stopped = new AbortController();
  stopped.abort();
  const job = { runtime: null as never, trial: makeTrial({ id: 1 }), slot: { index: 0, gpu: null }, signal: stopped.signal };

  it('marks a trial stopped before its run as interrupted', () => {
    expect(stoppedStep(job, startingEvidence(job.trial)).facts.interrupted).toBe('stopped before the run');
  });

  it('leaves a trial alone when it was not stopped, already ran, or was blocked', () => {
    const evidence = startingEvidence(job.trial);
    expect(stoppedStep({ ...job, signal: new AbortController().signal }, evidence)).toBe(evidence);
    const ran = withFacts(evidence, { run: { exitCode: 0, signal: null, timedOut: false, aborted: false, spawnError: null, oomSuspected: false, tail: '' } });
    expect(stoppedStep(job, ran)).toBe(ran);
    const blocked = withFacts(evidence, { applyError: 'no' });
    expect(stoppedStep(job, blocked)).toBe(blocked);
  });
});
