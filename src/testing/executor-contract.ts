/**
 * The contract test suite of the Executor port (src/core/executor.ts): every adapter
 * (local, Slurm) runs these same tests against the real thing (STYLE.md habit 7). What an
 * adapter may legitimately do differently is a documented capability, never a skip.
 *
 * Budgets are derived from a trivial command timed first (`true`), so the suite holds on
 * a loaded machine and on a cluster whose jobs take seconds to start; the bounds on how
 * soon a result comes are allowances (`endLatencyMs`), not benchmarks.
 *
 * @example
 * describeExecutorContract('LocalExecutor', {
 *   makeExecutor: () => new LocalExecutor(),
 *   capabilities: { addedEnvironment: /^PWD$/, separateStdoutTail: true, endLatencyMs: 5_000 },
 * });
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRequest, CommandResult, Executor } from '../core/executor.ts';

/** Where an adapter legitimately differs from another; each difference is stated here, not skipped. */
export interface ExecutorCapabilities {
  /**
   * Names of the variables a command sees beside exactly the request's `env`. Local:
   * `PWD` (exported by `/bin/sh`). Slurm: `PWD`, Slurm's `SLURM_*` and the GPU binding it
   * made (`CUDA_VISIBLE_DEVICES`, ...).
   */
  addedEnvironment: RegExp;
  /**
   * `stdoutTail` holds stdout alone (local: two pipes), or the combined output (Slurm:
   * the job writes stdout and stderr into one file).
   */
  separateStdoutTail: boolean;
  /**
   * How long a result may come after the budget, an abort or the leader's exit, on a
   * loaded machine. Local: the kill grace and the pipe drain (~1 s). Slurm: a poll
   * interval, `scancel` and the job leaving the queue.
   */
  endLatencyMs: number;
}

export interface ExecutorContractOptions {
  /** A new executor of the kind under test: once for the suite, and once more as a second driver that reaps a dead one's runs. */
  makeExecutor: () => Executor;
  capabilities: ExecutorCapabilities;
  /** Where the worktree, logs and marker files go (default: the OS temp folder); the executor's machines must see it at the same path. */
  workRoot?: string;
}

/** A command that ticks `file` (a counter, replaced atomically) ten times a second until it is killed. */
function heartbeat(file: string): string {
  return `(n=0; while :; do n=$((n+1)); echo $n > '${file}.tmp' && mv '${file}.tmp' '${file}'; sleep 0.1; done)`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Waits until `file` exists; fails after `ms`. */
async function waitForFile(file: string, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await exists(file))) {
    if (performance.now() > deadline) throw new Error(`${file} did not appear within ${Math.round(ms)} ms`);
    await sleep(50);
  }
}

/** Asserts that the heartbeat of `file` ran and has stopped: no process of it is left. */
async function expectStopped(file: string): Promise<void> {
  expect(await exists(file), `${file}: the heartbeat never started`).toBe(true);
  const before = await readFile(file, 'utf8');
  await sleep(2_000);
  expect(await readFile(file, 'utf8'), `${file}: the heartbeat is still ticking`).toBe(before);
}

/** The real python3 binary (not a pyenv shim, which needs more environment), or null. */
function findPython(): string | null {
  try {
    return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

async function timed(work: Promise<CommandResult>): Promise<[CommandResult, number]> {
  const started = performance.now();
  const result = await work;
  return [result, performance.now() - started];
}

/** Registers the Executor contract tests for one adapter. */
export function describeExecutorContract(name: string, options: ExecutorContractOptions): void {
  const { capabilities } = options;
  describe(`Executor contract: ${name}`, () => {
    const executor = options.makeExecutor();
    const token = randomUUID();
    let dir: string;
    let worktree: string;
    let count = 0;
    /** Wall-clock time of a trivial command, start to result: what this machine (or cluster) takes right now. */
    let startupMs = 0;
    /** A budget the slowest start fits in: commands begin well before it runs out. */
    let budgetMs = 0;

    const request = (command: string, overrides: Partial<CommandRequest> = {}): CommandRequest => {
      count += 1;
      return {
        command,
        cwd: worktree,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AUTOLAB_RUN_TOKEN: token, AUTOLAB_TRIAL: String(count), AUTOLAB_PHASE: 'run' },
        timeoutMs: 120_000,
        outputCapBytes: 1 << 20,
        logFile: join(dir, `c${count}`, 'run.log'),
        ...overrides,
      };
    };
    let markers = 0;
    /** A fresh marker file for a heartbeat. */
    const marker = (label: string) => join(dir, `${label}-${(markers += 1)}`);
    const run = async (req: CommandRequest) => {
      await mkdir(join(req.logFile, '..'), { recursive: true });
      return executor.run(req);
    };

    beforeAll(async () => {
      dir = await realpath(await mkdtemp(join(options.workRoot ?? tmpdir(), 'autolab-executor-contract-')));
      worktree = join(dir, 'worktree');
      await mkdir(worktree);
      const [result, elapsed] = await timed(run(request('true')));
      expect(result.exitCode, JSON.stringify(result)).toBe(0);
      startupMs = elapsed;
      budgetMs = Math.max(2_000, 2 * startupMs);
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reports the exit code and writes stdout and stderr, counted, to the log file', async () => {
      const req = request('echo out-1; echo err-1 >&2; exit 3');
      const result = await run(req);
      expect(result).toMatchObject({ exitCode: 3, signal: null, timedOut: false, aborted: false, spawnError: null, oomSuspected: false, outputTruncated: false, logError: null });
      expect(result.machineFault ?? null).toBeNull();
      const log = await readFile(req.logFile, 'utf8');
      expect(log.split('\n').sort()).toEqual(['', 'err-1', 'out-1']);
      expect(result.outputBytes).toBe(Buffer.byteLength(log));
      expect(result.outputTail).toContain('err-1\n');
      if (capabilities.separateStdoutTail) expect(result.stdoutTail).toBe('out-1\n');
      else expect(result.stdoutTail).toContain('out-1\n');
    });

    it('runs in cwd with exactly the given environment', async () => {
      const env = { ...request('').env, AUTOLAB_TEST_VALUE: `a b=c 'quoted' "twice" $HOME` };
      const result = await run(request('pwd; env', { env }));
      expect(result.exitCode).toBe(0);
      const [pwd, ...lines] = result.stdoutTail.trim().split('\n');
      expect(pwd).toBe(worktree);
      const seen = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
      expect(seen).toMatchObject(env);
      const added = Object.keys(seen).filter((key) => !(key in env));
      expect(added.filter((key) => !capabilities.addedEnvironment.test(key))).toEqual([]);
    });

    it('caps the log file at outputCapBytes, counts every byte and keeps the tail from the very end', async () => {
      const cap = 1_000;
      const req = request('yes 0123456789abcdefghij | head -n 20000; echo last-line', { outputCapBytes: cap });
      const result = await run(req);
      expect(result).toMatchObject({ exitCode: 0, outputTruncated: true, outputBytes: 20_000 * 21 + 10 });
      expect(result.stdoutTail.endsWith('0123456789abcdefghij\nlast-line\n')).toBe(true);
      const log = await readFile(req.logFile, 'utf8');
      const note = `[autolab: output truncated after ${cap} bytes; ${result.outputBytes - cap} bytes dropped]\n`;
      expect(log.startsWith('0123456789abcdefghij\n')).toBe(true);
      expect(log.endsWith(note)).toBe(true);
      expect(Buffer.byteLength(log)).toBeLessThanOrEqual(cap + 1 + note.length);
    });

    it('kills the whole process group at the budget, a background child included', async () => {
      const beat = marker('budget');
      const [result, elapsed] = await timed(run(request(`${heartbeat(beat)} & sleep 300`, { timeoutMs: budgetMs })));
      expect(result).toMatchObject({ timedOut: true, aborted: false, exitCode: null, oomSuspected: false });
      expect(result.durationMs).toBeGreaterThanOrEqual(budgetMs - 1_000); // Slurm's accounting counts whole seconds
      expect(elapsed).toBeLessThan(startupMs + budgetMs + capabilities.endLatencyMs);
      await expectStopped(beat);
    });

    it('resolves when the leader exits and kills what it left behind (a child holding the output)', async () => {
      const beat = marker('left-behind');
      const [result, elapsed] = await timed(run(request(`${heartbeat(beat)} & while [ ! -e '${beat}' ]; do sleep 0.05; done; echo done`)));
      expect(result).toMatchObject({ exitCode: 0, timedOut: false, aborted: false });
      expect(result.stdoutTail).toContain('done\n');
      expect(elapsed).toBeLessThan(startupMs + capabilities.endLatencyMs);
      await expectStopped(beat);
    });

    it('an abort kills the command at once; an aborted signal starts nothing', async () => {
      const beat = marker('abort');
      const controller = new AbortController();
      const running = run(request(`${heartbeat(beat)} & sleep 300`, { signal: controller.signal }));
      await waitForFile(beat, budgetMs + startupMs + 30_000);
      const aborted = performance.now();
      controller.abort();
      const result = await running;
      const elapsed = performance.now() - aborted;
      expect(result).toMatchObject({ aborted: true, timedOut: false, oomSuspected: false });
      expect(elapsed).toBeLessThan(capabilities.endLatencyMs);
      await expectStopped(beat);

      const never = marker('never');
      const notStarted = await run(request(`echo ran > '${never}'`, { signal: AbortSignal.abort() }));
      expect(notStarted).toMatchObject({ aborted: true, exitCode: null, outputBytes: 0 });
      await sleep(startupMs);
      expect(await exists(never)).toBe(false);
    });

    it('a missing command exits 127; a missing working directory is a spawn error; a malformed request throws', async () => {
      const missing = await run(request('no-such-command-autolab-xyz'));
      expect(missing).toMatchObject({ exitCode: 127, spawnError: null, timedOut: false });
      expect(missing.outputTail).toMatch(/not found/);
      const nowhere = await run(request('true', { cwd: join(dir, 'does-not-exist') }));
      expect(nowhere).toMatchObject({ exitCode: null, timedOut: false, aborted: false });
      expect(nowhere.spawnError).toMatch(/does-not-exist/);
      await expect(run(request('true', { timeoutMs: 0 }))).rejects.toThrow(/timeoutMs must be > 0/);
    });

    const python = findPython();
    it.skipIf(python === null)('suspects OOM when a command runs out of memoryBytes, and not for a clean failure', async () => {
      const hog = await run(request(`'${python}' -c "x = bytearray(2 * 10**9)"`, { memoryBytes: 512 * 1024 * 1024 }));
      expect(hog.exitCode).not.toBe(0);
      expect(hog).toMatchObject({ oomSuspected: true, timedOut: false });
      expect(hog.outputTail).toContain('MemoryError');
      expect((await run(request('echo boom >&2; exit 1'))).oomSuspected).toBe(false);
      expect((await run(request('echo "no out of memory today"'))).oomSuspected).toBe(false);
    });

    it("reapOrphans ends a dead driver's runs by their token, and only those", async () => {
      const orphanToken = randomUUID();
      const bystanderToken = randomUUID();
      const [orphanBeat, bystanderBeat] = [marker('orphan'), marker('bystander')];
      const orphanRequest = request(`${heartbeat(orphanBeat)} & sleep 300`);
      const orphan = run({ ...orphanRequest, env: { ...orphanRequest.env, AUTOLAB_RUN_TOKEN: orphanToken } });
      const stopBystander = new AbortController();
      const bystanderRequest = request(`${heartbeat(bystanderBeat)} & sleep 300`, { signal: stopBystander.signal });
      const bystander = run({ ...bystanderRequest, env: { ...bystanderRequest.env, AUTOLAB_RUN_TOKEN: bystanderToken } });
      try {
        await waitForFile(orphanBeat, budgetMs + startupMs + 30_000);
        await waitForFile(bystanderBeat, budgetMs + startupMs + 30_000);
        const secondDriver = options.makeExecutor();
        expect(await secondDriver.reapOrphans(orphanToken)).toBeGreaterThanOrEqual(1);
        const [ended, elapsed] = await timed(orphan);
        expect(ended.exitCode).not.toBe(0);
        expect(ended).toMatchObject({ timedOut: false, aborted: false });
        expect(elapsed).toBeLessThan(capabilities.endLatencyMs);
        await expectStopped(orphanBeat);
        const before = await readFile(bystanderBeat, 'utf8');
        await sleep(1_000);
        expect(await readFile(bystanderBeat, 'utf8'), 'the bystander must still run').not.toBe(before);
        expect(await secondDriver.reapOrphans(randomUUID())).toBe(0);
      } finally {
        stopBystander.abort();
        await Promise.allSettled([orphan, bystander]);
      }
    });
  });
}
