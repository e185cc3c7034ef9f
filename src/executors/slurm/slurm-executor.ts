import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { validateCommandRequest, type CommandRequest, type CommandResult, type Executor } from '../../core/executor.ts';
import { budgetTimerMs } from '../shared/budget-timer.ts';
import { DEFAULT_OUTPUT_TAIL_BYTES, DEFAULT_STDOUT_TAIL_BYTES } from '../shared/output-tail.ts';
import { describeCwdProblem } from '../shared/working-directory.ts';
import { batchScript, parseStatusFile, type JobStatusRecord, type SlurmResources } from './batch-script.ts';
import { collectJobOutput } from './job-output.ts';
import { SlurmJobPoller, type JobEnd } from './job-poller.ts';
import { judgeJobEnd, STARTED_STATES, type JobAccounting } from './job-states.ts';
import { describeCommandFailure, execSlurmCommand, type SlurmCommandRunner } from './slurm-commands.ts';
import { DEFAULT_SLURM_POLL_INTERVAL_MS, type SlurmJobOptions } from './slurm-options.ts';

/** What the Slurm executor returns: the port's CommandResult plus the job it ran as. */
export type SlurmCommandResult = CommandResult & {
  /** Slurm's job id; null when no job was submitted. */
  jobId: string | null;
};

/**
 * Settings of one Slurm executor: what each job asks Slurm for (`SlurmJobOptions`, from
 * the task file; all optional here, `pollIntervalMs` default 5 s), and how it talks to Slurm.
 */
export interface SlurmExecutorOptions extends Partial<SlurmJobOptions> {
  /** Longest wait between polls while Slurm fails. Default 60 s. */
  maxPollIntervalMs?: number;
  /** How long a job that left the queue may lack a record before it counts as vanished. Default 60 s. */
  recordGraceMs?: number;
  /** After autolab's scancel, how long to wait for the job to leave the queue before giving up on it. Default 60 s. */
  cancelWaitMs?: number;
  /** How to run Slurm's client commands; default `execSlurmCommand()`. Tests answer for Slurm here. */
  runCommand?: SlurmCommandRunner;
  /** Told about Slurm commands that fail (the poller backs off; no trial fails for it). */
  onWarning?: (message: string) => void;
  /** Size of the stdout tail. Default 8 KiB. */
  stdoutTailBytes?: number;
  /** Size of the combined-output tail. Default 4 KiB. */
  outputTailBytes?: number;
}

/** sbatch attempts before a submission counts as failed (transient controller errors are retried). */
const SUBMIT_ATTEMPTS = 3;
const SUBMIT_RETRY_MS = 2_000;
/** Marks autolab's jobs: `autolab-<first 8 characters of the driver's token>-<trial>-<phase>`. */
const JOB_NAME_PREFIX = 'autolab-';

/** The tag of a driver's jobs: the first 8 letters or digits of its token. */
export function tokenTag(token: string): string {
  return (token.replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || 'untagged').toLowerCase();
}

/**
 * The job name of one phase command: `autolab-<token8>-<trial>-<log file stem>`, e.g.
 * `autolab-1a2b3c4d-7-run` or `autolab-1a2b3c4d-7-run-r2` for a repeat; unique per command,
 * and found again by `reapOrphans` through its prefix.
 */
export function jobNameFor(env: Readonly<Record<string, string>>, logFile?: string): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9_.-]/g, '_');
  const trial = env.AUTOLAB_TRIAL !== undefined ? `${safe(env.AUTOLAB_TRIAL)}-` : '';
  const stem = logFile !== undefined ? basename(logFile).replace(/\.log$/, '') : (env.AUTOLAB_PHASE ?? 'command');
  return `${JOB_NAME_PREFIX}${tokenTag(env.AUTOLAB_RUN_TOKEN ?? '')}-${trial}${safe(stem)}`;
}

/**
 * The Slurm adapter of the Executor port: runs each command as one `sbatch` job, from a
 * batch script written beside the log file (`run.log` → `run.sbatch`, `run.status`).
 *
 * - The log file is the job's output file (stdout and stderr together, as Slurm writes
 *   them), so it and the worktree must be on a filesystem the nodes share. `stdoutTail`
 *   is therefore the tail of the combined output.
 * - The environment is exactly `request.env`, plus Slurm's `SLURM_*` variables and the
 *   GPU binding it made (`CUDA_VISIBLE_DEVICES` from `--gres`, which overrides the slot's).
 * - `memoryBytes` becomes `ulimit -v` in the job, as locally, and `--mem` unless set.
 * - The budget (`timeoutMs`) runs from the first poll that sees the job started, not from
 *   submission (queue time is free); at the budget autolab `scancel`s it (Slurm's own
 *   `--time` is a backstop). On abort it is `scancel`led at once. Either way `run`
 *   resolves once the job has left the queue (or after `cancelWaitMs`).
 * - All jobs of one executor share one poller: one `squeue` per cycle, `sacct` only for
 *   jobs that left the queue and did not record their exit, with backoff.
 * - Node failure, preemption, boot failure, a cancel by someone else and a vanished job
 *   come back as `machineFault` (label `infra_error`: retried, never charged).
 * - `run` never rejects for a failing command or a failed submission (`spawnError`), only
 *   for a malformed request.
 *
 * @example
 * const executor = new SlurmExecutor({ partition: 'gpu', gpusPerTrial: 1, pollIntervalMs: 5_000 });
 * const result = await executor.run({ command: 'python train.py', cwd: worktree, env, timeoutMs: 3_600_000, outputCapBytes: 10 << 20, logFile: `${trialDir}/run.log` });
 */
export class SlurmExecutor implements Executor {
  readonly kind = 'slurm';
  private readonly options: SlurmExecutorOptions;
  private readonly runCommand: SlurmCommandRunner;
  private readonly poller: SlurmJobPoller;
  private readonly stdoutTailBytes: number;
  private readonly outputTailBytes: number;
  private readonly cancelWaitMs: number;
  private sandboxWarned = false;

  constructor(options: SlurmExecutorOptions = {}) {
    this.options = options;
    this.runCommand = options.runCommand ?? execSlurmCommand();
    this.poller = new SlurmJobPoller({
      run: this.runCommand,
      intervalMs: options.pollIntervalMs ?? DEFAULT_SLURM_POLL_INTERVAL_MS,
      ...(options.maxPollIntervalMs !== undefined && { maxIntervalMs: options.maxPollIntervalMs }),
      ...(options.recordGraceMs !== undefined && { recordGraceMs: options.recordGraceMs }),
      ...(options.onWarning !== undefined && { onWarning: options.onWarning }),
    });
    this.stdoutTailBytes = options.stdoutTailBytes ?? DEFAULT_STDOUT_TAIL_BYTES;
    this.outputTailBytes = options.outputTailBytes ?? DEFAULT_OUTPUT_TAIL_BYTES;
    this.cancelWaitMs = options.cancelWaitMs ?? 60_000;
  }

  /** Submits one command as a job and resolves when it has ended; see the class comment. */
  async run(request: CommandRequest): Promise<SlurmCommandResult> {
    validateCommandRequest(request);
    const files = jobFiles(request.logFile);
    await mkdir(dirname(request.logFile), { recursive: true });
    await rm(files.status, { force: true });
    if (request.signal?.aborted) return this.finish(request, null, { aborted: true });
    const cwdProblem = await describeCwdProblem(request.cwd);
    if (cwdProblem !== null) return this.finish(request, null, { spawnError: cwdProblem });

    const jobName = jobNameFor(request.env, request.logFile);
    if (request.sandbox !== undefined && !this.sandboxWarned) {
      this.sandboxWarned = true;
      this.options.onWarning?.('the bubblewrap sandbox is not applied to Slurm jobs: trial code runs with the isolation the cluster gives its jobs (limits and a clean environment still apply)');
    }
    const script = batchScript({
      jobName,
      outputFile: request.logFile,
      statusFile: files.status,
      cwd: request.cwd,
      env: request.env,
      command: request.command,
      ...(request.memoryBytes !== undefined && { memoryBytes: request.memoryBytes }),
      ...(request.maxFileBytes !== undefined && { maxFileBytes: request.maxFileBytes }),
      ...(request.maxProcesses !== undefined && { maxProcesses: request.maxProcesses }),
      resources: this.resourcesFor(request),
    });
    await writeFile(files.script, script, { mode: 0o700 });
    await chmod(files.script, 0o700); // the script holds the environment: readable by its owner only
    await writeFile(request.logFile, '');
    const submitted = await this.submit(files.script, jobName);
    if ('error' in submitted) return this.finish(request, null, { spawnError: submitted.error });
    return this.supervise(request, files, submitted.jobId);
  }

  /** Cancels the jobs of a dead driver: every job of this user named `autolab-<tag of token>-…`. */
  async reapOrphans(token: string): Promise<number> {
    const prefix = `${JOB_NAME_PREFIX}${tokenTag(token)}-`;
    const listed = await this.runCommand('squeue', ['-h', '--me', '-o', '%i %j']);
    if (listed.code !== 0) {
      this.options.onWarning?.(`could not look for orphaned jobs: ${describeCommandFailure('squeue', listed)}`);
      return 0;
    }
    const ids = listed.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([id, name]) => id !== undefined && name !== undefined && name.startsWith(prefix))
      .map(([id]) => id as string);
    if (ids.length === 0) return 0;
    const cancelled = await this.runCommand('scancel', ids);
    if (cancelled.code !== 0) this.options.onWarning?.(`could not cancel orphaned jobs ${ids.join(',')}: ${describeCommandFailure('scancel', cancelled)}`);
    return ids.length;
  }

  private resourcesFor(request: CommandRequest): SlurmResources {
    const o = this.options;
    const memoryBytes = o.memoryBytes ?? request.memoryBytes;
    return {
      ...(o.partition !== undefined && { partition: o.partition }),
      ...(o.account !== undefined && { account: o.account }),
      ...(o.gpusPerTrial !== undefined && { gpus: o.gpusPerTrial }),
      ...(o.cpusPerTrial !== undefined && { cpus: o.cpusPerTrial }),
      ...(memoryBytes !== undefined && { memoryBytes }),
      timeLimitMs: o.timeLimitMs ?? Math.ceil(request.timeoutMs * 1.1) + 5 * 60_000,
      extraArgs: o.extraArgs ?? [],
    };
  }

  /** `sbatch --parsable`, retried on transient errors; after a failed attempt, a job of that name already queued is adopted (no double submission). */
  private async submit(script: string, jobName: string): Promise<{ jobId: string } | { error: string }> {
    let failure = '';
    for (let attempt = 1; attempt <= SUBMIT_ATTEMPTS; attempt++) {
      if (attempt > 1) {
        const existing = await this.runCommand('squeue', ['-h', '--me', `--name=${jobName}`, '-o', '%i']);
        const id = existing.code === 0 ? existing.stdout.trim().split('\n')[0]?.trim() : undefined;
        if (id) return { jobId: id };
      }
      const output = await this.runCommand('sbatch', ['--parsable', script]);
      const id = output.stdout.trim().split(';')[0]?.trim();
      if (output.code === 0 && id && /^\d+$/.test(id)) return { jobId: id };
      failure = describeCommandFailure('sbatch', output);
      const transient = output.code === null || /temporarily|timed out|try again|unable to contact|connection refused|socket/i.test(output.stderr);
      if (!transient) break;
      await new Promise((resolve) => setTimeout(resolve, SUBMIT_RETRY_MS * attempt));
    }
    return { error: failure };
  }

  private async supervise(request: CommandRequest, files: JobFiles, jobId: string): Promise<SlurmCommandResult> {
    let startedAt: number | null = null;
    let cancelledByUs: 'timeout' | 'abort' | null = null;
    let budgetTimer: NodeJS.Timeout | undefined;
    let giveUpTimer: NodeJS.Timeout | undefined;
    const cancel = (why: 'timeout' | 'abort') => {
      if (cancelledByUs !== null) return;
      cancelledByUs = why;
      clearTimeout(budgetTimer);
      this.poller.cancel(jobId);
      giveUpTimer = setTimeout(() => this.poller.abandon(jobId), this.cancelWaitMs);
    };
    const onAbort = () => cancel('abort');
    request.signal?.addEventListener('abort', onAbort, { once: true });
    if (request.signal?.aborted) onAbort();

    let status: JobStatusRecord | null = null;
    const end = await this.poller.watch(jobId, {
      onState: (state) => {
        if (startedAt !== null || !STARTED_STATES.has(state)) return;
        startedAt = performance.now();
        if (cancelledByUs === null) budgetTimer = setTimeout(() => cancel('timeout'), budgetTimerMs(request.timeoutMs));
      },
      settledWithoutAccounting: async () => {
        status = await readStatus(files.status);
        return status.exitCode !== null || status.cwdMissing || cancelledByUs !== null;
      },
    });
    clearTimeout(budgetTimer);
    clearTimeout(giveUpTimer);
    request.signal?.removeEventListener('abort', onAbort);

    const finalStatus: JobStatusRecord = status ?? (await readStatus(files.status));
    const accounting: JobAccounting | null = end.kind === 'accounted' ? end.accounting : null;
    let vanished: string | null = null;
    if (end.kind === 'vanished') vanished = end.detail;
    if (end.kind === 'abandoned') {
      vanished = `it did not leave the queue within ${this.cancelWaitMs} ms of scancel`;
      this.options.onWarning?.(`Slurm job ${jobId} ${vanished}; it may still hold its node (check with squeue -j ${jobId})`);
    }
    return this.finish(request, jobId, {
      durationMs: measuredDuration(finalStatus, accounting, startedAt),
      judge: {
        jobId,
        cancelledByUs,
        exitRecord: finalStatus.exitCode,
        cwdProblem: finalStatus.cwdMissing
          ? `the working directory ${request.cwd} is not visible on node ${finalStatus.host ?? '?'}: it must be on a filesystem the nodes share with the driver`
          : null,
        accounting,
        vanished,
      },
    });
  }

  private async finish(
    request: CommandRequest,
    jobId: string | null,
    outcome: { aborted?: boolean; spawnError?: string; durationMs?: number; judge?: Omit<Parameters<typeof judgeJobEnd>[0], 'oomPhraseSeen'> },
  ): Promise<SlurmCommandResult> {
    const output = await collectJobOutput({ file: request.logFile, capBytes: request.outputCapBytes, stdoutTailBytes: this.stdoutTailBytes, outputTailBytes: this.outputTailBytes });
    const verdict = outcome.judge
      ? judgeJobEnd({ ...outcome.judge, oomPhraseSeen: output.oomPhraseSeen })
      : { exitCode: null, signal: null, timedOut: false, aborted: outcome.aborted ?? false, spawnError: outcome.spawnError ?? null, machineFault: null, oomSuspected: false };
    return {
      exitCode: verdict.exitCode,
      signal: verdict.signal,
      timedOut: verdict.timedOut,
      aborted: verdict.aborted,
      spawnError: verdict.spawnError,
      machineFault: verdict.machineFault,
      durationMs: outcome.durationMs ?? 0,
      outputBytes: output.outputBytes,
      outputTruncated: output.outputTruncated,
      stdoutTail: output.stdoutTail,
      outputTail: output.outputTail,
      oomSuspected: verdict.oomSuspected,
      logError: output.logError,
      jobId,
    };
  }
}

interface JobFiles {
  /** The batch script. */
  script: string;
  /** What the batch script records (start, exit). */
  status: string;
}

/** `…/run.log` → `…/run.sbatch` and `…/run.status`. */
function jobFiles(logFile: string): JobFiles {
  const stem = basename(logFile).replace(/\.log$/, '');
  return { script: join(dirname(logFile), `${stem}.sbatch`), status: join(dirname(logFile), `${stem}.status`) };
}

async function readStatus(file: string): Promise<JobStatusRecord> {
  return parseStatusFile(await readFile(file, 'utf8').catch(() => ''));
}

/** The node's own start and end stamps when the command returned; else Slurm's elapsed time; else what the polls saw. */
function measuredDuration(status: JobStatusRecord, accounting: JobAccounting | null, startedAt: number | null): number {
  if (status.startedNs !== null && status.endedNs !== null && status.endedNs >= status.startedNs) return Number(status.endedNs - status.startedNs) / 1e6;
  if (accounting?.elapsedMs !== null && accounting?.elapsedMs !== undefined) return accounting.elapsedMs;
  return startedAt === null ? 0 : performance.now() - startedAt;
}
