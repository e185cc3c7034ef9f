import { AutolabError } from './errors.ts';
/**
 * The file-system and network view of a sandboxed command (bubblewrap on Linux). The
 * system is read-only; paths are absolute on the host and appear at the same place.
 * Later, deeper paths win over earlier, shallower ones (a `readOnly` folder inside a
 * `hidden` one is visible again).
 */
export interface SandboxSpec {
  /** Visible but not writable (e.g. the task's data). */
  readOnly: string[];
  /** Visible and writable (the worktree, the trial's artifacts). */
  writable: string[];
  /** Not visible: a folder becomes an empty private tmpfs, a file an empty one (held-out data, the store, the evaluator). */
  hidden: string[];
  /** Whether the command may reach the network (false: an empty network namespace). */
  network: boolean;
}

/** What the executor is asked to run: one phase command of one trial. */
export interface CommandRequest {
  command: string;
  cwd: string;
  /** The whole environment of the command (nothing is inherited). */
  env: Record<string, string>;
  timeoutMs: number;
  /** Bytes of output kept in the log file; the rest is counted and dropped. */
  outputCapBytes: number;
  /** Combined stdout+stderr is written here (created, truncated). */
  logFile: string;
  /** Address-space limit in bytes, where the OS allows. */
  memoryBytes?: number;
  /** Aborting kills the whole process group at once (outcome: `aborted`). */
  signal?: AbortSignal;
  /** Run inside a sandbox with this view; absent: no sandbox (process group and environment only). */
  sandbox?: SandboxSpec;
  /** Most processes (threads included) the command may have at once, where the OS allows. */
  maxProcesses?: number;
  /** Largest file the command may write, in bytes (`ulimit -f`); beyond it the writer gets SIGXFSZ. */
  maxFileBytes?: number;
  /**
   * A shell command run where the command ran, once it has ended however it ended (exit,
   * budget, abort, cancel): it removes what the command started outside its process group
   * (a Podman/Docker container, whose processes belong to the engine's daemon).
   */
  cleanupCommand?: string;
  /**
   * When an earlier process (a driver that died) already started this command for the
   * same log file and it can still be collected (a cluster job, queued, running or
   * finished), wait for that one instead of starting it again. Executors whose commands
   * die with their driver (local) start it afresh.
   */
  adopt?: boolean;
  /**
   * This command is one of `size` commands of one group (the repeats of one trial), all
   * with the same resources; an executor may submit the group as one unit (a Slurm job
   * array) once its commands have arrived. Each still resolves on its own.
   */
  group?: { id: string; size: number };
}

export interface CommandResult {
  exitCode: number | null;
  /** The signal that ended the command's leader, if any (e.g. `SIGKILL`). */
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  /** Could not even start (spawn error); the message is in `spawnError`. */
  spawnError: string | null;
  durationMs: number;
  outputBytes: number;
  outputTruncated: boolean;
  /** The last ~8 KiB of stdout alone (where a score command prints its metrics line). */
  stdoutTail: string;
  /** The last ~4 KiB of combined output (for log excerpts). */
  outputTail: string;
  /** The command failed in a way that looks like running out of memory (kernel kill, MemoryError, CUDA OOM). */
  oomSuspected: boolean;
  /** The first error writing the log file (a full disk); the output was still drained. */
  logError: string | null;
  /**
   * The machine ended the command through no fault of its own (a cluster node failed,
   * the job was preempted or cancelled by someone else, or vanished): recorded as
   * `infra_error`, retried, never charged to a specialist. Absent or null: no such fault.
   */
  machineFault?: string | null;
}

/**
 * The Executor port: runs phase commands for trials on a pool of slots.
 *
 * Guarantees: when `run` resolves, no process of that command is left (the whole
 * process group is killed at the budget, on abort, and after the leader exits);
 * the result resolves within about a second of the budget even when a grandchild holds
 * the output pipe; `run` never throws for a failing command (only for a broken request).
 * Each slot runs at most one command at a time; callers pick the slot.
 */
export interface Executor {
  readonly kind: string;
  run(request: CommandRequest): Promise<CommandResult>;
  /**
   * Kills processes left over from a dead driver whose runs carried `token`, except the
   * commands whose log files are in `spare` (adopted by this process: see `adoptable`).
   */
  reapOrphans(token: string, spare?: ReadonlySet<string>): Promise<number>;
  /**
   * Optional (executors whose commands outlive the process that started them, e.g. Slurm
   * jobs): the log files in `folder` (a trial's folder) of commands an earlier process
   * started that can still be collected, queued, running or finished. A `run` of the same
   * request with `adopt: true` then waits for that command instead of starting it again.
   */
  adoptable?(folder: string): Promise<string[]>;
}

/**
 * Checks a request before any adapter runs it; a broken request is a bug in the caller
 * (never in the recipe), so it throws. Shared by every Executor adapter.
 */
export function validateCommandRequest(request: CommandRequest): void {
  const problems: string[] = [];
  if (typeof request.command !== 'string' || request.command.trim() === '') problems.push('command is empty');
  if (typeof request.cwd !== 'string' || request.cwd === '') problems.push('cwd is empty');
  if (typeof request.logFile !== 'string' || request.logFile === '') problems.push('logFile is empty');
  if (!(request.timeoutMs > 0)) problems.push(`timeoutMs must be > 0 (got ${request.timeoutMs})`);
  if (!(request.outputCapBytes >= 0)) problems.push(`outputCapBytes must be >= 0 (got ${request.outputCapBytes})`);
  if (request.memoryBytes !== undefined && !(request.memoryBytes >= 1024 && Number.isFinite(request.memoryBytes))) {
    problems.push(`memoryBytes must be a finite number >= 1024 (got ${request.memoryBytes})`);
  }
  if (request.maxFileBytes !== undefined && !(request.maxFileBytes >= 512 && Number.isFinite(request.maxFileBytes))) {
    problems.push(`maxFileBytes must be a finite number >= 512 (got ${request.maxFileBytes})`);
  }
  if (request.maxProcesses !== undefined && !(Number.isInteger(request.maxProcesses) && request.maxProcesses >= 1)) {
    problems.push(`maxProcesses must be a whole number >= 1 (got ${request.maxProcesses})`);
  }
  if (request.sandbox !== undefined) {
    const paths = [...request.sandbox.readOnly, ...request.sandbox.writable, ...request.sandbox.hidden];
    const relative = paths.filter((path) => typeof path !== 'string' || !path.startsWith('/'));
    if (relative.length > 0) problems.push(`sandbox paths must be absolute (got ${relative.map(String).join(', ')})`);
  }
  if (problems.length > 0) {
    throw new AutolabError('InvalidCommandRequest', `cannot run command: ${problems.join('; ')}`, {
      hint: 'this is a bug in the caller of the executor, not in the recipe',
    });
  }
}
