import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from './local-executor.ts';
import { sharedLauncher } from './process-launcher.ts';
import { listProcessGroup } from './process-group.ts';
import { commandRequests } from '../../testing/command-requests.ts';

const onLinux = process.platform === 'linux';
const executor = new LocalExecutor();
let dir: string;
const request = commandRequests({ cwd: () => dir, logFile: (n) => join(dir, `run-${n}.log`), timeoutMs: 20_000 });

async function timed<T>(work: Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work;
  return [value, performance.now() - started];
}

/** The one-letter state of a process (`S`, `R`, `Z`, ...), or `gone`. */
async function processState(pid: number): Promise<string> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? 'gone';
  } catch {
    return 'gone';
  }
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ESRCH');
    return false;
  }
}

/**
 * Asserts that no process of the group is alive: at once no member may be running or
 * sleeping (zombies are dead), and once their new parent (init) has reaped the zombies,
 * `kill(-pgid, 0)` must fail with ESRCH. This machine's init reaps lazily (~2 s).
 */
async function expectGroupGone(pgid: number): Promise<void> {
  if (onLinux) {
    await new Promise((resolve) => setTimeout(resolve, 50)); // signal delivery
    const alive = (await listProcessGroup(pgid)).filter((member) => member.state !== 'Z');
    expect(alive).toEqual([]);
  }
  const deadline = performance.now() + 8000;
  while (groupExists(pgid) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(groupExists(pgid)).toBe(false);
}

beforeAll(async () => {
  await sharedLauncher().warmUp(); // commands start from the launcher (process-launcher.ts)
  dir = mkdtempSync(join(tmpdir(), 'autolab-local-kill-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.concurrent('LocalExecutor: budgets, aborts, and stray processes', () => {
  it('kills the whole group (leader and grandchild) at the budget', async () => {
    const [result, elapsed] = await timed(executor.run(request('sleep 30 & sleep 30', { timeoutMs: 500 })));
    expect(result.timedOut).toBe(true);
    expect(result.aborted).toBe(false);
    expect(result.oomSuspected).toBe(false);
    expect(elapsed).toBeLessThan(500 + 1500);
    expect(result.pid).not.toBeNull();
    await expectGroupGone(result.pid as number);
  });

  it('SIGKILLs a group that ignores SIGTERM after the grace period', async () => {
    const [result, elapsed] = await timed(
      executor.run(request("trap '' TERM; sleep 30 & sleep 30; echo survived", { timeoutMs: 400 })),
    );
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(result.stdoutTail).not.toContain('survived');
    expect(elapsed).toBeGreaterThanOrEqual(400 + 450);
    expect(elapsed).toBeLessThan(400 + 1500);
    await expectGroupGone(result.pid as number);
  });

  it('aborts at once with SIGKILL', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const [result, elapsed] = await timed(
      executor.run(request('sleep 30 & sleep 30', { signal: controller.signal })),
    );
    expect(result).toMatchObject({ aborted: true, timedOut: false, signal: 'SIGKILL', oomSuspected: false });
    expect(elapsed).toBeLessThan(200 + 1000);
    await expectGroupGone(result.pid as number);
  });

  it('does not start a command whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await executor.run(request('echo ran', { signal: controller.signal }));
    expect(result).toMatchObject({ aborted: true, exitCode: null, pid: null, outputBytes: 0 });
  });

  it('resolves quickly and kills a grandchild that still holds the pipe after the leader exits', async () => {
    const [result, elapsed] = await timed(executor.run(request('(sleep 30 &) ; echo done')));
    expect(result.exitCode).toBe(0);
    expect(result.stdoutTail).toBe('done\n');
    expect(elapsed).toBeLessThan(1500);
    await expectGroupGone(result.pid as number);
  });

  it.skipIf(!onLinux)('resolves quickly when a setsid grandchild escapes the group holding stdout; reapOrphans gets it', async () => {
    const token = `test-${randomUUID()}`;
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', AUTOLAB_RUN_TOKEN: token };
    // The leader waits until the grandchild has left the group (setsid runs before the
    // marker appears), so the group kill at the leader's exit cannot catch it.
    const marker = join(dir, `escaped-${token}`);
    const command =
      `setsid sh -c 'echo $$ > ${marker}.tmp && mv ${marker}.tmp ${marker}; exec sleep 30' & ` +
      `while [ ! -e ${marker} ]; do sleep 0.01; done; echo done`;
    const [result, elapsed] = await timed(executor.run(request(command, { env })));
    expect(result.exitCode).toBe(0);
    expect(result.stdoutTail).toBe('done\n');
    expect(elapsed).toBeLessThan(1500);
    const escapedPid = Number(readFileSync(marker, 'utf8'));
    expect(await processState(escapedPid)).toBe('S'); // it really outlived the run
    expect(await executor.reapOrphans(token)).toBe(1);
    const deadline = performance.now() + 2000;
    while (!['Z', 'gone'].includes(await processState(escapedPid)) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(['Z', 'gone']).toContain(await processState(escapedPid));
    expect(await executor.reapOrphans(token)).toBe(0);
  });

  it.skipIf(!onLinux)('reapOrphans kills the processes carrying the token, and only those', async () => {
    const token = `test-${randomUUID()}`;
    const start = (runToken: string) => {
      const child = spawn('/bin/sh', ['-c', 'sleep 60; true'], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AUTOLAB_RUN_TOKEN: runToken },
        detached: true,
        stdio: 'ignore',
      });
      return { child, exited: once(child, 'exit') };
    };
    const orphan = start(token);
    const bystander = start(`${token}-other`); // shares a prefix, not the token
    try {
      const deadline = performance.now() + 5000; // let sh start its sleep
      while ((await listProcessGroup(orphan.child.pid as number)).length < 2 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await executor.reapOrphans(token)).toBe(2); // sh and its sleep
      const [, signal] = await orphan.exited;
      expect(signal).toBe('SIGKILL');
      await expectGroupGone(orphan.child.pid as number);
      expect(bystander.child.exitCode).toBeNull();
      expect(groupExists(bystander.child.pid as number)).toBe(true);
    } finally {
      try {
        process.kill(-(bystander.child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('returns 0 from reapOrphans when nothing carries the token', async () => {
    expect(await executor.reapOrphans(`none-${randomUUID()}`)).toBe(0);
  });
});
