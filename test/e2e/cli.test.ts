import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor } from '../../src/testing/cli.ts';
import { gitIn, makePatch, makeRecipeRepo, slowDownRun } from '../../src/testing/recipe-repo.ts';
import { storedTrials } from '../../src/testing/stored-trials.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The fixture recipe with a run that takes `ms` milliseconds. */
async function slowRecipe(ms: number): Promise<string> {
  const repo = await makeRecipeRepo(FIXTURE);
  cleanups.push(repo.cleanup);
  await slowDownRun(repo.dir, ms);
  return repo.dir;
}

function processesOf(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (environ.includes(`AUTOLAB_DATA=${dir}/`) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // gone or not ours
    }
  }
  return pids;
}

describe('the autolab CLI', () => {
  it('runs a study, then lists trials as stable JSON', async () => {
    const repo = await makeRecipeRepo(FIXTURE);
    cleanups.push(repo.cleanup);
    const run = await runCli(['run', repo.dir, '--trials', '4']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Stopped: --trials 4 reached');
    expect(run.stdout).toMatch(/incumbent #\d+: loss = /);
    const listed = await runCli(['trials', repo.dir, '--json']);
    const trials = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    expect(trials).toHaveLength(5);
    for (const trial of trials) {
      for (const key of ['id', 'specialist', 'parent', 'status', 'label', 'metrics', 'score', 'commit']) expect(trial).toHaveProperty(key);
    }
    expect(trials[0]).toMatchObject({ id: 0, specialist: 'baseline', parent: null, status: 'kept', score: 9 });
    const resumed = await runCli(['run', repo.dir, '--trials', '2']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('resuming (4 trials so far)');
    expect(JSON.parse((await runCli(['trials', repo.dir, '--json'])).stdout)).toHaveLength(7);
    const lineage = await runCli(['lineage', repo.dir]);
    expect(lineage.stdout).toContain('## Path from baseline to incumbent');
    const show = await runCli(['show', '1', '--task', repo.dir]);
    expect(show.stdout).toContain('diff --git a/config.json b/config.json');
  });

  it('recovers from a driver killed with SIGKILL: interrupted, no orphans, nothing lost or doubled', async () => {
    const dir = await slowRecipe(4000);
    // Unsandboxed: no sandbox's --die-with-parent ends the dead driver's runs (test/soak covers
    // sandboxed runs).
    // A run long enough (and a budget longer still) that the driver dies while one is running.
    const task = readFileSync(join(dir, 'autolab.yaml'), 'utf8').replace('run: { command: node train.js, timeout: 3s }', 'run: { command: node train.js, timeout: 30s }');
    await writeFile(join(dir, 'autolab.yaml'), task + 'sandbox: none\n');
    gitIn(dir, ['commit', '-qam', 'no sandbox']);
    const { child, done } = startCli(['run', dir, '--trials', '6']);
    const running = await waitFor(async () => {
      const trials = await storedTrials(dir);
      // A run that has printed (then only sleeps): killed earlier, its first write to the dead driver's pipe would end it.
      const printed = (id: number) => {
        const log = join(dir, '.autolab', 'studies', 'fixture', 'trials', String(id), 'run.log');
        return existsSync(log) && readFileSync(log, 'utf8').includes('trained with');
      };
      return trials.filter((trial) => trial.id > 0 && trial.status === 'running' && printed(trial.id)).length >= 1 && trials;
    }, 150_000, 'a running trial that has printed');
    const finishedBefore = running.filter((trial) => trial.finishedAt !== null);
    child.kill('SIGKILL');
    await done;
    // The process launcher kills the dead driver's runs as it exits; a run the driver spawned
    // itself (while its launcher was starting) lives on until the next run reaps it by token.
    const resumed = await runCli(['run', dir, '--trials', '2']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/recorded as interrupted/);
    const trials = await storedTrials(dir);
    expect(trials.map((trial) => trial.id)).toEqual([...Array(trials.length).keys()]);
    const interrupted = trials.filter((trial) => trial.label === 'interrupted');
    expect(interrupted.length).toBeGreaterThanOrEqual(1);
    expect(interrupted[0]!.labelDetail).toContain('stopped while the trial was');
    for (const before of finishedBefore) {
      const after = trials.find((trial) => trial.id === before.id)!;
      expect({ status: after.status, score: after.score, finishedAt: after.finishedAt }).toEqual({ status: before.status, score: before.score, finishedAt: before.finishedAt });
    }
    expect(trials.filter((trial) => trial.status === 'running' || trial.status === 'pending')).toEqual([]);
    expect(processesOf(dir)).toEqual([]);
    expect(readdirSync(join(dir, '.autolab', 'worktrees'))).toEqual([]);
  });

  it('Ctrl-C once finishes running trials; twice kills them as interrupted', async () => {
    const dir = await slowRecipe(2000);
    const first = startCli(['run', dir, '--trials', '20']);
    await waitFor(async () => (await storedTrials(dir)).some((trial) => trial.id > 0 && trial.status === 'running'), 120_000, 'a running trial');
    first.child.kill('SIGINT');
    const graceful = await first.done;
    expect(graceful.code).toBe(0);
    expect(graceful.stdout).toContain('Stopped: stopped by the user');
    let trials = await storedTrials(dir);
    expect(trials.some((trial) => trial.label === 'interrupted')).toBe(false);
    expect(trials.every((trial) => trial.finishedAt !== null)).toBe(true);

    const second = startCli(['run', dir, '--trials', '20']);
    await waitFor(async () => (await storedTrials(dir)).some((trial) => trial.id > trials.length - 1 && trial.status === 'running'), 120_000, 'a running trial');
    second.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 100));
    second.child.kill('SIGINT');
    // No wall-clock bound here (a loaded machine exits late): the interrupted label below
    // proves the second Ctrl-C killed the running trials instead of waiting for them.
    const forced = await second.done;
    expect(forced.code).toBe(0);
    trials = await storedTrials(dir);
    expect(trials.filter((trial) => trial.label === 'interrupted').length).toBeGreaterThanOrEqual(1);
    expect(trials.every((trial) => trial.finishedAt !== null)).toBe(true);
    expect(processesOf(dir)).toEqual([]);
  });

  it('submit works while run drives the same study in another process', async () => {
    const dir = await slowRecipe(700);
    const driver = startCli(['run', dir, '--trials', '6']);
    await waitFor(async () => (await storedTrials(dir)).some((trial) => trial.id === 0 && trial.finishedAt !== null), 120_000, 'the baseline');
    const patch = await makePatch(dir, { 'config.json': '{ "x": 3 }\n' });
    const patchFile = join(dir, '.autolab', 'x-is-3.patch');
    await writeFile(patchFile, patch);
    const submitted = await runCli(['submit', patchFile, '--hypothesis', 'x is exactly the target', '--parent', '0', '--json', '--task', dir]);
    expect(submitted.stderr).toBe('');
    const trial = JSON.parse(submitted.stdout);
    expect(trial).toMatchObject({ specialist: 'manual', status: 'kept', score: 0, label: null });
    expect(trial.commit).toMatch(/^[0-9a-f]{40}$/);
    const run = await driver.done;
    expect(run.code).toBe(0);
    const trials = await storedTrials(dir);
    expect(trials.map((t) => t.id)).toEqual([...Array(7 + 1).keys()]);
    expect(trials.filter((t) => t.specialist === 'manual')).toHaveLength(1);
  });

  it('explains a broken task file with file:line:col and exits 1', async () => {
    const repo = await makeRecipeRepo(FIXTURE);
    cleanups.push(repo.cleanup);
    const yaml = readFileSync(join(repo.dir, 'autolab.yaml'), 'utf8').replace('direction: minimize', 'direction: smallest');
    await writeFile(join(repo.dir, 'autolab.yaml'), yaml);
    const result = await runCli(['run', repo.dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/autolab\.yaml:4:\d+: objective\.direction/);
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('init writes a task file that loads, and schema prints the JSON Schema', async () => {
    const repo = await makeRecipeRepo(FIXTURE);
    cleanups.push(repo.cleanup);
    const target = join(repo.dir, 'fresh');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(target);
    expect((await runCli(['init', target])).code).toBe(0);
    expect(readFileSync(join(target, 'autolab.yaml'), 'utf8')).toContain('objective');
    expect((await runCli(['init', target])).code).toBe(1);
    const schema = JSON.parse((await runCli(['schema'])).stdout);
    expect(schema.properties).toHaveProperty('objective');
  });
});
