import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPidsCgroup, pidsHierarchy, removeIdleCgroups } from './sandbox-pids.ts';

const hierarchy = await pidsHierarchy();

/** Runs `script` with its shell in `procsFile`'s cgroup; resolves with its exit code. */
function inCgroup(procsFile: string, script: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', `echo $$ > "$1" || exit 99; ${script}`, 'x', procsFile], { stdio: 'ignore' });
    child.once('exit', (code) => resolve(code));
  });
}

describe.skipIf(hierarchy === null)('pids cgroups kept for reuse', () => {
  afterEach(() => removeIdleCgroups());

  it('hands an emptied cgroup out again, with the new limit and its limit hits counted from zero', async () => {
    const token = `reuse-${randomUUID()}`;
    const first = (await createPidsCgroup(token, 4))!;
    // Forks past the limit fail: the hits are counted.
    await inCgroup(first.procsFile, 'for i in 1 2 3 4 5 6 7 8; do sleep 0.2 & done; wait');
    expect(await first.limitHits()).toBeGreaterThan(0);
    await first.destroy();
    expect(readFileSync(first.procsFile, 'utf8')).toBe('');
    const second = (await createPidsCgroup(token, 64))!;
    expect(second.dir).toBe(first.dir);
    expect(readFileSync(join(second.dir, 'pids.max'), 'utf8').trim()).toBe('64');
    expect(await second.limitHits()).toBe(0);
    expect(await inCgroup(second.procsFile, 'for i in 1 2 3 4 5 6 7 8; do sleep 0.05 & done; wait')).toBe(0);
    expect(await second.limitHits()).toBe(0);
    await second.destroy();
  });

  it('never hands out a cgroup of another token, nor one that a process joined after it was emptied', async () => {
    const token = `reuse-${randomUUID()}`;
    const first = (await createPidsCgroup(token, 16))!;
    await first.destroy();
    const other = (await createPidsCgroup(`other-${randomUUID()}`, 16))!;
    expect(other.dir).not.toBe(first.dir);
    // A process joins the kept cgroup: it is not reused, and the process is killed with it.
    const joined = spawn('/bin/sh', ['-c', 'echo $$ > "$1" && exec sleep 30', 'x', first.procsFile], { stdio: 'ignore' });
    const exited = new Promise((resolve) => joined.once('exit', (_code, signal) => resolve(signal)));
    for (let i = 0; i < 100 && readFileSync(first.procsFile, 'utf8') === ''; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const second = (await createPidsCgroup(token, 16))!;
    expect(second.dir).not.toBe(first.dir);
    expect(await exited).toBe('SIGKILL');
    for (let i = 0; i < 100 && existsSync(first.dir); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(existsSync(first.dir)).toBe(false);
    await Promise.all([other.destroy(), second.destroy()]);
  });

  it('keeps a cgroup once however often its handle is destroyed, and a spent handle no longer kills', async () => {
    const token = `reuse-${randomUUID()}`;
    const first = (await createPidsCgroup(token, 16))!;
    await first.destroy();
    await first.destroy();
    const [a, b] = [(await createPidsCgroup(token, 16))!, (await createPidsCgroup(token, 16))!];
    expect(a.dir).toBe(first.dir);
    expect(b.dir).not.toBe(first.dir);
    const running = spawn('/bin/sh', ['-c', 'echo $$ > "$1" && exec sleep 30', 'x', a.procsFile], { stdio: 'ignore' });
    const ended = new Promise((resolve) => running.once('exit', (_code, signal) => resolve(signal)));
    for (let i = 0; i < 100 && readFileSync(a.procsFile, 'utf8') === ''; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(first.killAll()).toBe(0);
    expect(running.exitCode).toBeNull();
    expect(await a.destroy()).toBeGreaterThanOrEqual(1);
    expect(await ended).toBe('SIGKILL');
    await b.destroy();
  });

  it('removes the kept cgroups on request (and when the process exits)', async () => {
    const token = `reuse-${randomUUID()}`;
    const cgroups = [(await createPidsCgroup(token, 16))!, (await createPidsCgroup(token, 16))!];
    for (const cgroup of cgroups) await cgroup.destroy();
    expect(cgroups.every((cgroup) => existsSync(cgroup.dir))).toBe(true);
    removeIdleCgroups();
    expect(cgroups.some((cgroup) => existsSync(cgroup.dir))).toBe(false);
  });
});
