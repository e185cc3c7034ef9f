import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutolabError } from '../../core/errors.ts';
import { LocalExecutor } from './local-executor.ts';
import { sharedLauncher } from './process-launcher.ts';
import { commandRequests } from '../../testing/command-requests.ts';

const executor = new LocalExecutor();
let dir: string;
const request = commandRequests({ cwd: () => dir, logFile: (n) => join(dir, `run-${n}.log`), timeoutMs: 20_000 });

/** The real python3 binary (not a pyenv shim, which needs more environment), or null. */
function findPython(): string | null {
  try {
    return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

beforeAll(async () => {
  await sharedLauncher().warmUp(); // commands start from the launcher (process-launcher.ts)
  dir = mkdtempSync(join(tmpdir(), 'autolab-local-executor-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LocalExecutor: results', () => {
  it('reports the exit code, combined log, and separate tails', async () => {
    const req = request('echo out-1; echo err-1 >&2; echo out-2; exit 3');
    const result = await executor.run(req);
    expect(executor.kind).toBe('local');
    expect(result).toMatchObject({
      exitCode: 3,
      signal: null,
      timedOut: false,
      aborted: false,
      spawnError: null,
      outputTruncated: false,
      oomSuspected: false,
      logError: null,
    });
    expect(result.stdoutTail).toBe('out-1\nout-2\n');
    expect(result.outputTail).toContain('err-1\n');
    expect(result.outputBytes).toBe(18);
    expect(readFileSync(req.logFile, 'utf8').split('\n').sort()).toEqual(['', 'err-1', 'out-1', 'out-2']);
  });

  it('returns exit code 0 for success and 127 for a command that does not exist', async () => {
    expect((await executor.run(request('true'))).exitCode).toBe(0);
    const missing = await executor.run(request('no-such-command-autolab-xyz'));
    expect(missing.exitCode).toBe(127);
    expect(missing.spawnError).toBeNull();
    expect(missing.outputTail).toMatch(/not found/);
  });

  it('measures the duration of the command', async () => {
    const result = await executor.run(request('sleep 0.3'));
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('runs in cwd with exactly the given environment (plus the PWD that /bin/sh exports)', async () => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', AUTOLAB_TEST_VALUE: 'a b=c', AUTOLAB_RUN_TOKEN: 'tok' };
    const result = await executor.run(request('env', { env }));
    const printed = Object.fromEntries(
      result.stdoutTail
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(printed).toEqual({ ...env, PWD: dir });
  });

  it('caps the log file, counts everything, and keeps the last line in the stdout tail', async () => {
    const cap = 64 * 1024;
    const req = request('yes 0123456789abcdefghij | head -n 250000; echo last-line', { outputCapBytes: cap });
    const result = await executor.run(req);
    expect(result.exitCode).toBe(0);
    expect(result.outputTruncated).toBe(true);
    expect(result.outputBytes).toBe(250_000 * 21 + 10);
    expect(result.stdoutTail.endsWith('0123456789abcdefghij\nlast-line\n')).toBe(true);
    expect(Buffer.byteLength(result.stdoutTail)).toBe(8192);
    const note = `[autolab: output truncated after ${cap} bytes; ${result.outputBytes - cap} bytes dropped]\n`;
    const log = readFileSync(req.logFile, 'utf8');
    expect(log.endsWith(note)).toBe(true);
    expect(statSync(req.logFile).size).toBeLessThanOrEqual(cap + 1 + note.length);
  });

  it('returns a spawn error, not a throw, for a missing cwd', async () => {
    const result = await executor.run(request('true', { cwd: join(dir, 'does-not-exist') }));
    expect(result.spawnError).toMatch(/does-not-exist/);
    expect(result.exitCode).toBeNull();
    expect(result.pid).toBeNull();
  });

  it('keeps draining and reports a log file that cannot be written (full disk)', async () => {
    const result = await executor.run(request('yes full | head -n 100000; echo end', { logFile: '/dev/full' }));
    expect(result.exitCode).toBe(0);
    expect(result.logError).toMatch(/ENOSPC/);
    expect(result.outputBytes).toBe(100_000 * 5 + 4);
    expect(result.stdoutTail.endsWith('full\nend\n')).toBe(true);
  });

  it('rejects a malformed request with an AutolabError', async () => {
    await expect(executor.run(request('true', { timeoutMs: 0 }))).rejects.toBeInstanceOf(AutolabError);
    await expect(executor.run(request('  '))).rejects.toThrow(/command is empty/);
  });
});

describe('LocalExecutor: memory', () => {
  const python = findPython();

  it.skipIf(python === null)('makes a big allocation fail under memoryBytes and suspects OOM', async () => {
    const result = await executor.run(
      request(`'${python}' -c "x = bytearray(2 * 10**9)"`, { memoryBytes: 500 * 1024 * 1024 }),
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.outputTail).toContain('MemoryError');
    expect(result.oomSuspected).toBe(true);
  });

  it.skipIf(python === null)('lets a small allocation succeed under the same cap', async () => {
    const result = await executor.run(
      request(`'${python}' -c "x = bytearray(10**7); print(len(x))"`, { memoryBytes: 500 * 1024 * 1024 }),
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdoutTail).toBe('10000000\n');
    expect(result.oomSuspected).toBe(false);
  });

  it('suspects OOM when the leader is SIGKILLed by someone else', async () => {
    const result = await executor.run(request('kill -9 $$', { memoryBytes: 500 * 1024 * 1024 }));
    expect(result.signal).toBe('SIGKILL');
    expect(result.oomSuspected).toBe(true);
  });

  it('does not suspect OOM for a clean failure or for a success that mentions memory', async () => {
    expect((await executor.run(request('echo boom >&2; exit 1'))).oomSuspected).toBe(false);
    expect((await executor.run(request('echo "no out of memory today"'))).oomSuspected).toBe(false);
  });
});
