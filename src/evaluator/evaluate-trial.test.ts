import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePatch } from '../testing/recipe-repo.ts';
import { openRuntimeFixture, type RuntimeFixture } from '../testing/runtime-fixture.ts';
import { ScriptedExecutor, scored, type PhaseScript } from '../testing/scripted-executor.ts';
import { evaluateTrial } from './evaluate-trial.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
const SLOT = { index: 0, gpu: null };
const never = new AbortController().signal;
let fixture: RuntimeFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

async function open(script: Partial<Record<'preflight' | 'run' | 'score', PhaseScript>>): Promise<{ fixture: RuntimeFixture; executor: ScriptedExecutor }> {
  const executor = new ScriptedExecutor({ score: scored({ loss: 9, size: 10 }), ...script });
  fixture = await openRuntimeFixture(FIXTURE, { executor });
  return { fixture, executor };
}

describe('evaluateTrial, step by step', () => {
  it('measures the baseline: worktree, no legality, preflight, run, score; recorded kept, phases in order', async () => {
    const { fixture, executor } = await open({});
    const baseline = await fixture.createTrial({ id: 0, parent: null, edit: null });
    const recorded = await evaluateTrial(fixture.runtime, baseline, SLOT, never);
    expect(recorded).toMatchObject({ id: 0, status: 'kept', score: 9, label: null, commit: fixture.runtime.baselineCommit, diff: '' });
    expect(recorded.timings).toMatchObject({ materialiseMs: expect.any(Number), preflightMs: expect.any(Number), runMs: 5, scoreMs: 5, totalMs: expect.any(Number) });
    expect(recorded.timings.legalityMs).toBeUndefined();
    expect(executor.requests.map((request) => request.env.AUTOLAB_PHASE)).toEqual(['preflight', 'run', 'score']);
    const phases = fixture.emitted.filter(([name]) => name === 'trial.phase').map(([, payload]) => (payload as { phase: string }).phase);
    expect(phases).toEqual(['materialise', 'preflight', 'run', 'score', 'gates', 'record']);
    expect(fixture.emitted.at(-1)?.[0]).toBe('trial.finished');
    expect(existsSync(join(fixture.dir, '.autolab', 'worktrees', 'fixture+0'))).toBe(false);
  });

  it('records an edit that does not apply as apply_failed, spending no compute', async () => {
    const { fixture, executor } = await open({});
    await evaluateTrial(fixture.runtime, await fixture.createTrial({ id: 0, parent: null, edit: null }), SLOT, never);
    const trial = await fixture.createTrial({ edit: { kind: 'patch', patch: 'diff --git a/nope.txt b/nope.txt\n--- a/nope.txt\n+++ b/nope.txt\n@@ -1 +1 @@\n-a\n+b\n' } });
    const before = executor.requests.length;
    const recorded = await evaluateTrial(fixture.runtime, trial, SLOT, never);
    expect(recorded).toMatchObject({ status: 'failed', label: 'apply_failed' });
    expect(executor.requests.length).toBe(before);
  });

  it('classifies a crashing run from its facts, with the log excerpt', async () => {
    const { fixture } = await open({ run: (_request, call) => (call === 2 ? { exitCode: 1, outputTail: 'Traceback\nValueError: bad x\n' } : {}) });
    await evaluateTrial(fixture.runtime, await fixture.createTrial({ id: 0, parent: null, edit: null }), SLOT, never);
    const patch = await makePatch(fixture.dir, { 'config.json': '{ "x": 2 }\n' });
    const recorded = await evaluateTrial(fixture.runtime, await fixture.createTrial({ edit: { kind: 'patch', patch } }), SLOT, never);
    expect(recorded).toMatchObject({ status: 'failed', label: 'crash' });
    expect(recorded.labelDetail).toContain('ValueError: bad x');
    expect(recorded.logExcerpt).toContain('ValueError: bad x');
    expect(recorded.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('turns an executor that throws into infra_error, keeping what materialise found, and removes the worktree', async () => {
    const { fixture } = await open({
      run: (_request, call) => {
        if (call === 2) throw new Error('the cluster is unreachable');
        return {};
      },
    });
    await evaluateTrial(fixture.runtime, await fixture.createTrial({ id: 0, parent: null, edit: null }), SLOT, never);
    const patch = await makePatch(fixture.dir, { 'config.json': '{ "x": 2 }\n' });
    const trial = await fixture.createTrial({ edit: { kind: 'patch', patch } });
    const recorded = await evaluateTrial(fixture.runtime, trial, SLOT, never);
    expect(recorded).toMatchObject({ status: 'failed', label: 'infra_error', labelDetail: 'the cluster is unreachable' });
    expect(recorded.diff).toContain('"x": 2');
    expect(existsSync(join(fixture.dir, '.autolab', 'worktrees', `fixture+${trial.id}`))).toBe(false);
  });
});
