import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { TrialLevelRecord } from '../core/fidelity.ts';
import type { TaskSpec } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import type { LevelOutcome } from '../evaluator/evaluate-level.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';
import { openDriver, type Driver } from '../scheduler/driver.ts';
import { openRuntimeFixture, type RuntimeFixture } from './runtime-fixture.ts';
import { patchProposal, ScriptedSpecialist } from './scripted-specialist.ts';

/** test/fixtures/ladder: a recipe with a three-level ladder (s, m, full). */
export const LADDER_FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'ladder');

const never = new AbortController().signal;

/** A proposal waiting for a slot, as the driver keeps one (`driver.state.waiting`). */
export const waitingProposal = (hypothesis: string) => ({ proposal: patchProposal('tuner', 0, '', { hypothesis }), proposeMs: 1 });

/**
 * Registers an `afterEach` that closes the ladder fixture the test opened; `open` takes
 * what the test changes in the fixture's task.
 *
 * @example
 * const ladder = useLadderFixture();
 * const fixture = await ladder.open((task) => ({ ...task, parallel: 2 }));
 */
export function useLadderFixture(): { open(task?: (task: TaskSpec) => TaskSpec): Promise<RuntimeFixture> } {
  let fixture: RuntimeFixture | null = null;
  afterEach(async () => {
    await fixture?.close();
    fixture = null;
  });
  return {
    async open(task) {
      fixture = await openRuntimeFixture(LADDER_FIXTURE, task === undefined ? {} : { task });
      return fixture;
    },
  };
}

/** A driver whose levels a stand-in for a remote worker measures (`awaitLevel`), proposing nothing itself. */
export function openLadderDriver(runtime: StudyRuntime, awaitLevel: (trial: TrialRecord, level: number) => Promise<LevelOutcome>): Promise<Driver> {
  return openDriver(runtime, [new ScriptedSpecialist('tuner', [])], { stop: never, kill: never, remote: { awaitTrial: async (trial) => trial, awaitLevel } });
}

/**
 * A ladder driver whose every level waits until the test measures it: `measure(trialId,
 * score)` records the level with `record` and hands it back, then waits for the trial's
 * run to settle. `asked` lists the trials whose levels were asked for, in order.
 *
 * @example
 * const { driver, measure } = await scriptedLevelDriver(fixture.runtime, (id, loss) => recordS(id, loss));
 * driver.state.waiting.push(waitingProposal('A'));
 */
export async function scriptedLevelDriver(
  runtime: StudyRuntime,
  record: (trialId: number, score: number) => Promise<TrialLevelRecord>,
): Promise<{ driver: Driver; asked: number[]; measure(trialId: number, score: number): Promise<void> }> {
  const asked: number[] = [];
  const pending = new Map<number, { trial: TrialRecord; resolve(outcome: LevelOutcome): void }>();
  const driver = await openLadderDriver(
    runtime,
    (trial) =>
      new Promise((resolve) => {
        asked.push(trial.id);
        pending.set(trial.id, { trial, resolve });
      }),
  );
  const measure = async (trialId: number, score: number): Promise<void> => {
    const run = [...driver.state.running].find((entry) => entry.trialId === trialId)!;
    const { trial, resolve } = pending.get(trialId)!;
    resolve({ kind: 'measured', trial, level: await record(trialId, score) });
    await run.done;
  };
  return { driver, asked, measure };
}
