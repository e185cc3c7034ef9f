import { join } from 'node:path';
import { auditEventsOf, type AuditEventType } from '../core/audit-events.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrialRecord } from '../core/trial.ts';
import { makePatch } from '../testing/recipe-repo.ts';
import { openRuntimeFixture, type RuntimeFixture } from '../testing/runtime-fixture.ts';
import { ScriptedExecutor, scored, type PhaseScript } from '../testing/scripted-executor.ts';
import { patchProposal, ScriptedSpecialist } from '../testing/scripted-specialist.ts';
import { driveStudy } from './drive-study.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
const never = new AbortController().signal;
let fixture: RuntimeFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

async function open(run: PhaseScript = {}, parallel = 1): Promise<RuntimeFixture> {
  const executor = new ScriptedExecutor({ run, score: (request) => scored({ loss: Number(request.env.AUTOLAB_TRIAL ?? 0) + 1, size: 10 }) });
  fixture = await openRuntimeFixture(FIXTURE, { executor, task: (task) => ({ ...task, parallel, preflight: undefined }) });
  await fixture.recordBaseline({ loss: 100, size: 10 });
  return fixture;
}

/** Proposals of `x` values on the baseline, each a distinct edit. */
async function proposals(f: RuntimeFixture, name: string, xs: number[]) {
  const made = [];
  for (const x of xs) made.push(patchProposal(name, 0, await makePatch(f.dir, { 'config.json': `{ "x": ${x} }\n` }), { hypothesis: `x = ${x}`, cost: { usd: 0.5, inputTokens: 1, outputTokens: 1, cachedTokens: 0 } }));
  return made;
}

const types = async <K extends AuditEventType>(f: RuntimeFixture, type: K) => auditEventsOf(await f.store.listEvents(f.runtime.studyId), type);
const trials = async (f: RuntimeFixture): Promise<TrialRecord[]> => (await f.store.listTrials(f.runtime.studyId)).filter((trial) => trial.id !== 0);

describe('driveStudy', () => {
  it('turns proposals into recorded trials until --trials, then summarises', async () => {
    const f = await open();
    const tuner = new ScriptedSpecialist('tuner', await proposals(f, 'tuner', [1, 2, 3]));
    const summary = await driveStudy(f.runtime, [tuner], { stop: never, kill: never, trials: 2 });
    expect(summary).toMatchObject({ stopReason: '--trials 2 reached', trialsRun: 2, baseline: { id: 0 }, incumbent: { id: 1, score: 2 } });
    const recorded = await trials(f);
    expect(recorded.map((trial) => [trial.hypothesis, trial.status])).toEqual([['x = 1', 'kept'], ['x = 2', 'discarded']]);
    expect(recorded[0]!.timings.proposeMs).toEqual(expect.any(Number));
    expect(recorded[0]!.cost?.usd).toBe(0.5);
    expect(tuner.contexts[0]!.incumbent.id).toBe(0);
    const names = f.emitted.map(([name]) => name);
    expect(names.indexOf('study.stopping')).toBeLessThan(names.indexOf('study.stopped'));
  });

  it('retries a trial the machine failed once, on a fresh trial at no cost, counted in the failed one\'s place', async () => {
    const f = await open((_request, call) => (call === 1 ? { exitCode: null, machineFault: 'node 7 failed' } : {}));
    const tuner = new ScriptedSpecialist('tuner', await proposals(f, 'tuner', [1]));
    const summary = await driveStudy(f.runtime, [tuner], { stop: never, kill: never, trials: 1 });
    const recorded = await trials(f);
    expect(recorded.map((trial) => trial.label ?? trial.status)).toEqual(['infra_error', 'kept']);
    expect(recorded[1]).toMatchObject({ cost: null, hypothesis: 'x = 1' });
    expect(recorded[1]!.notes).toContain(`retry of trial #${recorded[0]!.id}`);
    expect(summary.trialsRun).toBe(1); // --trials 1 holds: the retry replaces the trial the machine failed
    expect((await types(f, 'trial.retry')).map((event) => event.data.of)).toEqual([recorded[0]!.id]);
  });

  it('stops when the specialists have nothing more to propose, and reports a failing one as a warning', async () => {
    const f = await open();
    const broken = new ScriptedSpecialist('broken', [new Error('provider down')]);
    const done = new ScriptedSpecialist('done', [null]);
    const summary = await driveStudy(f.runtime, [broken, done], { stop: never, kill: never });
    expect(summary.trialsRun).toBe(0);
    expect(summary.stopReason).toMatch(/no specialist/);
    const warnings = f.emitted.filter(([name]) => name === 'warning').map(([, payload]) => (payload as { code: string }).code);
    expect(warnings).toContain('specialist_failed');
  });

  it('on stop, drops the proposals still waiting (recorded, never run) and lets the running trial finish', async () => {
    const stop = new AbortController();
    let release: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (release = resolve));
    const f = await open(async (_request, call) => {
      if (call === 1) {
        stop.abort();
        await running;
      }
      return {};
    });
    const tuner = new ScriptedSpecialist('tuner', await proposals(f, 'tuner', [1, 2, 3]));
    setTimeout(() => release(), 200);
    const summary = await driveStudy(f.runtime, [tuner], { stop: stop.signal, kill: never, maxWaiting: 2 });
    expect(summary.stopReason).toBe('stopped by the user');
    expect((await trials(f)).map((trial) => trial.status)).toEqual(['kept']);
    const dropped = await types(f, 'proposal.dropped');
    expect(dropped.length).toBeGreaterThanOrEqual(1);
    expect(dropped.every((event) => event.data.reason === 'stopped by the user')).toBe(true);
  });

  it('with remote, queues trials without an owner and takes their records from the workers', async () => {
    const f = await open();
    const tuner = new ScriptedSpecialist('tuner', await proposals(f, 'tuner', [1]));
    const queued: TrialRecord[] = [];
    const remote = {
      awaitTrial: async (trial: TrialRecord) => {
        queued.push(trial);
        return f.store.finishTrial(f.runtime.studyId, trial.id, { status: 'failed', label: 'crash', labelDetail: 'on a worker', metrics: {}, score: null, timings: {}, logExcerpt: '' }, () => false);
      },
    };
    const summary = await driveStudy(f.runtime, [tuner], { stop: never, kill: never, trials: 1, remote });
    expect(queued.map((trial) => trial.owner)).toEqual([null]);
    expect(summary.incumbent.id).toBe(0);
    expect((await trials(f)).map((trial) => trial.labelDetail)).toEqual(['on a worker']);
    expect(f.runtime.executor).toBeInstanceOf(ScriptedExecutor);
    expect((f.runtime.executor as ScriptedExecutor).requests).toEqual([]);
  });
});
