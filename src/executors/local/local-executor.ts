import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { coerceError } from '../../core/errors.ts';
import { validateCommandRequest, type CommandRequest, type CommandResult, type Executor } from '../../core/executor.ts';
import { budgetTimerMs } from '../shared/budget-timer.ts';
import { suspectOutOfMemory } from '../shared/out-of-memory.ts';
import { DEFAULT_OUTPUT_TAIL_BYTES, DEFAULT_STDOUT_TAIL_BYTES } from '../shared/output-tail.ts';
import { describeCwdProblemSync } from '../shared/working-directory.ts';
import { OutputRecorder } from './output-recorder.ts';
import { sharedLauncher, type LaunchedExit, type LaunchedProcess } from './process-launcher.ts';
import { reapProcessesWithToken, signalProcessGroup } from './process-group.ts';
import { bwrapArguments } from './sandbox-bwrap.ts';
import { createPidsCgroup, reapPidsCgroups, type PidsCgroup } from './sandbox-pids.ts';
import { probeBwrap } from './sandbox-probe.ts';
import { shellWrapperArguments } from './sandbox-shell.ts';

/**
 * What the local executor returns: the port's CommandResult plus what only a local
 * process can tell.
 */
export type LocalCommandResult = CommandResult & {
  /**
   * The run failed (not by budget or abort) and either its leader was SIGKILLed by
   * someone other than autolab (the kernel's OOM killer; or a shell reported exit 137),
   * or its output mentions an out-of-memory phrase (see OUT_OF_MEMORY_PHRASES).
   */
  oomSuspected: boolean;
  /** The first error writing the log file (e.g. a full disk); output was still drained. */
  logError: string | null;
  /** Process id of the leader (also its process group id); null when it never started. */
  pid: number | null;
};

export interface LocalExecutorOptions {
  /** Between SIGTERM and SIGKILL to the group when the budget runs out. Default 500 ms. */
  killGraceMs?: number;
  /** How long to wait for the pipes to drain after the leader exits. Default 200 ms. */
  drainMs?: number;
  /** Size of the rolling stdout tail. Default 8 KiB. */
  stdoutTailBytes?: number;
  /** Size of the rolling combined-output tail. Default 4 KiB. */
  outputTailBytes?: number;
  /**
   * Start commands through the shared process launcher (process-launcher.ts: a small
   * helper process, so that starting a command does not copy and block the driver).
   * Default true; false, or a launcher that cannot start here, spawns them from this process.
   */
  launcher?: boolean;
}

/**
 * The local adapter of the Executor port: runs each command as `/bin/sh -c <command>`
 * in its own process group on this machine.
 *
 * - The environment is exactly `request.env` (note that `/bin/sh` itself exports `PWD`).
 * - `memoryBytes` becomes `ulimit -v` (address space) and `maxFileBytes` `ulimit -f` inside
 *   that shell before the command is `exec`ed; where the OS refuses, a note goes to stderr
 *   and the run goes on. A file over the limit ends the writer with SIGXFSZ, and a note
 *   saying so is added to the output.
 * - `maxProcesses` puts the command in a pids cgroup of that size where cgroups can be
 *   written (root included), else `ulimit -u` (not enforced for root). With a cgroup,
 *   every process of the command is killed when it ends, even those that left its
 *   process group with `setsid`.
 * - `sandbox` runs the command inside bubblewrap (see `bwrapArguments`): read-only system,
 *   the spec's writable and hidden paths, own PID namespace (nothing it starts outlives
 *   it), no network unless allowed, no capabilities. Where bwrap does not work the run
 *   does not start (`spawnError`): a sandbox that was asked for is never silently dropped.
 * - At the budget the group gets SIGTERM, then SIGKILL after `killGraceMs`; on abort it
 *   gets SIGKILL at once; when the leader exits, whatever is left of the group gets SIGKILL.
 * - `cleanupCommand` runs once the command has ended, however it ended (a Podman container
 *   outlives its client), before `run` resolves.
 * - `run` resolves on the leader's exit, after at most `drainMs` of draining the pipes, so
 *   a grandchild that escaped the group (setsid) and holds the pipe cannot stall it.
 * - `run` never rejects for a failing command or a spawn failure (`spawnError`), only for
 *   a malformed request.
 *
 * @example
 * const executor = new LocalExecutor();
 * const result = await executor.run({
 *   command: 'python train.py', cwd: worktree, env: buildRunEnv({ set: { CUDA_VISIBLE_DEVICES: slot.gpu ?? '' } }),
 *   timeoutMs: 600_000, outputCapBytes: 4 << 20, logFile: `${trialDir}/run.log`,
 * });
 */
export class LocalExecutor implements Executor {
  readonly kind = 'local';
  private readonly killGraceMs: number;
  private readonly drainMs: number;
  private readonly stdoutTailBytes: number;
  private readonly outputTailBytes: number;
  private readonly useLauncher: boolean;

  constructor(options: LocalExecutorOptions = {}) {
    this.useLauncher = options.launcher ?? true;
    this.killGraceMs = options.killGraceMs ?? 500;
    this.drainMs = options.drainMs ?? 200;
    this.stdoutTailBytes = options.stdoutTailBytes ?? DEFAULT_STDOUT_TAIL_BYTES;
    this.outputTailBytes = options.outputTailBytes ?? DEFAULT_OUTPUT_TAIL_BYTES;
  }

  /** Runs one command to completion; see the class comment for the guarantees. */
  async run(request: CommandRequest): Promise<LocalCommandResult> {
    validateCommandRequest(request);
    const recorder = new OutputRecorder({
      logFile: request.logFile,
      capBytes: request.outputCapBytes,
      stdoutTailBytes: this.stdoutTailBytes,
      outputTailBytes: this.outputTailBytes,
    });
    if (request.signal?.aborted) {
      await recorder.close();
      return resultOf(recorder, { aborted: true });
    }
    const cwdProblem = describeCwdProblemSync(request.cwd);
    if (cwdProblem !== null) {
      await recorder.close();
      return resultOf(recorder, { spawnError: cwdProblem });
    }
    let launcher: string[] | null = null;
    if (request.sandbox !== undefined) {
      const probe = await probeBwrap(request.env.PATH ?? process.env.PATH ?? '');
      if (!probe.available) {
        await recorder.close();
        return resultOf(recorder, { spawnError: `the sandbox could not be built: ${probe.reason}` });
      }
      launcher = [probe.bwrap, ...bwrapArguments(request.sandbox, request.cwd)];
    }
    const cgroup = request.maxProcesses === undefined ? null : await createPidsCgroup(request.env.AUTOLAB_RUN_TOKEN ?? 'run', request.maxProcesses);
    const started = await this.start(shellArguments(request, cgroup, launcher), request);
    if ('spawnError' in started) {
      await cgroup?.destroy();
      await recorder.close();
      return resultOf(recorder, { spawnError: started.spawnError });
    }
    return this.supervise(started.started, request, recorder, cgroup);
  }

  /** Starts `/bin/sh` with `args` in its own process group: through the launcher, else from this process. */
  private async start(args: string[], request: CommandRequest): Promise<{ started: LaunchedProcess } | { spawnError: string }> {
    if (this.useLauncher) {
      const outcome = await sharedLauncher().launch({ file: '/bin/sh', args, cwd: request.cwd, env: request.env });
      if (!('unavailable' in outcome)) return outcome;
    }
    return spawnHere('/bin/sh', args, request);
  }

  /**
   * Kills processes left over from a dead driver whose runs carried `AUTOLAB_RUN_TOKEN=<token>`,
   * and those in its process-limit cgroups (Linux; 0 elsewhere).
   */
  async reapOrphans(token: string): Promise<number> {
    const byCgroup = await reapPidsCgroups(token);
    return byCgroup + (await reapProcessesWithToken(token));
  }

  private supervise(child: LaunchedProcess, request: CommandRequest, recorder: OutputRecorder, cgroup: PidsCgroup | null): Promise<LocalCommandResult> {
    const { pid, stdout, stderr } = child;
    stdout.on('data', (chunk: Buffer) => recorder.record('stdout', chunk));
    stderr.on('data', (chunk: Buffer) => recorder.record('stderr', chunk));
    stdout.on('error', () => {});
    stderr.on('error', () => {});

    let timedOut = false;
    let aborted = false;
    let sigkillSentByUs = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const killGroup = (signal: NodeJS.Signals) => signalProcessGroup(pid, signal);
    const budgetTimer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      graceTimer = setTimeout(() => {
        sigkillSentByUs = true;
        killGroup('SIGKILL');
      }, this.killGraceMs);
    }, budgetTimerMs(request.timeoutMs));
    const onAbort = () => {
      aborted = true;
      sigkillSentByUs = true;
      killGroup('SIGKILL');
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    if (request.signal?.aborted) onAbort(); // aborted while the command was being started
    const stopWatching = () => {
      clearTimeout(budgetTimer);
      clearTimeout(graceTimer);
      request.signal?.removeEventListener('abort', onAbort);
    };

    return child.exited.then(async ({ exitCode, signal, durationMs, machineFault }: LaunchedExit) => {
      stopWatching();
      killGroup('SIGKILL'); // a grandchild must not outlive its trial
      // ... nor one that left the group (setsid): the cgroup knows them all. Its removal (or its keeping, empty, for the next command) waits
      // until every one of them is gone, while the pipes drain and the log closes.
      const limitHits = cgroup === null ? 0 : (cgroup.killAll(), await cgroup.limitHits());
      const destroyed = cgroup?.destroy();
      await drainThenDestroy([stdout, stderr], this.drainMs);
      noteLimits(recorder, request, exitCode, signal, limitHits);
      await Promise.all([recorder.close(), destroyed]);
      await runCleanup(request);
      const oomSuspected = suspectOutOfMemory({
        failed: exitCode !== 0,
        endedByAutolab: timedOut || aborted || sigkillSentByUs,
        exitCode,
        signal,
        outOfMemoryPhraseSeen: recorder.outOfMemoryPhraseSeen,
      });
      return resultOf(recorder, { exitCode, signal, timedOut, aborted, durationMs, oomSuspected, pid, ...(machineFault !== undefined && { machineFault }) });
    });
  }
}

/**
 * Spawns `file` from this process in its own process group (the launcher's fallback);
 * its duration is measured from the spawn to the leader's exit.
 */
function spawnHere(file: string, args: string[], request: CommandRequest): Promise<{ started: LaunchedProcess } | { spawnError: string }> {
  let child: ChildProcess;
  try {
    child = spawn(file, args, { cwd: request.cwd, env: request.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    return Promise.resolve({ spawnError: `could not start ${file}: ${coerceError(error).message}` });
  }
  const pid = child.pid;
  if (pid === undefined) return new Promise((resolve) => child.once('error', (error) => resolve({ spawnError: `could not start ${file}: ${error.message}` })));
  const started = performance.now();
  child.on('error', () => {}); // errors after a successful start (none expected) do not end the run
  const exited = new Promise<LaunchedExit>((resolve) => child.once('exit', (exitCode, signal) => resolve({ exitCode, signal, durationMs: performance.now() - started })));
  return Promise.resolve({ started: { pid, stdout: child.stdout as Readable, stderr: child.stderr as Readable, exited } });
}

/** How long a request's `cleanupCommand` may take. */
const CLEANUP_TIMEOUT_MS = 60_000;

/** Runs the request's `cleanupCommand` (e.g. removing its container) with its environment; never throws. */
function runCleanup(request: CommandRequest): Promise<void> {
  const cleanup = request.cleanupCommand;
  if (cleanup === undefined || cleanup.trim() === '') return Promise.resolve();
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', cleanup], { cwd: '/', env: request.env, stdio: 'ignore', timeout: CLEANUP_TIMEOUT_MS, killSignal: 'SIGKILL' });
    child.once('error', () => resolve());
    child.once('exit', () => resolve());
  });
}

function shellArguments(request: CommandRequest, cgroup: PidsCgroup | null, launcher: string[] | null): string[] {
  return shellWrapperArguments({
    command: request.command,
    ...(request.memoryBytes !== undefined ? { memoryBytes: request.memoryBytes } : {}),
    ...(request.maxFileBytes !== undefined ? { maxFileBytes: request.maxFileBytes } : {}),
    ...(request.maxProcesses !== undefined ? { maxProcesses: request.maxProcesses } : {}),
    cgroupProcsFile: cgroup?.procsFile ?? null,
    launcher,
  });
}

/** SIGXFSZ as a shell or bwrap reports it: 128 + 25. */
const EXIT_FILE_SIZE_SIGNAL = 153;
/** How runtimes that ignore SIGXFSZ (Node, Python with the signal ignored) report the failed write. */
const FILE_TOO_LARGE = /EFBIG|File too large|File size limit exceeded/i;

/** Adds a line to the output when the command ran into its file size or process limit, so the reason is in the log and the tail. */
function noteLimits(recorder: OutputRecorder, request: CommandRequest, exitCode: number | null, signal: string | null, processLimitHits: number): void {
  const fileTooLarge = signal === 'SIGXFSZ' || exitCode === EXIT_FILE_SIZE_SIGNAL || (exitCode !== 0 && FILE_TOO_LARGE.test(recorder.outputTail()));
  if (request.maxFileBytes !== undefined && fileTooLarge) {
    recorder.record('stderr', Buffer.from(`\n[autolab: a file reached the size limit of ${request.maxFileBytes} bytes (ulimit -f); the write failed (SIGXFSZ or EFBIG)]\n`));
  }
  if (processLimitHits > 0) {
    recorder.record('stderr', Buffer.from(`\n[autolab: the command reached its limit of ${request.maxProcesses} processes; ${processLimitHits} fork(s) failed]\n`));
  }
}

/** Waits up to `ms` for the streams to end, then destroys whatever is still open. */
async function drainThenDestroy(streams: Readable[], ms: number): Promise<void> {
  const open = streams.filter((stream) => !stream.destroyed && !stream.readableEnded);
  if (open.length > 0) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(open.map((stream) => new Promise<void>((resolve) => stream.once('close', () => resolve())))),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
    clearTimeout(timer);
  }
  for (const stream of streams) stream.destroy();
}

interface Outcome {
  exitCode?: number | null;
  signal?: string | null;
  timedOut?: boolean;
  aborted?: boolean;
  spawnError?: string | null;
  durationMs?: number;
  oomSuspected?: boolean;
  pid?: number | null;
  machineFault?: string;
}

function resultOf(recorder: OutputRecorder, outcome: Outcome): LocalCommandResult {
  return {
    exitCode: outcome.exitCode ?? null,
    signal: outcome.signal ?? null,
    timedOut: outcome.timedOut ?? false,
    aborted: outcome.aborted ?? false,
    spawnError: outcome.spawnError ?? null,
    durationMs: outcome.durationMs ?? 0,
    outputBytes: recorder.outputBytes,
    outputTruncated: recorder.truncated,
    stdoutTail: recorder.stdoutTail(),
    outputTail: recorder.outputTail(),
    oomSuspected: outcome.oomSuspected ?? false,
    logError: recorder.logError,
    pid: outcome.pid ?? null,
    ...(outcome.machineFault !== undefined && { machineFault: outcome.machineFault }),
  };
}
