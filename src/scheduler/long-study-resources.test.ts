import { getEventListeners } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePatch } from '../testing/recipe-repo.ts';
import { openRuntimeFixture, type RuntimeFixture } from '../testing/runtime-fixture.ts';
import { ScriptedExecutor, scored } from '../testing/scripted-executor.ts';
import { patchProposal, ScriptedSpecialist } from '../testing/scripted-specialist.ts';
import { driveStudy } from './drive-study.ts';

/**
 * A long study does not accumulate listeners or timers: while a driver runs many trials
 * (two slots), the abort listeners on its stop and kill signals and the process's active
 * timers and handles stay within what its first trials used (plus the variation of what is
 * in flight), and its listeners and timers are gone when it returns. One left per trial
 * would grow by about 28 between the first 8 and the last 8 trials.
 */
const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
const TRIALS = 36;
let fixture: RuntimeFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

interface Sample {
  stop: number;
  kill: number;
  timers: number;
  handles: number;
}

describe('a long study', () => {
  it('keeps its listeners, timers and handles bounded, and leaves none behind', async () => {
    const stop = new AbortController();
    const kill = new AbortController();
    const resources = () => process.getActiveResourcesInfo();
    const sample = (): Sample => ({ stop: getEventListeners(stop.signal, 'abort').length, kill: getEventListeners(kill.signal, 'abort').length, timers: resources().filter((kind) => kind === 'Timeout').length, handles: resources().length });
    const samples: Sample[] = [];
    const executor = new ScriptedExecutor({
      run: () => {
        samples.push(sample());
        return {};
      },
      score: (request) => scored({ loss: 100 - Number(request.env.AUTOLAB_TRIAL ?? 0), size: 10 }),
    });
    fixture = await openRuntimeFixture(FIXTURE, { executor, task: (task) => ({ ...task, parallel: 2, preflight: undefined }) });
    await fixture.recordBaseline({ loss: 100, size: 10 });
    const proposals = [];
    for (let x = 1; x <= TRIALS; x++) proposals.push(patchProposal('tuner', 0, await makePatch(fixture.dir, { 'config.json': `{ "x": ${x} }\n` }), { hypothesis: `x = ${x}` }));
    const before = sample();
    const summary = await driveStudy(fixture.runtime, [new ScriptedSpecialist('tuner', proposals)], { stop: stop.signal, kill: kill.signal, trials: TRIALS });
    expect(summary.trialsRun).toBe(TRIALS);
    expect(samples.length).toBe(TRIALS);
    const peak = (list: Sample[], key: keyof Sample) => Math.max(...list.map((entry) => entry[key]));
    const early = samples.slice(0, 8);
    const late = samples.slice(-8);
    // Trials in flight (git processes, their pipes and timeouts) make the counts vary a little; one left per trial would add about 28.
    const slack = { stop: 4, kill: 4, timers: 8, handles: 12 };
    for (const key of ['stop', 'kill', 'timers', 'handles'] as const) expect(peak(late, key), `${key}: ${JSON.stringify(samples.map((entry) => entry[key]))}`).toBeLessThanOrEqual(peak(early, key) + slack[key]);
    const after = sample();
    expect(after.stop).toBe(before.stop);
    expect(after.kill).toBe(before.kill);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
  }, 300_000);
});
