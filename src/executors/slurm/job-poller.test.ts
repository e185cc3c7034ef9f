import { describe, expect, it } from 'vitest';
import { SlurmJobPoller, type JobEnd } from './job-poller.ts';
import type { SlurmCommandOutput, SlurmCommandRunner } from './slurm-commands.ts';

/** Answers for Slurm from a table of jobs, and records every command. */
class FakeSlurm {
  readonly calls: string[] = [];
  /** Jobs in the queue: id to state. */
  queue = new Map<string, string>();
  /** sacct lines by job id (`JobID|State|ExitCode|Elapsed|DerivedExitCode`). */
  accounting = new Map<string, string>();
  /** The next N squeue calls fail as an unreachable controller. */
  squeueFailures = 0;
  /** sacct answers that accounting storage is disabled (no slurmdbd); then --completion works. */
  noSlurmdbd = false;

  readonly run: SlurmCommandRunner = async (program, args) => {
    this.calls.push(`${program} ${args.join(' ')}`);
    const ok = (stdout: string): SlurmCommandOutput => ({ code: 0, stdout, stderr: '' });
    if (program === 'squeue') {
      if (this.squeueFailures > 0) {
        this.squeueFailures -= 1;
        return { code: 1, stdout: '', stderr: 'squeue: error: slurm_receive_msg: Socket timed out on send/recv operation' };
      }
      const ids = args.find((arg) => arg.startsWith('--jobs='))!.slice('--jobs='.length).split(',');
      const known = ids.filter((id) => this.queue.has(id));
      if (known.length === 0) return { code: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified' };
      return ok(known.map((id) => `${id} ${this.queue.get(id)}`).join('\n') + '\n');
    }
    if (program === 'sacct') {
      if (this.noSlurmdbd && !args.includes('--completion')) return { code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled' };
      const ids = args[args.indexOf('-j') + 1]!.split(',');
      return ok(ids.flatMap((id) => (this.accounting.has(id) ? [this.accounting.get(id)!] : [])).join('\n'));
    }
    if (program === 'scancel') {
      for (const id of args) this.queue.delete(id);
      return ok('');
    }
    if (program === 'scontrol') return { code: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified' };
    return { code: 127, stdout: '', stderr: `${program}: not found` };
  };

  count(program: string): number {
    return this.calls.filter((call) => call.startsWith(`${program} `)).length;
  }
}

const settle = <T>(promise: Promise<T>) => {
  const box: { value?: T } = {};
  void promise.then((value) => (box.value = value));
  return box;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until the condition holds (polls every 5 ms; fails after `ms`). */
async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('SlurmJobPoller', () => {
  it('polls all jobs with one squeue per cycle and asks sacct only about jobs that left the queue', async () => {
    const slurm = new FakeSlurm();
    const poller = new SlurmJobPoller({ run: slurm.run, intervalMs: 10 });
    const ids = ['11', '12', '13', '14', '15'];
    for (const id of ids) slurm.queue.set(id, 'RUNNING');
    const states: string[] = [];
    const ends = ids.map((id) => settle(poller.watch(id, { onState: (state) => id === '11' && states.push(state) })));
    await waitFor(() => slurm.count('squeue') >= 3);
    expect(slurm.calls.filter((call) => call.startsWith('squeue'))).toSatisfy((calls: string[]) => calls.every((call) => call.includes('--jobs=11,12,13,14,15')));
    expect(slurm.count('sacct')).toBe(0);
    expect(states.every((state) => state === 'RUNNING')).toBe(true);

    slurm.queue.delete('12');
    slurm.queue.delete('13');
    slurm.accounting.set('12', '12|COMPLETED|0:0|00:00:05|0:0');
    slurm.accounting.set('13', '13|FAILED|2:0|00:00:05|2:0');
    await waitFor(() => ends[2]!.value !== undefined);
    const afterSacct = slurm.calls.length;
    await waitFor(() => slurm.calls.length > afterSacct);
    expect(ends[1]!.value).toMatchObject({ kind: 'accounted', accounting: { state: 'COMPLETED' } });
    expect(ends[2]!.value).toMatchObject({ kind: 'accounted', accounting: { state: 'FAILED', exitCode: 2 } });
    const sacctCalls = slurm.calls.filter((call) => call.startsWith('sacct'));
    expect(sacctCalls).toHaveLength(1);
    expect(sacctCalls[0]).toContain('-j 12,13 ');
    expect(slurm.calls[afterSacct]).toMatch(/^squeue -h -r --jobs=11,14,15 /);

    for (const id of ['11', '14', '15']) {
      slurm.queue.delete(id);
      slurm.accounting.set(id, `${id}|COMPLETED|0:0|00:00:05|0:0`);
    }
    await waitFor(() => ends.every((end) => end.value !== undefined));
    expect(ends.every((end) => end.value?.kind === 'accounted')).toBe(true);
    expect(poller.size).toBe(0);
  });

  it('a watcher that knows how its job ended (the exit record) spares the sacct call', async () => {
    const slurm = new FakeSlurm();
    const poller = new SlurmJobPoller({ run: slurm.run, intervalMs: 10 });
    const end = await poller.watch('21', { settledWithoutAccounting: async () => true });
    expect(end).toEqual({ kind: 'settled' });
    expect(slurm.count('sacct')).toBe(0);
  });

  it('backs off while squeue fails, without failing the watch, then resumes the base interval', async () => {
    const slurm = new FakeSlurm();
    const warnings: string[] = [];
    const poller = new SlurmJobPoller({ run: slurm.run, intervalMs: 5, maxIntervalMs: 40, onWarning: (message) => warnings.push(message) });
    slurm.queue.set('31', 'RUNNING');
    slurm.squeueFailures = 4;
    const end = settle(poller.watch('31'));
    await waitFor(() => slurm.squeueFailures === 2);
    expect(poller.intervalMs).toBe(20); // 5, then doubled twice
    await waitFor(() => slurm.count('squeue') >= 5);
    expect(poller.intervalMs).toBe(5); // 40 at most, then success resets it
    expect(warnings).toHaveLength(1); // one warning per streak
    expect(warnings[0]).toMatch(/squeue failed.*Socket timed out.*backoff/);
    expect(end.value).toBeUndefined();
    slurm.queue.delete('31');
    slurm.accounting.set('31', '31|COMPLETED|0:0|00:00:01|0:0');
    await waitFor(() => end.value !== undefined);
    expect(end.value).toMatchObject({ kind: 'accounted' });
  });

  it('without slurmdbd, reads the job completion log (sacct --completion) from then on', async () => {
    const slurm = new FakeSlurm();
    slurm.noSlurmdbd = true;
    slurm.accounting.set('41', '41|TIMEOUT|0:0|00:01:00|0:0');
    slurm.accounting.set('42', '42|NODE_FAIL|0:0|00:01:00|0:0');
    const poller = new SlurmJobPoller({ run: slurm.run, intervalMs: 5 });
    const [first, second] = await Promise.all([poller.watch('41'), poller.watch('42')]);
    expect(first).toMatchObject({ kind: 'accounted', accounting: { state: 'TIMEOUT' } });
    expect(second).toMatchObject({ kind: 'accounted', accounting: { state: 'NODE_FAIL' } });
    const sacctCalls = slurm.calls.filter((call) => call.startsWith('sacct'));
    expect(sacctCalls[0]).not.toContain('--completion');
    expect(sacctCalls.slice(1).every((call) => call.includes('--completion'))).toBe(true);
  });

  it('a job that left the queue and is known nowhere vanishes after the grace period', async () => {
    const slurm = new FakeSlurm();
    const poller = new SlurmJobPoller({ run: slurm.run, intervalMs: 5, recordGraceMs: 40 });
    const started = Date.now();
    const end: JobEnd = await poller.watch('51');
    expect(end.kind).toBe('vanished');
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(slurm.count('scontrol')).toBeGreaterThanOrEqual(3);
  });

  it('cancels with one scancel for all the jobs asked in a cycle, at once rather than at the next interval', async () => {
    const slurm = new FakeSlurm();
    const poller = new SlurmJobPoller({ run: slurm.run, intervalMs: 10_000 });
    for (const id of ['61', '62']) slurm.queue.set(id, 'PENDING');
    slurm.accounting.set('61', '61|CANCELLED by 0|0:0|00:00:00|0:0');
    slurm.accounting.set('62', '62|CANCELLED by 0|0:0|00:00:00|0:0');
    const ends = [poller.watch('61'), poller.watch('62')];
    poller.cancel('61');
    poller.cancel('62');
    const started = Date.now();
    await Promise.all(ends);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(slurm.calls.filter((call) => call.startsWith('scancel'))).toEqual(['scancel 61 62']);
  });

  it('abandon resolves the watch at once', async () => {
    const slurm = new FakeSlurm();
    const poller = new SlurmJobPoller({ run: slurm.run, intervalMs: 10_000 });
    slurm.queue.set('71', 'RUNNING');
    const end = poller.watch('71');
    poller.abandon('71');
    expect(await end).toEqual({ kind: 'abandoned' });
    expect(poller.size).toBe(0);
  });
});
