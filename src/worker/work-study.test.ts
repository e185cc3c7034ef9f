import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshPostgresSchema, postgresTestUrl } from '../testing/postgres.ts';
import { openRuntimeFixture, type RuntimeFixture } from '../testing/runtime-fixture.ts';
import { ScriptedExecutor, scored, type PhaseScript } from '../testing/scripted-executor.ts';
import type { QueueStore } from './leased-store.ts';
import { stopReasonOf, workStudy, type WorkOptions } from './work-study.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
const server = postgresTestUrl();
const never = new AbortController().signal;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('stopReasonOf', () => {
  const options = { stop: never, kill: never } as WorkOptions;
  it('stops on the user or after maxTrials claims', () => {
    expect(stopReasonOf({ options, claimed: 5 })).toBeNull();
    expect(stopReasonOf({ options: { ...options, maxTrials: 5 }, claimed: 5 })).toBe('--max-trials 5 reached');
    const stopped = new AbortController();
    stopped.abort();
    expect(stopReasonOf({ options: { ...options, stop: stopped.signal }, claimed: 0 })).toBe('stopped by the user');
  });
});

describe.skipIf(server.url === null)(`workStudy on a shared store${server.reason ? ` (${server.reason})` : ''}`, () => {
  async function open(run: PhaseScript = {}): Promise<{ fixture: RuntimeFixture; options: WorkOptions }> {
    const db = freshPostgresSchema(server.url!, 'autolab_work');
    cleanups.push(db.drop);
    const fixture = await openRuntimeFixture(FIXTURE, { store: db.url, executor: new ScriptedExecutor({ run, score: scored({ loss: 1, size: 1 }) }) });
    cleanups.push(fixture.close);
    const options: WorkOptions = { store: fixture.store as QueueStore, stop: never, kill: never, leaseMs: 20_000, renewEveryMs: 50, pollMs: 20, parallel: 1, log: () => undefined };
    return { fixture, options };
  }

  it('claims queued trials and records them as this worker until --max-trials', async () => {
    const { fixture, options } = await open();
    const baseline = await fixture.store.createTrial(fixture.runtime.studyId, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null });
    const lines: string[] = [];
    const summary = await workStudy(fixture.runtime, { ...options, maxTrials: 1, log: (line) => lines.push(line) });
    expect(summary).toMatchObject({ stopReason: '--max-trials 1 reached', studyName: 'fixture', lost: [], recordedCount: 1 });
    expect(summary.recorded.map((trial) => [trial.id, trial.status, trial.owner?.token])).toEqual([[baseline.id, 'kept', 'fixture-token']]);
    expect(lines.some((line) => line.startsWith('claimed #0'))).toBe(true);
  });

  it('leaves when idle with nothing in flight', async () => {
    const { fixture, options } = await open();
    const summary = await workStudy(fixture.runtime, { ...options, idleExitMs: 0 });
    expect(summary).toMatchObject({ stopReason: 'idle for 0 s', recorded: [] });
  });

  it('stops a run whose lease it lost, and records nothing for it', async () => {
    const { fixture, options } = await open(
      (request) =>
        new Promise((resolve) => {
          // The run goes on until it is stopped; meanwhile its driver records the trial elsewhere.
          request.signal?.addEventListener('abort', () => resolve({ exitCode: null, aborted: true }), { once: true });
          void fixture.store.finishTrial(fixture.runtime.studyId, 0, { status: 'failed', label: 'interrupted', labelDetail: 'the driver was stopped', metrics: {}, score: null, timings: {}, logExcerpt: '' }, () => false);
        }),
    );
    await fixture.store.createTrial(fixture.runtime.studyId, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null });
    const summary = await workStudy(fixture.runtime, { ...options, maxTrials: 1 });
    expect(summary.lost).toEqual([0]);
    expect(summary.recorded).toEqual([]);
    expect(await fixture.store.getTrial(fixture.runtime.studyId, 0)).toMatchObject({ label: 'interrupted', labelDetail: 'the driver was stopped' });
  });
});
