import { describeCommandFailure, type SlurmCommandRunner } from './slurm-commands.ts';
import { parseSacct, parseScontrolJob, parseSqueue, SACCT_FIELDS, TERMINAL_STATES, type JobAccounting } from './job-states.ts';

/** How a watched job's watch ended. */
export type JobEnd =
  /** The job left the queue and its watcher knew how it ended without asking accounting. */
  | { kind: 'settled' }
  /** The job left the queue; this is Slurm's record of its end. */
  | { kind: 'accounted'; accounting: JobAccounting }
  /** The job left the queue and neither `sacct` nor `scontrol` knows it (why). */
  | { kind: 'vanished'; detail: string }
  /** The watcher stopped watching (`abandon`) before the job left the queue. */
  | { kind: 'abandoned' };

export interface WatchOptions {
  /** Called with the job's state on every poll that finds it in the queue. */
  onState?: (state: string) => void;
  /**
   * Called on each poll after the job left the queue, before accounting is asked;
   * resolving true ends the watch as `settled` (e.g. the batch script recorded its exit).
   */
  settledWithoutAccounting?: () => Promise<boolean>;
}

export interface JobPollerOptions {
  run: SlurmCommandRunner;
  /** Time between two polls while Slurm answers. */
  intervalMs: number;
  /** Longest time between two polls while Slurm fails (backoff doubles up to this). Default max(60 s, interval). */
  maxIntervalMs?: number;
  /**
   * A job that left the queue counts as vanished when accounting has not known it for
   * this long, over at least three successful queries. Default 60 s.
   */
  recordGraceMs?: number;
  /** Told about Slurm commands that fail (once per streak of failures). */
  onWarning?: (message: string) => void;
  now?: () => number;
}

interface Watched {
  jobId: string;
  options: WatchOptions;
  resolve: (end: JobEnd) => void;
  /** When the job was first missing from the queue. */
  leftAt: number | null;
  /** When accounting first answered without this job (successfully). */
  missingSince: number | null;
  misses: number;
  cancelWanted: boolean;
  cancelSent: boolean;
}

/** Which accounting command answers: sacct (slurmdbd), sacct --completion (jobcomp plugin), or none (scontrol only). */
type AccountingSource = 'sacct' | 'sacct-completion' | 'scontrol';

/**
 * Watches every job of one executor with batched polling: one `squeue` per cycle for all
 * jobs still queued or running; `sacct` only for the jobs that left the queue (one call
 * for all of them); `scancel` for the jobs whose cancel was asked (one call). When a
 * command fails (a slow or unreachable controller), the next poll waits twice as long, up
 * to `maxIntervalMs`; no watch fails because of it. Without slurmdbd, accounting falls
 * back to `sacct --completion` (the jobcomp plugin) and then to `scontrol show job`.
 *
 * @example
 * const poller = new SlurmJobPoller({ run: execSlurmCommand(), intervalMs: 5_000 });
 * const end = await poller.watch('1234', { onState: (state) => console.log(state) });
 */
export class SlurmJobPoller {
  private readonly jobs = new Map<string, Watched>();
  private readonly run: SlurmCommandRunner;
  private readonly baseIntervalMs: number;
  private readonly maxIntervalMs: number;
  private readonly recordGraceMs: number;
  private readonly onWarning: (message: string) => void;
  private readonly now: () => number;
  private accountingSource: AccountingSource = 'sacct';
  private currentIntervalMs: number;
  private looping = false;
  private wakeUp: (() => void) | null = null;
  private failing = false;

  constructor(options: JobPollerOptions) {
    this.run = options.run;
    this.baseIntervalMs = Math.max(1, options.intervalMs);
    this.maxIntervalMs = Math.max(this.baseIntervalMs, options.maxIntervalMs ?? 60_000);
    this.recordGraceMs = options.recordGraceMs ?? 60_000;
    this.onWarning = options.onWarning ?? (() => undefined);
    this.now = options.now ?? Date.now;
    this.currentIntervalMs = this.baseIntervalMs;
  }

  /** The wait before the next poll (grows while Slurm fails). */
  get intervalMs(): number {
    return this.currentIntervalMs;
  }

  /** Jobs being watched. */
  get size(): number {
    return this.jobs.size;
  }

  /** Watches a submitted job until it has left the queue and how it ended is known. */
  watch(jobId: string, options: WatchOptions = {}): Promise<JobEnd> {
    return new Promise<JobEnd>((resolve) => {
      this.jobs.set(jobId, { jobId, options, resolve, leftAt: null, missingSince: null, misses: 0, cancelWanted: false, cancelSent: false });
      this.ensureLoop();
    });
  }

  /** Asks Slurm to cancel a watched job (`scancel`, retried each poll until Slurm accepts); polls at once. */
  cancel(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (!job || job.cancelWanted) return;
    job.cancelWanted = true;
    this.wake();
  }

  /** Stops watching a job: its watch resolves as `abandoned`; a wanted cancel not yet sent is dropped. */
  abandon(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (job) this.finish(job, { kind: 'abandoned' });
  }

  private wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = null;
    wake?.();
  }

  private ensureLoop(): void {
    if (this.looping) return;
    this.looping = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (this.jobs.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.wakeUp = null;
            resolve();
          }, this.currentIntervalMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (this.jobs.size === 0) break;
        const ok = await this.cycle();
        if (ok) {
          this.currentIntervalMs = this.baseIntervalMs;
          this.failing = false;
        } else {
          this.currentIntervalMs = Math.min(this.maxIntervalMs, this.currentIntervalMs * 2);
        }
      }
    } finally {
      this.looping = false;
      if (this.jobs.size > 0) this.ensureLoop();
    }
  }

  /** One poll; false when a Slurm command failed (the next poll backs off). */
  private async cycle(): Promise<boolean> {
    let ok = await this.sendCancels();
    ok = (await this.pollQueue()) && ok;
    ok = (await this.settleLeftJobs()) && ok;
    return ok;
  }

  private warn(message: string): void {
    if (this.failing) return;
    this.failing = true;
    this.onWarning(`${message}; retrying with backoff (next poll in ${Math.min(this.maxIntervalMs, this.currentIntervalMs * 2)} ms)`);
  }

  private async sendCancels(): Promise<boolean> {
    const wanted = [...this.jobs.values()].filter((job) => job.cancelWanted && !job.cancelSent && job.leftAt === null);
    if (wanted.length === 0) return true;
    const output = await this.run('scancel', wanted.map((job) => job.jobId));
    // scancel exits non-zero for jobs that already ended; those need no cancel either.
    if (output.code === 0 || /invalid job id|already completing or completed|job has finished/i.test(output.stderr)) {
      for (const job of wanted) job.cancelSent = true;
      return true;
    }
    this.warn(describeCommandFailure('scancel', output));
    return false;
  }

  private async pollQueue(): Promise<boolean> {
    const queued = [...this.jobs.values()].filter((job) => job.leftAt === null);
    if (queued.length === 0) return true;
    const output = await this.run('squeue', ['-h', '-r', `--jobs=${queued.map((job) => job.jobId).join(',')}`, '-o', '%i %T']);
    let states: Map<string, string>;
    if (output.code === 0) states = parseSqueue(output.stdout);
    else if (/invalid job id/i.test(output.stderr)) states = new Map(); // none of them is known any more
    else {
      this.warn(describeCommandFailure('squeue', output));
      return false;
    }
    const now = this.now();
    for (const job of queued) {
      const state = states.get(job.jobId);
      if (state !== undefined && !TERMINAL_STATES.has(state)) job.options.onState?.(state);
      else job.leftAt = now;
    }
    return true;
  }

  private async settleLeftJobs(): Promise<boolean> {
    const left = [...this.jobs.values()].filter((job) => job.leftAt !== null);
    if (left.length === 0) return true;
    const needRecord: Watched[] = [];
    for (const job of left) {
      const settled = (await job.options.settledWithoutAccounting?.().catch(() => false)) ?? false;
      if (settled) this.finish(job, { kind: 'settled' });
      else needRecord.push(job);
    }
    if (needRecord.length === 0) return true;
    const records = await this.queryAccounting(needRecord.map((job) => job.jobId));
    if (records === null) return false;
    const now = this.now();
    for (const job of needRecord) {
      const record = records.get(job.jobId);
      if (record !== undefined && TERMINAL_STATES.has(record.state)) {
        this.finish(job, { kind: 'accounted', accounting: record });
        continue;
      }
      if (record !== undefined) continue; // accounting has not caught up yet (still RUNNING/COMPLETING there)
      job.misses += 1;
      job.missingSince ??= now;
      if (job.misses >= 3 && now - job.missingSince >= this.recordGraceMs) {
        this.finish(job, { kind: 'vanished', detail: `not in squeue, and ${this.accountingSource === 'scontrol' ? 'scontrol' : 'sacct and scontrol'} did not know it for ${Math.round((now - job.missingSince) / 1000)} s` });
      }
    }
    return true;
  }

  private finish(job: Watched, end: JobEnd): void {
    this.jobs.delete(job.jobId);
    job.resolve(end);
  }

  /** Records of the jobs' ends from the best source there is; null when Slurm failed to answer. */
  private async queryAccounting(jobIds: string[]): Promise<Map<string, JobAccounting> | null> {
    const records = new Map<string, JobAccounting>();
    if (this.accountingSource !== 'scontrol') {
      const found = await this.querySacct(jobIds);
      if (found === null) return null;
      for (const [id, record] of found) records.set(id, record);
    }
    const missing = jobIds.filter((id) => !records.has(id)).slice(0, 20);
    for (const id of missing) {
      const output = await this.run('scontrol', ['-o', 'show', 'job', id]);
      if (output.code !== 0) continue; // Invalid job id: purged from the controller's memory
      const record = parseScontrolJob(output.stdout);
      if (record !== null && TERMINAL_STATES.has(record.state)) records.set(id, record);
    }
    return records;
  }

  private async querySacct(jobIds: string[]): Promise<Map<string, JobAccounting> | null> {
    for (;;) {
      const completion = this.accountingSource === 'sacct-completion';
      const args = ['-n', '-P', '-X', ...(completion ? ['--completion'] : []), '-j', jobIds.join(','), '-o', SACCT_FIELDS.join(',')];
      const output = await this.run('sacct', args);
      if (output.code === 0) return parseSacct(output.stdout);
      const text = `${output.stderr}\n${output.stdout}`;
      if (!completion && /accounting storage is disabled/i.test(text)) {
        this.accountingSource = 'sacct-completion';
        continue;
      }
      if (completion && /jobcomp|completion|not (?:configured|supported)|disabled/i.test(text)) {
        this.accountingSource = 'scontrol';
        return new Map();
      }
      this.warn(describeCommandFailure('sacct', output));
      return null;
    }
  }
}
