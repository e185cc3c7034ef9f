import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrialRecord } from '../../src/core/trial.ts';
import { parseStatusFile } from '../../src/executors/slurm/batch-script.ts';
import { SlurmExecutor } from '../../src/executors/slurm/slurm-executor.ts';
import { measureSlurmStartupMs, slurmForTests } from '../../src/executors/slurm/testing/slurm-for-tests.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { runCli, startCli, waitFor } from '../../src/testing/cli.ts';
import { gitIn, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const slurm = slurmForTests();

async function storedTrials(dir: string): Promise<TrialRecord[]> {
  const file = join(dir, '.autolab', 'autolab.db');
  if (!existsSync(file)) return [];
  const store = await SqliteStore.open(file);
  try {
    const study = await store.getStudy('fixture');
    return study ? await store.listTrials(study.id) : [];
  } finally {
    await store.close();
  }
}

function trialDir(dir: string, id: number): string {
  return join(dir, '.autolab', 'studies', 'fixture', 'trials', String(id));
}

async function jobIdOf(dir: string, id: number): Promise<string | null> {
  const text = await readFile(join(trialDir(dir, id), 'run.job'), 'utf8').catch(() => null);
  return text === null ? null : (text.trim().split(/\s+/)[0] ?? null);
}

/** The node's start and end stamps (ms) the batch script recorded in a run's status file. */
async function runStamps(dir: string, id: number): Promise<{ startedMs: number | null; endedMs: number | null; exited: boolean }> {
  const record = parseStatusFile(await readFile(join(trialDir(dir, id), 'run.status'), 'utf8').catch(() => ''));
  const ms = (ns: bigint | null) => (ns === null ? null : Number(ns / 1_000_000n));
  return { startedMs: ms(record.startedNs), endedMs: ms(record.endedNs), exited: record.exitCode !== null };
}

function jobState(jobId: string): string {
  return execFileSync('squeue', ['-h', '-j', jobId, '-o', '%T'], { encoding: 'utf8' }).trim();
}

/** Every job of this study's trials that Slurm ran or holds, by name (sacct, this user, today). */
function jobsNamed(suffix: RegExp): string[] {
  const text = execFileSync('sacct', ['-n', '-X', '-P', '-S', 'now-1hours', '-o', 'JobID,JobName%80'], { encoding: 'utf8' });
  return text
    .split('\n')
    .map((line) => line.split('|'))
    .filter(([, name]) => name !== undefined && suffix.test(name))
    .map(([id]) => id!);
}

/**
 * A driver killed with SIGKILL while its trials' Slurm jobs are queued, running and
 * completed: the next `autolab run` adopts every one of them (by the job record beside
 * each log and the job's status file), records each with its real outcome, and submits
 * none of them again.
 */
describe('a restarted driver adopts the Slurm jobs of the dead one', () => {
  if (!slurm.available && slurm.required) {
    it('has a real Slurm to run on (CI starts one with .ci/services/slurm.sh)', () => {
      throw new Error(slurm.problem ?? 'Slurm is missing');
    });
  }

  describe.runIf(slurm.available)('on a real single-node Slurm', () => {
    let repo: { dir: string; cleanup: () => Promise<void> };
    let blocker: string | null = null;
    /** How long trial 1's run lasts, trials 2 and 3 last longer; trial 1's score (on the driver) lasts `scoreMs`. */
    let shortMs = 3_000;
    let longMs = 12_000;
    const scoreMs = 6_000;

    beforeAll(async () => {
      repo = await makeRecipeRepo(FIXTURE);
      const scratch = await mkdtemp(join(tmpdir(), 'autolab-slurm-startup-'));
      const startupMs = await measureSlurmStartupMs(new SlurmExecutor({ partition: 'debug', pollIntervalMs: 250 }), scratch, 'node -e 0').finally(() => rm(scratch, { recursive: true, force: true }));
      shortMs = Math.max(3_000, Math.ceil(2 * startupMs));
      longMs = shortMs + Math.max(10_000, Math.ceil(4 * startupMs));
      const budgetS = Math.ceil((longMs + 10 * startupMs + 30_000) / 1_000);
      // Trial 1 runs short, the others long; trial 1's score lasts long enough to be killed in.
      await writeFile(
        join(repo.dir, 'train.js'),
        [
          "import { readFileSync, writeFileSync } from 'node:fs';",
          "const config = JSON.parse(readFileSync('config.json', 'utf8'));",
          'const trial = Number(process.env.AUTOLAB_TRIAL);',
          `const ms = trial === 0 ? 0 : trial === 1 ? ${shortMs} : ${longMs};`,
          'await new Promise((resolve) => setTimeout(resolve, ms));',
          `writeFileSync(process.env.AUTOLAB_ARTIFACTS + '/model.json', JSON.stringify({ x: config.x, pause: trial === 1 ? ${scoreMs} : 0 }));`,
          'console.log(`trained trial ${trial} with x=${config.x}`);',
          '',
        ].join('\n'),
      );
      const score = await readFile(join(repo.dir, 'score.js'), 'utf8');
      await writeFile(join(repo.dir, 'score.js'), score.replace("const until = Date.now() + (model.work ?? 0);\nwhile (Date.now() < until) { /* an expensive evaluation */ }", 'await new Promise((resolve) => setTimeout(resolve, model.pause ?? 0));'));
      const task = (await readFile(join(repo.dir, 'autolab.yaml'), 'utf8'))
        .replace('run: { command: node train.js, timeout: 3s }', `run: { command: node train.js, timeout: ${budgetS}s }`)
        .replace('score: { command: node score.js, timeout: 3s }', `score: { command: node score.js, timeout: ${budgetS}s }`)
        .replace('parallel: 2', 'parallel: 3');
      await writeFile(join(repo.dir, 'autolab.yaml'), `${task}budget: { trials: 3 }\nexecutor: { kind: slurm, partition: debug, cpus_per_trial: 1, mem: 256MB, poll_interval: 250ms }\n`);
      gitIn(repo.dir, ['commit', '-q', '-am', 'slow trials on Slurm']);
    });

    afterAll(async () => {
      if (blocker !== null) execFileSync('scancel', [blocker]);
      await repo?.cleanup();
    });

    it('adopts queued, running and completed jobs: none lost, none run again, parallel respected', async () => {
      const dir = repo.dir;
      // A job that leaves two CPUs of the node free: the baseline runs, then of trials 1-3
      // (one CPU each) the third waits in the queue.
      const node = execFileSync('scontrol', ['show', 'node', '-o'], { encoding: 'utf8' });
      const total = Number(/CPUTot=(\d+)/.exec(node)![1]);
      const allocated = Number(/CPUAlloc=(\d+)/.exec(node)![1]);
      blocker = execFileSync('sbatch', ['--parsable', '-p', 'debug', '-J', 'autolab-test-blocker', '-c', String(total - allocated - 2), '--mem=64M', '-o', '/dev/null', '--wrap', 'sleep 900'], { encoding: 'utf8' }).trim().split(';')[0]!;
      await waitFor(() => jobState(blocker!) === 'RUNNING', 60_000, 'the blocking job to run');

      const first = startCli(['run', dir]);
      // Kill the driver once trial 1's job has completed (its score is running on the
      // driver, unrecorded), trial 2's job runs and trial 3's waits in the queue.
      const seen = await waitFor(
        async () => {
          const [one, two, three] = await Promise.all([jobIdOf(dir, 1), jobIdOf(dir, 2), jobIdOf(dir, 3)]);
          if (one === null || two === null || three === null) return false;
          const stamps = await runStamps(dir, 1);
          if (!stamps.exited) return false;
          const trials = await storedTrials(dir);
          if (trials.find((trial) => trial.id === 1)?.finishedAt !== null) throw new Error('trial 1 was recorded before the driver could be killed');
          return { one, two, three, states: [jobState(two), jobState(three)] };
        },
        longMs + 120_000,
        'trial 1 completed while 2 runs and 3 waits',
      );
      first.child.kill('SIGKILL');
      const killedAt = Date.now();
      await first.done;
      expect(seen.states).toEqual(['RUNNING', 'PENDING']);
      const before = await storedTrials(dir);
      expect(before.filter((trial) => trial.id > 0).map((trial) => [trial.id, trial.finishedAt])).toEqual([
        [1, null],
        [2, null],
        [3, null],
      ]);

      // Seconds of completed work adoption keeps: trial 1's whole run, trial 2's run so far.
      const one = await runStamps(dir, 1);
      const two = await runStamps(dir, 2);
      const savedS = ((one.endedMs! - one.startedMs!) + (killedAt - two.startedMs!)) / 1_000;

      // The restarted driver: its jobs go on; the queued one starts once the node frees.
      let maxRunning = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const trials = await storedTrials(dir).catch(() => []);
          maxRunning = Math.max(maxRunning, trials.filter((trial) => trial.status === 'running').length);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      const second = startCli(['run', dir]);
      await waitFor(async () => (await storedTrials(dir)).find((trial) => trial.id === 1)?.finishedAt != null, longMs + 60_000, 'trial 1 recorded by the new driver');
      execFileSync('scancel', [blocker]);
      blocker = null;
      const resumed = await second.done;
      sampling = false;
      await sampler;
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/adopted/);
      expect(resumed.stdout).not.toMatch(/recorded as interrupted/);

      const after = await storedTrials(dir);
      expect(after.map((trial) => trial.id)).toEqual([0, 1, 2, 3]); // the budget of 3 trials holds
      for (const trial of after) {
        expect(trial.label, JSON.stringify(trial)).not.toBe('interrupted');
        expect(['kept', 'discarded'], JSON.stringify(trial)).toContain(trial.status);
      }
      // The same job for each trial: none submitted again.
      expect([await jobIdOf(dir, 1), await jobIdOf(dir, 2), await jobIdOf(dir, 3)]).toEqual([seen.one, seen.two, seen.three]);
      for (const id of [1, 2, 3]) expect(jobsNamed(new RegExp(`^autolab-[0-9a-z]+-${id}-run$`)).filter((job) => !job.includes('.'))).toHaveLength(1);
      expect(await readFile(join(trialDir(dir, 1), 'run.log'), 'utf8')).toContain('trained trial 1');
      expect(maxRunning).toBeLessThanOrEqual(3);
      console.log(JSON.stringify({ figure: 'adoption', completedWorkSavedSeconds: Math.round(savedS * 10) / 10, shortMs, longMs }));
    }, 600_000);
  });
});
