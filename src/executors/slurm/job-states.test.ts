import { describe, expect, it } from 'vitest';
import { judgeJobEnd, parseElapsedMs, parseSacct, parseScontrolJob, parseSqueue, signalName, type JobAccounting, type JobEndFacts } from './job-states.ts';

const accounting = (state: string, exit = '0:0', derived = '0:0'): JobAccounting => parseSacct(`42|${state}|${exit}|00:01:05|${derived}\n`).get('42')!;

const facts = (overrides: Partial<JobEndFacts>): JobEndFacts => ({
  jobId: '42',
  cancelledByUs: null,
  exitRecord: null,
  cwdProblem: null,
  accounting: null,
  vanished: null,
  oomPhraseSeen: false,
  ...overrides,
});

describe('parsing what Slurm prints', () => {
  it('squeue: id and state per line, array elements included, junk skipped', () => {
    const jobs = parseSqueue('  101 RUNNING\n102 PENDING\n103_4 COMPLETING\nsqueue: error: something\n\n');
    expect([...jobs]).toEqual([
      ['101', 'RUNNING'],
      ['102', 'PENDING'],
      ['103_4', 'COMPLETING'],
    ]);
  });

  it('sacct: allocations only, "CANCELLED by uid", exit pairs, elapsed', () => {
    const jobs = parseSacct(['7|CANCELLED by 1000|0:15|00:00:03|0:0', '7.batch|CANCELLED|0:15|00:00:03|', '8|FAILED|2:0|1-02:03:04|2:0', '9|COMPLETED|0:0|00:00:00|0:0', 'garbage'].join('\n'));
    expect([...jobs.keys()]).toEqual(['7', '8', '9']);
    expect(jobs.get('7')).toMatchObject({ state: 'CANCELLED', stateText: 'CANCELLED by 1000', exitCode: 0, signal: 15, elapsedMs: 3000 });
    expect(jobs.get('8')).toMatchObject({ state: 'FAILED', exitCode: 2, signal: null, derivedExitCode: 2, elapsedMs: ((26 * 60 + 3) * 60 + 4) * 1000 });
  });

  it('scontrol -o show job: state and exit code of a job still in the controller', () => {
    const record = parseScontrolJob('JobId=12 JobName=autolab-x JobState=OUT_OF_MEMORY Reason=OutOfMemory ExitCode=0:125 RunTime=00:00:07 DerivedExitCode=0:0');
    expect(record).toMatchObject({ jobId: '12', state: 'OUT_OF_MEMORY', exitCode: 0, signal: 125, elapsedMs: 7000 });
    expect(parseScontrolJob('slurm_load_jobs error: Invalid job id specified')).toBeNull();
  });

  it('elapsed times and signal names', () => {
    expect(parseElapsedMs('05:30')).toBe(330_000);
    expect(parseElapsedMs('01:00:00')).toBe(3_600_000);
    expect(parseElapsedMs('00:01.500')).toBe(1_500);
    expect(parseElapsedMs('INVALID')).toBeNull();
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalName(15)).toBe('SIGTERM');
  });
});

describe('judgeJobEnd: one place maps a job end to the port result', () => {
  it('the batch script recorded the exit code: it wins, even over a later cancel', () => {
    expect(judgeJobEnd(facts({ exitRecord: 0 }))).toMatchObject({ exitCode: 0, signal: null, timedOut: false, oomSuspected: false });
    expect(judgeJobEnd(facts({ exitRecord: 3, cancelledByUs: 'timeout' }))).toMatchObject({ exitCode: 3, timedOut: false });
    // scancel's SIGTERM killed the command before the script's trap ran: the script recorded 143
    expect(judgeJobEnd(facts({ exitRecord: 143, cancelledByUs: 'timeout' }))).toMatchObject({ exitCode: null, timedOut: true });
    expect(judgeJobEnd(facts({ exitRecord: 137, cancelledByUs: 'abort' }))).toMatchObject({ exitCode: null, aborted: true });
    expect(judgeJobEnd(facts({ exitRecord: 137 }))).toMatchObject({ exitCode: 137, oomSuspected: true });
    expect(judgeJobEnd(facts({ exitRecord: 1, oomPhraseSeen: true }))).toMatchObject({ exitCode: 1, oomSuspected: true });
  });

  it('autolab cancelled it: at the budget it timed out, on abort it was aborted', () => {
    expect(judgeJobEnd(facts({ cancelledByUs: 'timeout', accounting: accounting('CANCELLED by 0') }))).toMatchObject({ timedOut: true, aborted: false, machineFault: null });
    expect(judgeJobEnd(facts({ cancelledByUs: 'abort' }))).toMatchObject({ aborted: true, timedOut: false });
  });

  it('COMPLETED, FAILED with a code, FAILED by a signal', () => {
    expect(judgeJobEnd(facts({ accounting: accounting('COMPLETED') }))).toMatchObject({ exitCode: 0, signal: null, oomSuspected: false });
    expect(judgeJobEnd(facts({ accounting: accounting('FAILED', '2:0') }))).toMatchObject({ exitCode: 2, signal: null, oomSuspected: false });
    expect(judgeJobEnd(facts({ accounting: accounting('FAILED', '0:11') }))).toMatchObject({ exitCode: null, signal: 'SIGSEGV', oomSuspected: false });
    expect(judgeJobEnd(facts({ accounting: accounting('FAILED', '0:0', '0:6') }))).toMatchObject({ exitCode: null, signal: 'SIGABRT' });
  });

  it("Slurm's own time limit is a timeout; OUT_OF_MEMORY and an unexplained SIGKILL are OOM", () => {
    expect(judgeJobEnd(facts({ accounting: accounting('TIMEOUT') }))).toMatchObject({ timedOut: true });
    const oom = judgeJobEnd(facts({ accounting: accounting('OUT_OF_MEMORY', '0:125') }));
    expect(oom).toMatchObject({ oomSuspected: true, machineFault: null });
    expect(oom.exitCode === 0).toBe(false);
    expect(judgeJobEnd(facts({ accounting: accounting('OUT_OF_MEMORY') }))).toMatchObject({ oomSuspected: true, signal: 'SIGKILL', exitCode: null });
    expect(judgeJobEnd(facts({ accounting: accounting('FAILED', '0:9') }))).toMatchObject({ signal: 'SIGKILL', oomSuspected: true });
  });

  it("the machine's faults: node failure, preemption, boot failure, someone else's scancel, a vanished job", () => {
    for (const state of ['NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']) {
      const verdict = judgeJobEnd(facts({ accounting: accounting(state) }));
      expect(verdict.machineFault, state).toContain(state);
      expect(verdict).toMatchObject({ timedOut: false, aborted: false, spawnError: null, oomSuspected: false });
    }
    expect(judgeJobEnd(facts({ accounting: accounting('CANCELLED by 1000') })).machineFault).toMatch(/cancelled outside autolab \(CANCELLED by 1000\)/);
    expect(judgeJobEnd(facts({ vanished: 'not in squeue or sacct for 60 s' })).machineFault).toMatch(/no record.*60 s/);
    expect(judgeJobEnd(facts({ accounting: accounting('WEIRD_NEW_STATE') })).machineFault).toMatch(/does not know: WEIRD_NEW_STATE/);
    expect(judgeJobEnd(facts({ accounting: accounting('FAILED', '0:0') })).machineFault).toMatch(/batch script did not run/);
  });

  it('a working directory the node cannot see is a start failure', () => {
    expect(judgeJobEnd(facts({ cwdProblem: 'not visible on node n1', accounting: accounting('FAILED', '1:0') }))).toMatchObject({ spawnError: 'not visible on node n1', exitCode: null });
  });
});
