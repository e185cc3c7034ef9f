import { constants } from 'node:os';
import { suspectOutOfMemory } from '../shared/out-of-memory.ts';

/**
 * Slurm job states and how a finished job becomes the Executor port's result. Pure
 * functions over the text that `squeue`, `sacct` and `scontrol` print.
 */

/** States in which a job has left the queue for good (`sacct` / `scontrol` report them). */
export const TERMINAL_STATES: ReadonlySet<string> = new Set([
  'BOOT_FAIL',
  'CANCELLED',
  'COMPLETED',
  'DEADLINE',
  'FAILED',
  'NODE_FAIL',
  'OUT_OF_MEMORY',
  'PREEMPTED',
  'REVOKED',
  'SPECIAL_EXIT',
  'TIMEOUT',
]);

/** States in which the job's processes have started (autolab's wall-clock budget runs from the first one seen). */
export const STARTED_STATES: ReadonlySet<string> = new Set(['RUNNING', 'COMPLETING', 'SIGNALING', 'STAGE_OUT', 'STOPPED', 'SUSPENDED']);

/** Terminal states that are the machine's fault, not the trial's: recorded as `infra_error`, retried, never charged. */
export const MACHINE_FAULT_STATES: ReadonlyMap<string, string> = new Map([
  ['NODE_FAIL', 'its node failed'],
  ['PREEMPTED', 'it was preempted by a higher-priority job'],
  ['BOOT_FAIL', 'its node failed to boot'],
  ['DEADLINE', 'it missed its deadline before it could run'],
  ['REVOKED', 'it was revoked (federation)'],
  ['SPECIAL_EXIT', 'Slurm held it in SPECIAL_EXIT'],
]);

/** How a job ended, as `sacct` (or `scontrol show job`) tells it. */
export interface JobAccounting {
  jobId: string;
  /** The state's first word, e.g. `CANCELLED` for `CANCELLED by 1000`. */
  state: string;
  /** The state as printed, e.g. `CANCELLED by 1000`. */
  stateText: string;
  /** The batch script's exit code (the part of `ExitCode` before the colon). */
  exitCode: number | null;
  /** The signal that ended it (the part after the colon); null for 0. */
  signal: number | null;
  /** The highest exit code and signal of all the job's steps (`DerivedExitCode`). */
  derivedExitCode: number | null;
  derivedSignal: number | null;
  /** Wall-clock time the job ran, at Slurm's one-second resolution. */
  elapsedMs: number | null;
}

/** Parses `squeue -h -o "%i %T"`: job id to state. Lines that do not parse are skipped. */
export function parseSqueue(stdout: string): Map<string, string> {
  const jobs = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [jobId, state] = line.trim().split(/\s+/);
    if (jobId && state && /^[0-9]+(_[0-9]+)?$/.test(jobId)) jobs.set(jobId, state.toUpperCase());
  }
  return jobs;
}

/** The `sacct` fields the poller asks for, in order (`-P`: separated by `|`). */
export const SACCT_FIELDS = ['JobID', 'State', 'ExitCode', 'Elapsed', 'DerivedExitCode'] as const;

/**
 * Parses `sacct -n -P -o JobID,State,ExitCode,Elapsed,DerivedExitCode`. Only job
 * allocations are kept (steps such as `123.batch` are skipped); the last line of a job
 * wins (a requeued job is listed once per attempt).
 */
export function parseSacct(stdout: string): Map<string, JobAccounting> {
  const jobs = new Map<string, JobAccounting>();
  for (const line of stdout.split('\n')) {
    const fields = line.trim().split('|');
    if (fields.length < SACCT_FIELDS.length) continue;
    const [jobId, stateText, exit, elapsed, derived] = fields as [string, string, string, string, string];
    if (!/^[0-9]+(_[0-9]+)?$/.test(jobId)) continue;
    const [exitCode, signal] = parseExitPair(exit);
    const [derivedExitCode, derivedSignal] = parseExitPair(derived);
    jobs.set(jobId, { jobId, state: firstWord(stateText), stateText: stateText.trim(), exitCode, signal, derivedExitCode, derivedSignal, elapsedMs: parseElapsedMs(elapsed) });
  }
  return jobs;
}

/** Parses one job of `scontrol -o show job ID` (the fallback when there is no accounting at all). */
export function parseScontrolJob(stdout: string): JobAccounting | null {
  const field = (name: string): string | undefined => new RegExp(`(?:^|\\s)${name}=(\\S*)`).exec(stdout)?.[1];
  const jobId = field('JobId');
  const stateText = field('JobState');
  if (jobId === undefined || stateText === undefined) return null;
  const [exitCode, signal] = parseExitPair(field('ExitCode') ?? '');
  const [derivedExitCode, derivedSignal] = parseExitPair(field('DerivedExitCode') ?? '');
  return { jobId, state: firstWord(stateText), stateText, exitCode, signal, derivedExitCode, derivedSignal, elapsedMs: parseElapsedMs(field('RunTime') ?? '') };
}

function firstWord(text: string): string {
  return (text.trim().split(/\s+/)[0] ?? '').toUpperCase().replace(/\+$/, '');
}

/** `2:0` to [2, null]; `0:9` to [0, 9]; anything else to [null, null]. */
function parseExitPair(text: string): [number | null, number | null] {
  const match = /^\s*(\d+):(\d+)\s*$/.exec(text);
  if (!match) return [null, null];
  const signal = Number(match[2]);
  return [Number(match[1]), signal === 0 ? null : signal];
}

/** Slurm's elapsed time: `[D-]HH:MM:SS`, `MM:SS` or `MM:SS.mmm`. */
export function parseElapsedMs(text: string): number | null {
  const match = /^\s*(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!match) return null;
  const [, days, hours, minutes, seconds] = match;
  return Math.round((((Number(days ?? 0) * 24 + Number(hours ?? 0)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000);
}

/** `9` to `SIGKILL`; unknown numbers to `SIG<n>`. */
export function signalName(signal: number): string {
  for (const [name, value] of Object.entries(constants.signals)) if (value === signal) return name;
  return `SIG${signal}`;
}

/** Everything known about how one job ended, for `judgeJobEnd`. */
export interface JobEndFacts {
  jobId: string;
  /** autolab cancelled the job itself: at the wall-clock budget, or because the run was aborted. */
  cancelledByUs: 'timeout' | 'abort' | null;
  /** The exit code the batch script wrote when the command returned (null: it never got there). */
  exitRecord: number | null;
  /** The batch script could not enter the working directory on the node (the message). */
  cwdProblem: string | null;
  /** How Slurm says it ended; null when that was not asked (the exit record sufficed) or not found. */
  accounting: JobAccounting | null;
  /** The job left the queue and no record of its end could be found (why). */
  vanished: string | null;
  /** The job's output mentions running out of memory. */
  oomPhraseSeen: boolean;
}

/** The part of the Executor port's result that the job's end decides. */
export interface JobVerdict {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  spawnError: string | null;
  /** The machine's fault (node failure, preemption, an external cancel, a vanished job). */
  machineFault: string | null;
  oomSuspected: boolean;
}

/**
 * Decides the result of one finished job. In order: autolab's own cancel (abort, budget),
 * unless the command had returned on its own (an exit record that is not a signal's 128+n);
 * the batch script's own exit record; then Slurm's
 * state: COMPLETED/FAILED carry the exit code or signal, TIMEOUT is a timeout,
 * OUT_OF_MEMORY is OOM, CANCELLED by someone else and NODE_FAIL, PREEMPTED, BOOT_FAIL,
 * DEADLINE are the machine's fault; a job of which no record is left is too. A failure
 * that ends in SIGKILL (or exit 137) not sent by autolab, or whose output mentions running
 * out of memory, is suspected OOM, as with the local executor.
 */
export function judgeJobEnd(facts: JobEndFacts): JobVerdict {
  const verdict: JobVerdict = { exitCode: null, signal: null, timedOut: false, aborted: false, spawnError: null, machineFault: null, oomSuspected: false };
  const job = `Slurm job ${facts.jobId}`;
  const accounting = facts.accounting;
  const outOfMemoryState = accounting?.state === 'OUT_OF_MEMORY';
  if (facts.cwdProblem !== null) return { ...verdict, spawnError: facts.cwdProblem };
  // scancel's SIGTERM reaches the command and the batch script together: the script may record
  // the command's death (143) before its own trap runs. A death by signal after autolab's cancel is the cancel.
  if (facts.cancelledByUs !== null && (facts.exitRecord === null || facts.exitRecord > 128)) return facts.cancelledByUs === 'abort' ? { ...verdict, aborted: true } : { ...verdict, timedOut: true };
  if (facts.exitRecord !== null) {
    const oomSuspected = suspectOutOfMemory({
      failed: facts.exitRecord !== 0,
      endedByAutolab: false,
      exitCode: facts.exitRecord,
      signal: null,
      outOfMemoryPhraseSeen: facts.oomPhraseSeen,
      reportedOutOfMemory: outOfMemoryState,
    });
    return { ...verdict, exitCode: facts.exitRecord, oomSuspected };
  }
  if (accounting === null) {
    return { ...verdict, machineFault: `${job} left the queue and Slurm kept no record of how it ended${facts.vanished ? ` (${facts.vanished})` : ''}` };
  }
  const { state } = accounting;
  if (state === 'TIMEOUT') return { ...verdict, timedOut: true };
  if (state === 'CANCELLED') {
    return { ...verdict, machineFault: `${job} was cancelled outside autolab (${accounting.stateText}): scancel by a person or an administrator` };
  }
  const fault = MACHINE_FAULT_STATES.get(state);
  if (fault !== undefined) return { ...verdict, machineFault: `${job} ended ${accounting.stateText}: ${fault}` };
  if (state !== 'COMPLETED' && state !== 'FAILED' && state !== 'OUT_OF_MEMORY') {
    return { ...verdict, machineFault: `${job} ended in a state autolab does not know: ${accounting.stateText}` };
  }
  const signal = accounting.signal ?? (accounting.exitCode === 0 || accounting.exitCode === null ? accounting.derivedSignal : null);
  let exitCode = signal === null ? accounting.exitCode : null;
  if (exitCode === 0 && state !== 'COMPLETED') exitCode = accounting.derivedExitCode !== null && accounting.derivedExitCode !== 0 ? accounting.derivedExitCode : null;
  const signalText = signal === null ? (outOfMemoryState && exitCode === null ? 'SIGKILL' : null) : signalName(signal);
  if (state === 'FAILED' && exitCode === null && signalText === null) {
    return { ...verdict, machineFault: `${job} FAILED without an exit code or signal: its batch script did not run (is its output file writable from the node?)` };
  }
  const failed = state !== 'COMPLETED' || (exitCode !== null && exitCode !== 0) || signalText !== null;
  // autolab's own cancels (budget, abort) were decided above: a SIGKILL here came from elsewhere.
  const oomSuspected = suspectOutOfMemory({ failed, endedByAutolab: false, exitCode, signal: signalText, outOfMemoryPhraseSeen: facts.oomPhraseSeen, reportedOutOfMemory: outOfMemoryState });
  return { ...verdict, exitCode: failed && exitCode === 0 ? null : exitCode, signal: signalText, oomSuspected };
}
