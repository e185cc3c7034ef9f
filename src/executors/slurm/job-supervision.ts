/**
 * Watching one submitted (or adopted) job until it has ended, under autolab's budget, and
 * turning what it left behind into the Executor port's result.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { CommandRequest, CommandResult } from '../../core/executor.ts';
import { budgetTimerMs } from '../shared/budget-timer.ts';
import { parseStatusFile, type JobStatusRecord } from './batch-script.ts';
import type { JobFiles } from './job-files.ts';
import { collectJobOutput } from './job-output.ts';
import type { SlurmJobPoller } from './job-poller.ts';
import { judgeJobEnd, STARTED_STATES, type JobAccounting, type JobEndFacts } from './job-states.ts';

/** What the Slurm executor returns: the port's CommandResult plus the job it ran as. */
export type SlurmCommandResult = CommandResult & {
  /** Slurm's job id (`123`, or `123_4` for an element of a job array); null when no job was submitted. */
  jobId: string | null;
  /** The job was started by an earlier driver and adopted by this one. */
  adopted?: boolean;
};

export interface FinishInput {
  request: CommandRequest;
  files: JobFiles;
  jobId: string | null;
  stdoutTailBytes: number;
  outputTailBytes: number;
}

export interface SuperviseInput extends FinishInput {
  jobId: string;
  adopted: boolean;
  poller: SlurmJobPoller;
  cancelWaitMs: number;
  onWarning?: (message: string) => void;
}

export async function readStatus(file: string): Promise<JobStatusRecord & { collectedBytes: number | null }> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const collected = /^collected (\d+)$/m.exec(text);
  return { ...parseStatusFile(text), collectedBytes: collected ? Number(collected[1]) : null };
}

/**
 * The budget of a job: it runs while the job runs (from the first poll that sees it
 * started; for an adopted job, from the start its status file records), pauses while a
 * requeued job waits in the queue again, and calls `onSpent` when used up.
 */
class JobBudget {
  private usedMs = 0;
  private runningSince: number | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly budgetMs: number,
    private readonly onSpent: () => void,
  ) {}

  /** The first poll that saw the job started; `alreadyMs` it ran before this driver saw it (adoption). */
  started(alreadyMs = 0): void {
    if (this.runningSince !== null) return;
    this.usedMs += Math.max(0, alreadyMs);
    this.runningSince = performance.now();
    this.timer = setTimeout(this.onSpent, Math.max(0, budgetTimerMs(this.budgetMs) - this.usedMs));
  }

  /** The job went back to the queue (requeued): its time there is free. */
  paused(): void {
    if (this.runningSince === null) return;
    this.usedMs += performance.now() - this.runningSince;
    this.runningSince = null;
    clearTimeout(this.timer);
  }

  get everStarted(): boolean {
    return this.runningSince !== null || this.usedMs > 0;
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/** Watches the job until it has left the queue (cancelling it at the budget or on abort), then finishes it. */
export async function superviseJob(input: SuperviseInput): Promise<SlurmCommandResult> {
  const { request, jobId, poller } = input;
  let cancelledByUs: 'timeout' | 'abort' | null = null;
  let giveUpTimer: NodeJS.Timeout | undefined;
  let firstSeenAt: number | null = null;
  const cancel = (why: 'timeout' | 'abort') => {
    if (cancelledByUs !== null) return;
    cancelledByUs = why;
    budget.stop();
    poller.cancel(jobId);
    giveUpTimer = setTimeout(() => poller.abandon(jobId), input.cancelWaitMs);
  };
  const budget = new JobBudget(request.timeoutMs, () => cancel('timeout'));
  const onAbort = () => cancel('abort');
  request.signal?.addEventListener('abort', onAbort, { once: true });
  if (request.signal?.aborted) onAbort();

  let status: Awaited<ReturnType<typeof readStatus>> | null = null;
  const end = await poller.watch(jobId, {
    onState: (state) => {
      if (!STARTED_STATES.has(state)) return budget.paused();
      if (cancelledByUs !== null || budget.everStarted) return budget.started();
      firstSeenAt ??= performance.now();
      if (!input.adopted) return budget.started();
      void readStatus(input.files.status).then((record) => budget.started(record.startedNs === null ? 0 : Date.now() - Number(record.startedNs / 1_000_000n)));
    },
    settledWithoutAccounting: async () => {
      status = await readStatus(input.files.status);
      return status.exitCode !== null || status.cwdMissing || status.nodeProblem !== null || cancelledByUs !== null;
    },
  });
  budget.stop();
  clearTimeout(giveUpTimer);
  request.signal?.removeEventListener('abort', onAbort);

  const finalStatus = status ?? (await readStatus(input.files.status));
  const accounting: JobAccounting | null = end.kind === 'accounted' ? end.accounting : null;
  let vanished: string | null = end.kind === 'vanished' ? end.detail : null;
  if (end.kind === 'abandoned') {
    vanished = `it did not leave the queue within ${input.cancelWaitMs} ms of scancel`;
    input.onWarning?.(`Slurm job ${jobId} ${vanished}; it may still hold its node (check with squeue -j ${jobId})`);
  }
  const cwdProblem = finalStatus.cwdMissing ? `the working directory ${request.cwd} is not visible on node ${finalStatus.host ?? '?'}: it must be on a filesystem the nodes share with the driver` : finalStatus.nodeProblem;
  const result = await finishJob(input, {
    durationMs: measuredDuration(finalStatus, accounting, firstSeenAt),
    judge: { jobId, cancelledByUs, exitRecord: finalStatus.exitCode, cwdProblem, accounting, vanished },
  });
  return { ...result, ...(input.adopted && { adopted: true }) };
}

/** Collects the output (once: a second collection of the same job changes no file) and judges the job's end. */
export async function finishJob(
  input: FinishInput,
  outcome: { aborted?: boolean; spawnError?: string; durationMs?: number; judge?: Omit<JobEndFacts, 'oomPhraseSeen'> },
): Promise<SlurmCommandResult> {
  const { request, files } = input;
  const status = await readStatus(files.status);
  const output = await collectJobOutput({
    file: request.logFile,
    capBytes: request.outputCapBytes,
    stdoutTailBytes: input.stdoutTailBytes,
    outputTailBytes: input.outputTailBytes,
    droppedBytes: status.droppedBytes,
    tailFile: files.tail,
    slurmMessagesFile: files.slurmMessages,
    collectedBytes: status.collectedBytes,
  });
  if (input.jobId !== null && status.collectedBytes === null) await appendFile(files.status, `collected ${output.outputBytes}\n`).catch(() => undefined);
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
    jobId: input.jobId,
  };
}

/** The node's own start and end stamps when the command returned; else Slurm's elapsed time; else what the polls saw. */
function measuredDuration(status: JobStatusRecord, accounting: JobAccounting | null, firstSeenAt: number | null): number {
  if (status.startedNs !== null && status.endedNs !== null && status.endedNs >= status.startedNs) return Number(status.endedNs - status.startedNs) / 1e6;
  if (accounting?.elapsedMs !== null && accounting?.elapsedMs !== undefined) return accounting.elapsedMs;
  return firstSeenAt === null ? 0 : performance.now() - firstSeenAt;
}
