import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlurmCommandRunner } from './slurm-commands.ts';
import { jobNameFor, SlurmExecutor, tokenTag } from './slurm-executor.ts';
import { measureSlurmStartupMs, slurmForTests } from '../../testing/slurm-for-tests.ts';
import { commandRequests } from '../../testing/command-requests.ts';
import { onRealSlurm } from '../../testing/on-real-slurm.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autolab-slurm-executor-'));
  await mkdir(join(dir, 'worktree'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TOKEN = `${Math.random().toString(16).slice(2, 10)}-test`;
const request = commandRequests({
  cwd: () => join(dir, 'worktree'),
  logFile: (n) => join(dir, `t${n}`, 'run.log'),
  timeoutMs: 60_000,
  env: (n) => ({ AUTOLAB_RUN_TOKEN: TOKEN, AUTOLAB_TRIAL: String(n), AUTOLAB_PHASE: 'run' }),
});

function inQueue(jobId: string): boolean {
  return execFileSync('squeue', ['-h', `--jobs=${jobId}`, '-o', '%i'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
}

describe('job names', () => {
  it('carry the tag of the driver token, the trial and the command', () => {
    expect(tokenTag('1A2B3C4D-5e6f-7a8b')).toBe('1a2b3c4d');
    expect(jobNameFor({ AUTOLAB_RUN_TOKEN: '1a2b3c4d-5e6f', AUTOLAB_TRIAL: '12', AUTOLAB_PHASE: 'run' })).toBe('autolab-1a2b3c4d-12-run');
    expect(jobNameFor({ AUTOLAB_RUN_TOKEN: '1a2b3c4d-5e6f', AUTOLAB_PHASE: 'setup' })).toBe('autolab-1a2b3c4d-setup');
    // one name per command: repeats of a trial run side by side
    expect(jobNameFor({ AUTOLAB_RUN_TOKEN: '1a2b3c4d', AUTOLAB_TRIAL: '12', AUTOLAB_PHASE: 'run' }, '/s/trials/12/run-r2.log')).toBe('autolab-1a2b3c4d-12-run-r2');
  });
});

describe('SlurmExecutor without a cluster (Slurm answered by a stand-in)', () => {
  it('a refused submission is a start failure with sbatch\'s reason, and nothing is polled', async () => {
    const calls: string[] = [];
    const runCommand: SlurmCommandRunner = async (program, args) => {
      calls.push(`${program} ${args.join(' ')}`);
      return program === 'sbatch' ? { code: 1, stdout: '', stderr: 'sbatch: error: invalid partition specified: gpu\nsbatch: error: Batch job submission failed: Invalid partition name specified' } : { code: 0, stdout: '', stderr: '' };
    };
    const executor = new SlurmExecutor({ partition: 'gpu', runCommand, pollIntervalMs: 10 });
    const result = await executor.run(request('true'));
    expect(result).toMatchObject({ jobId: null, exitCode: null, spawnError: expect.stringContaining('invalid partition specified: gpu') });
    expect(calls).toEqual([expect.stringMatching(/^sbatch --parsable .*run\.sbatch$/)]);
    expect(await readFile(join(dir, `t${request.made()}`, 'run.sbatch'), 'utf8')).toContain('#SBATCH --partition=gpu');
  });

  it('a missing working directory fails before anything is submitted', async () => {
    const runCommand: SlurmCommandRunner = async () => {
      throw new Error('must not be called');
    };
    const result = await new SlurmExecutor({ runCommand }).run(request('true', { cwd: join(dir, 'nope') }));
    expect(result.spawnError).toMatch(/working directory is not accessible/);
  });

  it('reapOrphans cancels only the jobs named with the dead driver\'s token', async () => {
    const calls: string[] = [];
    const runCommand: SlurmCommandRunner = async (program, args) => {
      calls.push(`${program} ${args.join(' ')}`);
      if (program === 'squeue') return { code: 0, stdout: '5 autolab-deadbeef-3-run\n6 autolab-cafecafe-1-run\n7 my-own-job\n8 autolab-deadbeef-setup\n', stderr: '' };
      return { code: 0, stdout: '', stderr: '' };
    };
    expect(await new SlurmExecutor({ runCommand }).reapOrphans('deadbeef-0000-4000-8000-000000000000')).toBe(2);
    expect(calls).toEqual(['squeue -h -r --me -o %i %j', 'scancel 5 8']);
  });
});

const slurm = slurmForTests();

describe('SlurmExecutor', () => {
  // In CI a missing Slurm fails the run (it must never be skipped there); elsewhere the
  // tests below are left out.
  onRealSlurm(slurm, () => {
    const warnings: string[] = [];
    const executor = new SlurmExecutor({ pollIntervalMs: 250, cancelWaitMs: 20_000, onWarning: (message) => warnings.push(message) });
    /** A trivial job, submission to result, on this cluster now: the budgets below are derived from it (a loaded node starts jobs late). */
    let startupMs = 0;
    beforeAll(async () => {
      startupMs = await measureSlurmStartupMs(executor, join(dir, 'worktree'));
    });

    it('runs jobs side by side: exit codes, the log on the shared filesystem, exactly the given environment', async () => {
      const [failed, succeeded, killed] = await Promise.all([
        executor.run(request('echo "to stdout"; echo "to stderr" >&2; env | sort; exit 3', { env: { ...request('').env, ONLY_THIS: 'yes' } })),
        executor.run(request('echo ok')),
        executor.run(request('kill -SEGV $$')),
      ]);
      expect(failed).toMatchObject({ exitCode: 3, signal: null, timedOut: false, aborted: false, spawnError: null, machineFault: null, oomSuspected: false });
      expect(failed.jobId).toMatch(/^\d+$/);
      const log = await readFile(join(dir, `t${request.made() - 3 + 1}`, 'run.log'), 'utf8');
      expect(log).toContain('to stdout\nto stderr\n');
      expect(log).toContain('ONLY_THIS=yes');
      expect(log).toContain('SLURM_JOB_ID=');
      expect(log).not.toContain('HOME='); // nothing of the submitter's or the node's environment
      expect(failed.outputTail).toContain('to stderr');
      expect(failed.outputBytes).toBe(Buffer.byteLength(log));
      expect(succeeded).toMatchObject({ exitCode: 0, signal: null, machineFault: null });
      expect(succeeded.durationMs).toBeGreaterThan(0);
      expect(killed).toMatchObject({ exitCode: 128 + 11, timedOut: false, oomSuspected: false });
    });

    it('times out at the budget: the job is scancelled and gone, the label is a timeout', async () => {
      const budgetMs = Math.max(1_500, 2 * startupMs);
      const started = Date.now();
      const result = await executor.run(request('echo started; sleep 300', { timeoutMs: budgetMs }));
      expect(result).toMatchObject({ timedOut: true, aborted: false, exitCode: null, machineFault: null });
      expect(result.durationMs).toBeGreaterThanOrEqual(budgetMs - 1_000); // Slurm's accounting counts whole seconds
      expect(Date.now() - started).toBeLessThan(startupMs + budgetMs + 30_000);
      expect(inQueue(result.jobId!)).toBe(false);
      expect(result.outputTail).toContain('started');
    });

    it('an abort (Ctrl-C) cancels the job at once', async () => {
      const controller = new AbortController();
      const running = executor.run(request('sleep 60', { signal: controller.signal }));
      setTimeout(() => controller.abort(), 2_500);
      const result = await running;
      expect(result).toMatchObject({ aborted: true, timedOut: false });
      expect(inQueue(result.jobId!)).toBe(false);
    });

    it("a job cancelled outside autolab (someone's scancel) is the machine's fault, and reapOrphans finds a dead driver's jobs", async () => {
      const orphanToken = `${Math.random().toString(16).slice(2, 10)}-orphan`;
      const orphan = request('sleep 60');
      const running = executor.run({ ...orphan, env: { ...orphan.env, AUTOLAB_RUN_TOKEN: orphanToken } });
      const other = new SlurmExecutor({ pollIntervalMs: 250 });
      let reaped = 0;
      const deadline = Date.now() + startupMs + 30_000;
      while (reaped === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        reaped = await other.reapOrphans(orphanToken);
      }
      expect(reaped).toBe(1);
      const result = await running;
      expect(result.machineFault).toMatch(/cancelled outside autolab \(CANCELLED/);
      expect(result).toMatchObject({ timedOut: false, aborted: false, spawnError: null });
    });

    it('a job over its memory is suspected OOM (Slurm kills it and says so in the log)', async () => {
      const tight = new SlurmExecutor({ pollIntervalMs: 250, memoryBytes: 64 * 1024 * 1024 });
      const hog = `node -e "const a = []; for (;;) { a.push(Buffer.alloc(16e6, 1)); }"`;
      const result = await tight.run(request(hog));
      expect(result.exitCode === 0).toBe(false);
      expect(result.oomSuspected).toBe(true);
      expect(result.timedOut).toBe(false);
    });

    it('warned about nothing', () => {
      expect(warnings).toEqual([]);
    });
  });
});
