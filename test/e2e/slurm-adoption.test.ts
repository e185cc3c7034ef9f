import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStatusFile } from '../../src/executors/slurm/batch-script.ts';
import { SlurmExecutor } from '../../src/executors/slurm/slurm-executor.ts';
import { measureSlurmStartupMs, slurmForTests } from '../../src/testing/slurm-for-tests.ts';
import { startCli, waitFor } from '../../src/testing/cli.ts';
import { gitIn, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';
import { storedTrials } from '../../src/testing/stored-trials.ts';
import { onRealSlurm } from '../../src/testing/on-real-slurm.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const slurm = slurmForTests();

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

/**
 * A driver killed with SIGKILL while its trials' Slurm jobs are queued, running and
 * completed: the next `autolab run` adopts every one of them (by the job record beside
 * each log and the job's status file), records each with its real outcome, and submits
 * none of them again.
 */
describe('a restarted driver adopts the Slurm jobs of the dead one', () => {
  onRealSlurm(slurm, () => {
    let repo: { dir: string; cleanup: () => Promise<void> };
    const blockers: string[] = [];
    /** The longest a trial's run lasts unless the test tells it to finish (a `finish-<trial>` file in the data folder). */
    let longMs = 120_000;
    /** How long the score of each trial (on the driver) lasts: the window to kill the driver in. */
    let scoreMs = 6_000;
    let startupMs = 2_000;

    /** Lets a trial's run finish: a `finish` file in its worktree (the run prints where that is). */
    const finish = async (id: number) => {
      const log = await waitFor(async () => /^worktree (.+)$/m.exec(await readFile(join(trialDir(repo.dir, id), 'run.log'), 'utf8').catch(() => '')) ?? false, 60_000, `trial ${id}'s worktree`);
      await writeFile(join(log[1]!, 'finish'), '');
    };
    const block = (cpus: number) => {
      const id = execFileSync('sbatch', ['--parsable', '-p', 'debug', '-J', 'autolab-test-blocker', '-c', String(cpus), '--mem=64M', '-o', '/dev/null', '--wrap', 'sleep 900'], { encoding: 'utf8' }).trim().split(';')[0]!;
      blockers.push(id);
      return id;
    };
    const unblock = (id: string) => {
      execFileSync('scancel', [id]);
      blockers.splice(blockers.indexOf(id), 1);
    };

    beforeAll(async () => {
      repo = await makeRecipeRepo(FIXTURE);
      const scratch = await mkdtemp(join(tmpdir(), 'autolab-slurm-startup-'));
      startupMs = await measureSlurmStartupMs(new SlurmExecutor({ partition: 'debug', pollIntervalMs: 250 }), scratch, 'node -e 0').finally(() => rm(scratch, { recursive: true, force: true }));
      longMs = Math.max(120_000, Math.ceil(20 * startupMs));
      scoreMs = Math.max(6_000, Math.ceil(3 * startupMs));
      const budgetS = Math.ceil((longMs + 10 * startupMs + 30_000) / 1_000);
      // Each run waits until the test lets it finish (or longMs); each score lasts scoreMs.
      await writeFile(
        join(repo.dir, 'train.js'),
        [
          "import { existsSync, readFileSync, writeFileSync } from 'node:fs';",
          "const config = JSON.parse(readFileSync('config.json', 'utf8'));",
          'const trial = Number(process.env.AUTOLAB_TRIAL);',
          'console.log(`worktree ${process.cwd()}`);',
          `const until = Date.now() + (trial === 0 ? 0 : ${longMs});`,
          'while (Date.now() < until && !existsSync("finish")) await new Promise((resolve) => setTimeout(resolve, 200));',
          `writeFileSync(process.env.AUTOLAB_ARTIFACTS + '/model.json', JSON.stringify({ x: config.x, pause: trial === 0 ? 0 : ${scoreMs} }));`,
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
      // Whatever a failed run left in the queue: the blockers and the trials' jobs.
      const jobs = repo === undefined ? [] : (await Promise.all([1, 2, 3].map((id) => jobIdOf(repo.dir, id)))).filter((id): id is string => id !== null);
      if (blockers.length + jobs.length > 0) execFileSync('scancel', [...blockers, ...jobs]);
      if (process.env.AUTOLAB_TEST_KEEP === '1') console.log(`kept ${repo?.dir}`);
      else await repo?.cleanup();
    });

    it('adopts queued, running and completed jobs: none lost, none run again, parallel respected', async () => {
      const dir = repo.dir;
      // Jobs that leave one CPU of the node free (two blockers: all but two CPUs, and one):
      // the baseline runs, then one of trials 1-3 starts and two wait in the queue.
      const total = Number(/CPUTot=(\d+)/.exec(execFileSync('scontrol', ['show', 'node', '-o'], { encoding: 'utf8' }))![1]);
      const wide = block(total - 2);
      const narrow = block(1);
      await waitFor(() => jobState(wide) === 'RUNNING' && jobState(narrow) === 'RUNNING', 300_000, 'the blocking jobs to run');

      const first = startCli(['run', dir]);
      const submitted = await waitFor(
        async () => {
          const ids = await Promise.all([1, 2, 3].map((id) => jobIdOf(dir, id)));
          if (ids.some((id) => id === null)) return false;
          const states = ids.map((id) => jobState(id!));
          return states.filter((state) => state === 'RUNNING').length === 1 && states.filter((state) => state === 'PENDING').length === 2 && { ids: ids as string[], states };
        },
        120_000 + 20 * startupMs,
        'three trials submitted, one running',
      );
      // The first to run completes; of the queued ones, one is held (it stays queued) and
      // the other starts once the narrow blocker leaves.
      const completed = 1 + submitted.states.indexOf('RUNNING');
      const [running, queued] = [1, 2, 3].filter((id) => id !== completed) as [number, number];
      execFileSync('scontrol', ['hold', submitted.ids[queued - 1]!]);
      unblock(narrow);
      await waitFor(async () => jobState(submitted.ids[running - 1]!) === 'RUNNING' && (await runStamps(dir, running)).startedMs !== null, 120_000, 'the second trial running');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await finish(completed);
      // Kill the driver while it scores the completed trial (its job is done, the trial unrecorded).
      await waitFor(
        async () => {
          if (!(await runStamps(dir, completed)).exited) return false;
          const trial = (await storedTrials(dir)).find((candidate) => candidate.id === completed);
          if (trial?.finishedAt != null) throw new Error(`trial ${completed} was recorded before the driver could be killed`);
          return true;
        },
        60_000 + 10 * startupMs,
        'the first trial completed',
      );
      first.child.kill('SIGKILL');
      const killedAt = Date.now();
      await first.done;
      expect([jobState(submitted.ids[running - 1]!), jobState(submitted.ids[queued - 1]!)]).toEqual(['RUNNING', 'PENDING']);
      const before = await storedTrials(dir);
      expect(before.filter((trial) => trial.id > 0).map((trial) => [trial.id, trial.finishedAt])).toEqual([
        [1, null],
        [2, null],
        [3, null],
      ]);
      // Seconds of work adoption keeps: the completed trial's whole run, the running one's so far.
      const done = await runStamps(dir, completed);
      const ongoing = await runStamps(dir, running);
      const savedS = (done.endedMs! - done.startedMs! + (killedAt - ongoing.startedMs!)) / 1_000;

      // The restarted driver: it waits on the jobs; the held one starts once released.
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
      await waitFor(async () => (await storedTrials(dir)).find((trial) => trial.id === completed)?.finishedAt != null, 60_000 + 10 * startupMs, 'the completed trial recorded by the new driver').catch(async (error: unknown) => {
        second.child.kill('SIGINT');
        const output = await second.done;
        throw new Error(`${(error as Error).message}; the new driver said:\n${output.stdout}\n${output.stderr}`);
      });
      execFileSync('scontrol', ['release', submitted.ids[queued - 1]!]);
      unblock(wide);
      await finish(running);
      await waitFor(() => jobState(submitted.ids[queued - 1]!) === 'RUNNING', 300_000, 'the released job to run');
      await finish(queued);
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
      // The same job for each trial, each run started once: none submitted or run again.
      expect(await Promise.all([1, 2, 3].map((id) => jobIdOf(dir, id)))).toEqual(submitted.ids);
      for (const id of [1, 2, 3]) expect(parseStatusFile(await readFile(join(trialDir(dir, id), 'run.status'), 'utf8')).starts, `trial ${id}`).toBe(1);
      expect((await readFile(join(trialDir(dir, completed), 'run.log'), 'utf8')).match(/trained trial/g)).toHaveLength(1);
      expect(maxRunning).toBeLessThanOrEqual(3);
      console.log(JSON.stringify({ figure: 'adoption', completedWorkSavedSeconds: Math.round(savedS * 10) / 10, startupMs: Math.round(startupMs) }));
    }, 900_000);
  });
});
