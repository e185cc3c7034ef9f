import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storedStudy } from '../../src/testing/stored-study.ts';
import { runCli, startCli, waitFor } from '../../src/testing/cli.ts';
import { gitIn, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'ladder');
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const stored = (dir: string) => storedStudy(dir, 'ladder');

describe('a fidelity ladder resumed after its driver was killed mid-ladder', () => {
  it('takes over the trials measured part of the way up and finishes their climb, losing and doubling nothing', async () => {
    const repo = await makeRecipeRepo(FIXTURE);
    cleanups.push(repo.cleanup);
    const dir = repo.dir;
    // Slow runs (20 ms per unit of size: 0.2 s at s, 0.6 s at m, 2 s at full), and nearly every trial promoted.
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ x: 1, trick: 0, step_ms: 20 }, null, 2) + '\n');
    writeFileSync(join(dir, 'autolab.yaml'), readFileSync(join(dir, 'autolab.yaml'), 'utf8').replace('{ rule: successive_halving, eta: 2 }', '{ rule: top_k, k: 8 }'));
    gitIn(dir, ['commit', '-qam', 'slow runs, generous promotion']);

    const { child, done } = startCli(['run', dir, '--trials', '8']);
    const before = await waitFor(async () => {
      const now = await stored(dir);
      const climbing = now.trials.filter((trial) => trial.id > 0 && trial.finishedAt === null && now.levels.some((level) => level.trialId === trial.id && level.status === 'scored'));
      return climbing.length > 0 && { ...now, climbing };
    }, 120_000, 'a trial measured part of the way up the ladder');
    child.kill('SIGKILL');
    await done;
    const midLadder = before.climbing.map((trial) => trial.id);

    const resumed = await runCli(['run', dir, '--trials', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = await stored(dir);
    expect(after.trials.map((trial) => trial.id)).toEqual([...Array(after.trials.length).keys()]);
    expect(after.trials.filter((trial) => trial.finishedAt === null)).toEqual([]);
    for (const id of midLadder) {
      const trial = after.trials.find((candidate) => candidate.id === id)!;
      expect(trial.label, `trial #${id} was resumed, not interrupted`).not.toBe('interrupted');
      expect(after.events.some((event) => event.type === 'trial.adopted' && event.trialId === id)).toBe(true);
      const highestBefore = Math.max(...before.levels.filter((level) => level.trialId === id && level.status === 'scored').map((level) => level.level));
      // The climb went on from where it stopped: a level above it is measured, the levels below kept as they were.
      expect(after.levels.some((level) => level.trialId === id && level.level > highestBefore)).toBe(true);
      for (const level of before.levels.filter((record) => record.trialId === id)) {
        expect(after.levels.find((record) => record.trialId === id && record.level === level.level)).toEqual(level);
      }
    }
  }, 300_000);
});
