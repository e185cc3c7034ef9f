import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../testing/cli.ts';
import { parseStatusFile } from './batch-script.ts';
import { execSlurmCommand, type SlurmCommandRunner } from './slurm-commands.ts';
import { SlurmExecutor } from './slurm-executor.ts';
import { measureSlurmStartupMs, slurmForTests } from '../../testing/slurm-for-tests.ts';
import { commandRequests } from '../../testing/command-requests.ts';
import { onRealSlurm } from '../../testing/on-real-slurm.ts';

const slurm = slurmForTests();
const bwrapRequired = process.env.AUTOLAB_TEST_BWRAP === '1' || process.env.CI === 'true';

let dir: string;
const TOKEN = `${Math.random().toString(16).slice(2, 10)}-features`;
const request = commandRequests({
  cwd: () => join(dir, 'worktree'),
  logFile: (n) => join(dir, `t${n}`, 'run.log'),
  timeoutMs: 120_000,
  env: (n) => ({ AUTOLAB_RUN_TOKEN: TOKEN, AUTOLAB_TRIAL: String(n), AUTOLAB_PHASE: 'run' }),
});

/** Runs Slurm's commands for real, adding up how long each `sbatch` took. */
function timedRunner(): { run: SlurmCommandRunner; sbatchMs: () => number; sbatchCalls: () => number } {
  const real = execSlurmCommand();
  let total = 0;
  let calls = 0;
  return {
    run: async (command, args) => {
      const started = performance.now();
      const result = await real(command, args);
      if (command === 'sbatch') {
        total += performance.now() - started;
        calls += 1;
      }
      return result;
    },
    sbatchMs: () => total,
    sbatchCalls: () => calls,
  };
}

describe('Slurm features GPU users rely on', () => {
  onRealSlurm(slurm, () => {
    let startupMs = 0;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'autolab-slurm-features-'));
      await mkdir(join(dir, 'worktree'));
      startupMs = await measureSlurmStartupMs(new SlurmExecutor({ pollIntervalMs: 250 }), join(dir, 'worktree'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('submits the repeats of a trial as one job array: one sbatch, one element per repeat, each with its own log', async () => {
      const arrayRunner = timedRunner();
      const arrays = new SlurmExecutor({ pollIntervalMs: 250, runCommand: arrayRunner.run, groupWaitMs: 60_000 });
      const group = { id: `features-${request.made()}`, size: 4 };
      const requests = [0, 1, 2, 3].map((repeat) => request(`echo "repeat ${repeat} seed $AUTOLAB_SEED"`, { env: { ...request('').env, AUTOLAB_SEED: String(repeat) }, group }));
      const results = await Promise.all(requests.map((one) => arrays.run(one)));
      const base = results[0]!.jobId!.split('_')[0];
      // One element per repeat; which element a repeat gets is the order they joined the group.
      expect(results.map((result) => result.jobId).sort()).toEqual([0, 1, 2, 3].map((index) => `${base}_${index}`));
      for (const [index, result] of results.entries()) {
        expect(result).toMatchObject({ exitCode: 0, machineFault: null });
        expect(await readFile(requests[index]!.logFile, 'utf8')).toBe(`repeat ${index} seed ${index}\n`);
      }
      expect(arrayRunner.sbatchCalls()).toBe(1);

      // The same four repeats as one job each: four sbatch calls.
      const singleRunner = timedRunner();
      const singles = new SlurmExecutor({ pollIntervalMs: 250, runCommand: singleRunner.run, arrayRepeats: false });
      const separate = await Promise.all([0, 1, 2, 3].map((repeat) => singles.run(request(`echo "repeat ${repeat}"`, { group: { id: `features-single-${request.made()}`, size: 4 } }))));
      expect(new Set(separate.map((result) => result.jobId)).size).toBe(4);
      expect(singleRunner.sbatchCalls()).toBe(4);
      console.log(JSON.stringify({ figure: 'submission', repeats: 4, arraySbatchMs: Math.round(arrayRunner.sbatchMs()), perJobSbatchMs: Math.round(singleRunner.sbatchMs()) }));
    }, 300_000);

    it('cuts the output at the cap while the job runs, not only after it ends', async () => {
      const executor = new SlurmExecutor({ pollIntervalMs: 250, cancelWaitMs: 30_000 });
      const controller = new AbortController();
      const capped = request('head -c 20000000 /dev/zero | tr "\\0" x; echo; echo written; sleep 600', { outputCapBytes: 100_000, signal: controller.signal });
      const running = executor.run(capped);
      const status = join(dir, `t${request.made()}`, 'run.status');
      // The command has written its 20 MB (the capturer counts what it drops in the status file).
      await waitFor(async () => /^output \d+/m.test(await readFile(status, 'utf8').catch(() => '')) || (await stat(capped.logFile).then((s) => s.size >= 100_000, () => false)), 120_000 + 10 * startupMs, 'the output to pass the cap');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const sizeWhileRunning = (await stat(capped.logFile)).size;
      expect(sizeWhileRunning).toBeLessThanOrEqual(100_000 + 4_096);
      controller.abort();
      const result = await running;
      expect(result.aborted).toBe(true);
      expect(result.outputTruncated).toBe(true); // the count of what was dropped died with the job
      expect(result.outputBytes).toBeGreaterThanOrEqual(100_000);
    }, 300_000);

    it.runIf(bwrapRequired)('runs a sandboxed command under bubblewrap inside the job: held-out data invisible, data read-only', async () => {
      const holdout = join(dir, 'holdout');
      const data = join(dir, 'data');
      await mkdir(holdout, { recursive: true });
      await mkdir(data, { recursive: true });
      await writeFile(join(holdout, 'target.json'), '{"secret": 42}');
      await writeFile(join(data, 'train.json'), '{"hint": 1}');
      const executor = new SlurmExecutor({ pollIntervalMs: 250 });
      const result = await executor.run(
        request(`cat ${data}/train.json; echo; cat ${holdout}/target.json || echo holdout-hidden; echo x > ${data}/new || echo data-read-only; echo ok > made-here && echo worktree-writable`, {
          sandbox: { readOnly: [data], writable: [join(dir, 'worktree')], hidden: [holdout, '/tmp'], network: false },
        }),
      );
      expect(result).toMatchObject({ exitCode: 0, spawnError: null, machineFault: null });
      const log = await readFile(join(dir, `t${request.made()}`, 'run.log'), 'utf8');
      expect(log).toContain('{"hint": 1}');
      expect(log).toContain('holdout-hidden');
      expect(log).not.toContain('secret');
      expect(log).toContain('data-read-only');
      expect(log).toContain('worktree-writable');
    }, 300_000);

    it('launch: srun starts the command once per task (--ntasks), each with its SLURM_PROCID', async () => {
      const executor = new SlurmExecutor({ pollIntervalMs: 250, launch: 'srun', ntasks: 2 });
      const result = await executor.run(request('echo "task $SLURM_PROCID of $SLURM_NTASKS"'));
      expect(result).toMatchObject({ exitCode: 0, machineFault: null });
      const lines = (await readFile(join(dir, `t${request.made()}`, 'run.log'), 'utf8')).split('\n').filter((line) => line.startsWith('task '));
      expect(lines.sort()).toEqual(['task 0 of 2', 'task 1 of 2']);
    }, 300_000);

    it('a requeued job (scontrol requeue, as preemption does) resumes from $AUTOLAB_CHECKPOINT_DIR; its time in the queue is free', async () => {
      const checkpoints = join(dir, 'checkpoint');
      await mkdir(checkpoints, { recursive: true });
      const executor = new SlurmExecutor({ pollIntervalMs: 250, requeue: true });
      const script = [
        'if [ -f "$AUTOLAB_CHECKPOINT_DIR/step" ]; then echo "resumed from step $(cat "$AUTOLAB_CHECKPOINT_DIR/step")"; exit 0; fi',
        'echo 7 > "$AUTOLAB_CHECKPOINT_DIR/step"; echo "checkpoint written"',
        'sleep 600',
      ].join('\n');
      const requeued = request(script, { env: { ...request('').env, AUTOLAB_CHECKPOINT_DIR: checkpoints }, timeoutMs: 300_000 });
      const running = executor.run(requeued);
      const jobFile = join(dir, `t${request.made()}`, 'run.job');
      await waitFor(async () => (await readFile(join(checkpoints, 'step'), 'utf8').catch(() => '')).trim() === '7', 120_000 + 10 * startupMs, 'the checkpoint');
      const jobId = (await readFile(jobFile, 'utf8')).trim().split(/\s+/)[0]!;
      execFileSync('scontrol', ['requeue', jobId]);
      // Slurm holds a requeued batch job for about two minutes (its begin time, set once the
      // job is back in the queue): release it once it is pending again, 5 s on (slurmd refuses
      // to launch a job it killed a moment ago: "already killed, do not launch batch job").
      await waitFor(() => execFileSync('squeue', ['-h', '-j', jobId, '-o', '%T']).toString().trim() === 'PENDING', 60_000 + 10 * startupMs, 'the requeued job pending');
      execFileSync('scontrol', ['update', `JobId=${jobId}`, 'StartTime=now+5']);
      const result = await running;
      expect(result).toMatchObject({ exitCode: 0, machineFault: null, timedOut: false });
      expect(result.jobId).toBe(jobId);
      expect(result.stdoutTail).toContain('resumed from step 7');
      expect(parseStatusFile(await readFile(join(dir, `t${request.made()}`, 'run.status'), 'utf8')).starts).toBe(2);
    }, 600_000);
  });
});
