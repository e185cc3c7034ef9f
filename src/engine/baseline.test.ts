import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commandResult, scored, ScriptedExecutor } from '../testing/scripted-executor.ts';
import { openRuntimeFixture, type RuntimeFixture } from '../testing/runtime-fixture.ts';
import { ensureBaseline } from './baseline.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
let fixture: RuntimeFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('ensureBaseline', () => {
  it("measures again a baseline the machine failed (infra_error), in this run and in the next, never a recipe's failure", async () => {
    let runs = 0;
    // The first run lands on a wrong partition (the machine's fault); the next ones work.
    const executor = new ScriptedExecutor({
      run: () => (++runs === 1 ? commandResult({ exitCode: null, machineFault: "sbatch: error: invalid partition specified: gpux" }) : commandResult()),
      score: scored({ loss: 9, size: 10 }),
    });
    fixture = await openRuntimeFixture(FIXTURE, { executor });
    const signal = new AbortController().signal;
    const baseline = await ensureBaseline(fixture.runtime, signal);
    expect(baseline).toMatchObject({ id: 0, status: 'kept', score: 9 });
    expect(runs).toBe(2);
    const events = await fixture.store.listEvents(fixture.runtime.studyId);
    expect(events.map((event) => event.type)).toContain('trial.reopened');
    expect(fixture.emitted.some(([name, payload]) => name === 'warning' && JSON.stringify(payload).includes('measuring it again'))).toBe(true);
  });

  it('keeps a baseline the recipe failed: the study stops with advice', async () => {
    fixture = await openRuntimeFixture(FIXTURE, { executor: new ScriptedExecutor({ run: commandResult({ exitCode: 1, outputTail: 'Traceback: boom' }) }) });
    await expect(ensureBaseline(fixture.runtime, new AbortController().signal)).rejects.toThrow(/the baseline \(trial #0, the unmodified recipe\) failed: crash/);
    expect(await fixture.store.reopenFailedBaseline?.(fixture.runtime.studyId, fixture.runtime.owner)).toBe(false);
  });
});
