import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { validateCommandRequest, type CommandRequest, type CommandResult, type Executor } from '../../core/executor.ts';
import { DEFAULT_OUTPUT_TAIL_BYTES, DEFAULT_STDOUT_TAIL_BYTES } from '../shared/output-tail.ts';
import { describeCwdProblem } from '../shared/working-directory.ts';
import { batchScript, type JobElement, type SlurmResources } from './batch-script.ts';
import { CommandGroups } from './job-groups.ts';
import { arrayMessagesPattern, jobFiles, readJobRecord, recordedLogs, removeJobFiles, writeJobRecord, type JobFiles } from './job-files.ts';
import { SlurmJobPoller } from './job-poller.ts';
import { finishJob, superviseJob, type SlurmCommandResult } from './job-supervision.ts';
import { describeCommandFailure, execSlurmCommand, type SlurmCommandRunner } from './slurm-commands.ts';
import { DEFAULT_SLURM_POLL_INTERVAL_MS, resourcesOfPhase, type SlurmJobOptions } from './slurm-options.ts';

export type { SlurmCommandResult } from './job-supervision.ts';

/**
 * Settings of one Slurm executor: what each job asks Slurm for (`SlurmJobOptions`, from
 * the task file; all optional here, `pollIntervalMs` default 5 s), and how it talks to Slurm.
 */
export interface SlurmExecutorOptions extends Partial<SlurmJobOptions> {
  /** `--mem` of run jobs when neither `memoryBytes` nor the request sets one (the task's `run.memory`). */
  runMemoryBytes?: number;
  /** Longest wait between polls while Slurm fails. Default 60 s. */
  maxPollIntervalMs?: number;
  /** How long a job that left the queue may lack a record before it counts as vanished. Default 60 s. */
  recordGraceMs?: number;
  /** After autolab's scancel, how long to wait for the job to leave the queue before giving up on it. Default 60 s. */
  cancelWaitMs?: number;
  /** How long the first command of a group waits for the others before the group is submitted. Default 2 s. */
  groupWaitMs?: number;
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
 * The Slurm adapter of the Executor port: runs each command as one `sbatch` job (the
 * commands of one `group`, a trial's repeats, as one job array), from a batch script
 * written beside the log file (`run.log` → `run.sbatch`, `run.status`, `run.job`).
 *
 * - The worktree and the log must be on a filesystem the nodes share. The command's
 *   stdout and stderr go into the log together (`stdoutTail` is the combined tail), cut at
 *   the output cap while the job runs; Slurm's own messages are added at the end.
 * - The environment is exactly `request.env`, plus Slurm's `SLURM_*` variables and the
 *   GPU binding it made (`CUDA_VISIBLE_DEVICES` from `--gres`, which overrides the slot's).
 * - `sandbox` runs the command under bubblewrap on the node (where bwrap cannot build it
 *   there, the run does not start: `spawnError`, the machine's fault); `cleanupCommand`
 *   runs in the job after the command.
 * - The budget (`timeoutMs`) counts the time the job runs (queue time and time requeued
 *   are free); at the budget autolab `scancel`s it (Slurm's own `--time` is a backstop).
 *   On abort it is `scancel`led at once. Either way `run` resolves once the job has left
 *   the queue (or after `cancelWaitMs`).
 * - A job outlives the driver: `run` with `adopt` waits for the job recorded for the log
 *   file (`run.job`) by an earlier driver instead of submitting it again; `adoptable`
 *   lists those records.
 * - All jobs of one executor share one poller: one `squeue` per cycle, `sacct` only for
 *   jobs that left the queue and did not record their exit, with backoff.
 * - Node failure, preemption, boot failure, a cancel by someone else and a vanished job
 *   come back as `machineFault` (label `infra_error`: retried, never charged).
 * - `run` never rejects for a failing command or a failed submission (`spawnError`), only
 *   for a malformed request.
 *
 * @example
 * const executor = new SlurmExecutor({ partition: 'gpu', gpus: 'a100:1', pollIntervalMs: 5_000 });
 * const result = await executor.run({ command: 'python train.py', cwd: worktree, env, timeoutMs: 3_600_000, outputCapBytes: 10 << 20, logFile: `${trialDir}/run.log` });
 */
export class SlurmExecutor implements Executor {
  readonly kind = 'slurm';
  private readonly options: SlurmExecutorOptions;
  private readonly runCommand: SlurmCommandRunner;
  private readonly poller: SlurmJobPoller;
  private readonly groups: CommandGroups<SlurmCommandResult>;

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
    this.groups = new CommandGroups((requests) => this.submitJob(requests), options.groupWaitMs ?? 2_000);
  }

  /** Submits one command as a job (or adopts the job recorded for it) and resolves when it has ended; see the class comment. */
  async run(request: CommandRequest): Promise<SlurmCommandResult> {
    validateCommandRequest(request);
    await mkdir(dirname(request.logFile), { recursive: true });
    const grouped = request.group !== undefined && request.group.size > 1 && this.options.arrayRepeats !== false;
    if (request.adopt) {
      const record = await readJobRecord(request.logFile);
      if (record !== null) {
        if (grouped) this.groups.leave(request.group!);
        return this.supervise(request, { ...jobFiles(request.logFile), slurmMessages: record.slurmMessages }, record.jobId, true);
      }
    }
    const files = jobFiles(request.logFile);
    await removeJobFiles(files);
    const problem = request.signal?.aborted ? null : await describeCwdProblem(request.cwd);
    if (request.signal?.aborted || problem !== null) {
      if (grouped) this.groups.leave(request.group!);
      return this.finish(request, files, null, request.signal?.aborted ? { aborted: true } : { spawnError: problem! });
    }
    if (grouped) return this.groups.join(request);
    return this.submitJob([request])[0]!;
  }

  /** The log files of jobs recorded in `folder` (a trial's folder) by any driver: adoptable with `run({ ..., adopt: true })`. */
  adoptable(folder: string): Promise<string[]> {
    return recordedLogs(folder);
  }

  /** Cancels the jobs of a dead driver: every job of this user named `autolab-<tag of token>-…`, except those recorded for the `spare` log files. */
  async reapOrphans(token: string, spare: ReadonlySet<string> = new Set()): Promise<number> {
    const prefix = `${JOB_NAME_PREFIX}${tokenTag(token)}-`;
    const listed = await this.runCommand('squeue', ['-h', '-r', '--me', '-o', '%i %j']);
    if (listed.code !== 0) {
      this.options.onWarning?.(`could not look for orphaned jobs: ${describeCommandFailure('squeue', listed)}`);
      return 0;
    }
    const kept = new Set<string>();
    for (const log of spare) {
      const record = await readJobRecord(log);
      if (record !== null) kept.add(record.jobId);
    }
    const ids = listed.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([id, name]) => id !== undefined && name !== undefined && name.startsWith(prefix) && !kept.has(id))
      .map(([id]) => id as string);
    if (ids.length === 0) return 0;
    const cancelled = await this.runCommand('scancel', ids);
    if (cancelled.code !== 0) this.options.onWarning?.(`could not cancel orphaned jobs ${ids.join(',')}: ${describeCommandFailure('scancel', cancelled)}`);
    return ids.length;
  }

  /** What one phase's jobs ask Slurm for: the options (with that phase's `by_phase`), else the request's memory, and a `--time` backstop. */
  private resourcesFor(request: CommandRequest): SlurmResources {
    const phase = request.env.AUTOLAB_PHASE;
    const r = resourcesOfPhase(this.options, phase);
    const memoryBytes = r.memoryBytes ?? request.memoryBytes ?? (phase === 'run' ? this.options.runMemoryBytes : undefined);
    return {
      ...(r.partition !== undefined && { partition: r.partition }),
      ...(r.account !== undefined && { account: r.account }),
      ...(r.gpus !== undefined && { gpus: r.gpus }),
      ...(r.cpusPerTrial !== undefined && { cpus: r.cpusPerTrial }),
      ...(memoryBytes !== undefined && { memoryBytes }),
      ...(r.nodes !== undefined && { nodes: r.nodes }),
      ...(r.ntasks !== undefined && { ntasks: r.ntasks }),
      ...(r.ntasksPerNode !== undefined && { ntasksPerNode: r.ntasksPerNode }),
      timeLimitMs: r.timeLimitMs ?? Math.ceil(request.timeoutMs * 1.1) + 5 * 60_000,
      extraArgs: r.extraArgs,
    };
  }

  /** One job for the requests (a job array when there are several, element i = request i); one result per request. */
  private submitJob(requests: CommandRequest[]): Array<Promise<SlurmCommandResult>> {
    const array = requests.length > 1;
    const groupLog = requests[0]!.logFile;
    const files = requests.map((request, index) => jobFiles(request.logFile, array ? { groupLog, index } : undefined));
    const submitted = this.writeAndSubmit(requests, files);
    return requests.map(async (request, index) => {
      const outcome = await submitted;
      if ('error' in outcome) return this.finish(request, files[index]!, null, { spawnError: outcome.error });
      const jobId = array ? `${outcome.jobId}_${index}` : outcome.jobId;
      await writeJobRecord(files[index]!, jobId);
      return this.supervise(request, files[index]!, jobId, false);
    });
  }

  private async writeAndSubmit(requests: CommandRequest[], files: JobFiles[]): Promise<{ jobId: string } | { error: string }> {
    const first = requests[0]!;
    const jobName = `${jobNameFor(first.env, first.logFile)}${requests.length > 1 ? `-x${requests.length}` : ''}`;
    const o = this.options;
    const script = batchScript({
      jobName,
      slurmOutputFile: requests.length > 1 ? arrayMessagesPattern(first.logFile) : files[0]!.slurmMessages,
      elements: requests.map((request, index) => jobElement(request, files[index]!)),
      resources: this.resourcesFor(first),
      ...(o.prologue !== undefined && { prologue: o.prologue }),
      requeue: o.requeue ?? false,
      ...(o.signal !== undefined && { signal: o.signal }),
      ...(o.scratch !== undefined && { scratch: o.scratch }),
      launch: o.launch ?? 'direct',
    });
    await writeFile(files[0]!.script, script, { mode: 0o700 });
    await chmod(files[0]!.script, 0o700); // the script holds the environment: readable by its owner only
    await Promise.all(requests.map((request) => writeFile(request.logFile, '')));
    return this.submit(files[0]!.script, jobName);
  }

  /** `sbatch --parsable`, retried on transient errors; after a failed attempt, a job of that name already queued is adopted (no double submission). */
  private async submit(script: string, jobName: string): Promise<{ jobId: string } | { error: string }> {
    let failure = '';
    for (let attempt = 1; attempt <= SUBMIT_ATTEMPTS; attempt++) {
      if (attempt > 1) {
        const existing = await this.runCommand('squeue', ['-h', '--me', `--name=${jobName}`, '-o', '%F']);
        const id = existing.code === 0 ? existing.stdout.trim().split('\n')[0]?.trim() : undefined;
        if (id && /^\d+$/.test(id)) return { jobId: id };
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

  private supervise(request: CommandRequest, files: JobFiles, jobId: string, adopted: boolean): Promise<SlurmCommandResult> {
    return superviseJob({ request, files, jobId, adopted, poller: this.poller, cancelWaitMs: this.options.cancelWaitMs ?? 60_000, ...this.tails(), ...(this.options.onWarning !== undefined && { onWarning: this.options.onWarning }) });
  }

  private finish(request: CommandRequest, files: JobFiles, jobId: string | null, outcome: { aborted?: boolean; spawnError?: string }): Promise<SlurmCommandResult> {
    return finishJob({ request, files, jobId, ...this.tails() }, outcome);
  }

  private tails(): { stdoutTailBytes: number; outputTailBytes: number } {
    return { stdoutTailBytes: this.options.stdoutTailBytes ?? DEFAULT_STDOUT_TAIL_BYTES, outputTailBytes: this.options.outputTailBytes ?? DEFAULT_OUTPUT_TAIL_BYTES };
  }
}

/** The batch script's view of one request. */
function jobElement(request: CommandRequest, files: JobFiles): JobElement {
  return {
    logFile: request.logFile,
    statusFile: files.status,
    tailFile: files.tail,
    cwd: request.cwd,
    env: request.env,
    command: request.command,
    outputCapBytes: request.outputCapBytes,
    timeoutMs: request.timeoutMs,
    ...(request.sandbox !== undefined && { sandbox: request.sandbox }),
    ...(request.cleanupCommand !== undefined && { cleanup: request.cleanupCommand }),
    ...(request.memoryBytes !== undefined && { memoryBytes: request.memoryBytes }),
    ...(request.maxFileBytes !== undefined && { maxFileBytes: request.maxFileBytes }),
    ...(request.maxProcesses !== undefined && { maxProcesses: request.maxProcesses }),
  };
}

export type { CommandResult };
