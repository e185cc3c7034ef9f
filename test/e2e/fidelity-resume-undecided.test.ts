import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditEventsOf } from '../../src/core/audit-events.ts';
import type { StudyEvent } from '../../src/core/store.ts';
import type { TrialRecord } from '../../src/core/trial.ts';
import { storedStudy } from '../../src/testing/stored-study.ts';
import { runCli, startCli, waitFor } from '../../src/testing/cli.ts';
import { gitIn, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'ladder');
const MIN_RUNG = 6;
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const stored = (dir: string) => storedStudy(dir, 'ladder');

/** When the promotion rule decided a trial at level `s`: its `trial.promoted` from s, or its record as not promoted past s. */
function decisionAt(trial: TrialRecord, events: StudyEvent[]): { at: string; reason: string } | null {
  const promoted = auditEventsOf(events, 'trial.promoted').find((event) => event.trialId === trial.id && event.data.from === 's');
  if (promoted) return { at: promoted.at, reason: promoted.data.reason };
  if (trial.label === 'pruned' && trial.labelDetail?.includes('past fidelity level s') === true) return { at: trial.finishedAt!, reason: trial.labelDetail };
  return null;
}

describe('a ladder driver killed while a trial waits undecided for min_rung results', () => {
  it('leaves the trial undecided; the next run takes it over undecided and decides it once its level holds min_rung results', async () => {
    const repo = await makeRecipeRepo(FIXTURE);
    cleanups.push(repo.cleanup);
    const dir = repo.dir;
    // Slow runs (0.2 s at s), two levels, and no decision at s before it holds MIN_RUNG results (the baseline counted).
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ x: 1, trick: 0, step_ms: 20 }, null, 2) + '\n');
    const task = readFileSync(join(dir, 'autolab.yaml'), 'utf8')
      .replace('    - { name: m, env: { SIZE: "30" }, scale: 0.3 }\n', '')
      .replace('{ rule: successive_halving, eta: 2 }', `{ rule: successive_halving, eta: 2, min_rung: ${MIN_RUNG} }`);
    writeFileSync(join(dir, 'autolab.yaml'), `${task}parallel: 1\n`);
    gitIn(dir, ['commit', '-qam', 'slow runs, two levels, min_rung']);

    const { child, done } = startCli(['run', dir, '--trials', '8']);
    const before = await waitFor(async () => {
      const now = await stored(dir);
      const undecided = now.trials.filter((trial) => trial.id > 0 && trial.finishedAt === null && now.levels.some((level) => level.trialId === trial.id && level.status === 'scored'));
      return undecided.length > 0 && { ...now, undecided };
    }, 120_000, 'a trial measured at s, waiting undecided');
    child.kill('SIGKILL');
    await done;
    const atKill = await stored(dir);
    const heldAtKill = atKill.levels.filter((record) => record.level === 0 && record.status === 'scored').length;
    expect(heldAtKill).toBeLessThan(MIN_RUNG);
    const waiting = atKill.trials.filter((trial) => trial.id > 0 && trial.finishedAt === null && atKill.levels.some((level) => level.trialId === trial.id && level.status === 'scored')).map((trial) => trial.id);
    expect(waiting).toEqual(expect.arrayContaining(before.undecided.map((trial) => trial.id)));
    for (const id of waiting) {
      const trial = atKill.trials.find((candidate) => candidate.id === id)!;
      expect(trial.finishedAt, `trial #${id} is still unfinished after the kill`).toBeNull();
      expect(decisionAt(trial, atKill.events), `trial #${id} was not decided before the kill`).toBeNull();
    }

    const resumed = await runCli(['run', dir, '--trials', String(MIN_RUNG)]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = await stored(dir);
    expect(after.trials.filter((trial) => trial.finishedAt === null)).toEqual([]);
    const resumedAt = auditEventsOf(after.events, 'trial.adopted').find((event) => event.trialId === waiting[0])?.at;
    expect(resumedAt, `trial #${waiting[0]} was taken over`).toBeDefined();
    // The measurements at s the resumed run made (new trials'), in order.
    const newAtS = after.levels.filter((record) => record.level === 0 && record.status === 'scored' && record.measuredAt > resumedAt!).map((record) => record.measuredAt).sort();
    for (const id of waiting) {
      const trial = after.trials.find((candidate) => candidate.id === id)!;
      expect(trial.label, `trial #${id} was taken over, not interrupted`).not.toBe('interrupted');
      expect(after.events.some((event) => event.type === 'trial.adopted' && event.trialId === id)).toBe(true);
      // Its measurement at s was kept as it was, not repeated.
      expect(after.levels.filter((record) => record.trialId === id && record.level === 0)).toEqual(atKill.levels.filter((record) => record.trialId === id && record.level === 0));
      // Undecided when taken over: decided only after the resumed run measured new trials at s, against a level of at least MIN_RUNG.
      const decision = decisionAt(trial, after.events);
      expect(decision, `trial #${id} was decided at s`).not.toBeNull();
      const rung = Number(/ of (\d+) at s/.exec(decision!.reason)?.[1]);
      expect(rung, decision!.reason).toBeGreaterThanOrEqual(MIN_RUNG);
      expect(newAtS.length).toBeGreaterThan(0);
      expect(decision!.at >= newAtS[MIN_RUNG - heldAtKill - 1]!, `decided once s held ${MIN_RUNG} results: ${decision!.reason}`).toBe(true);
    }
  }, 300_000);
});
