import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessLauncher, type LaunchOutcome, type LaunchedProcess } from './process-launcher.ts';

const onLinux = process.platform === 'linux';
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ONLY: 'this' };
let dir: string;
let launcher: ProcessLauncher;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'autolab-launcher-'));
  launcher = new ProcessLauncher();
  expect(await launcher.warmUp()).toBe(true);
});
afterAll(() => {
  launcher.close();
  rmSync(dir, { recursive: true, force: true });
});

function started(outcome: LaunchOutcome): LaunchedProcess {
  if (!('started' in outcome)) throw new Error(`not started: ${JSON.stringify(outcome)}`);
  return outcome.started;
}

function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => stream.once('close', () => resolve(Buffer.concat(chunks))));
}

function sh(command: string, cwd = dir) {
  return launcher.launch({ file: '/bin/sh', args: ['-c', command], cwd, env });
}

describe.skipIf(!onLinux)('ProcessLauncher', () => {
  it('hands over both pipes whole, with the exit code, in the given cwd and exactly the given environment', async () => {
    // 4 MB on stdout (more than any pipe buffer: the command blocks until the driver reads), lines on stderr between.
    const command = 'head -c 4000000 /dev/zero | tr "\\0" x; echo; echo err-1 >&2; env | sort > env.txt; pwd; echo err-2 >&2; exit 7';
    const child = started(await sh(command));
    const [stdout, stderr, exit] = await Promise.all([collect(child.stdout), collect(child.stderr), child.exited]);
    expect(stdout.length).toBe(4_000_001 + dir.length + 1);
    expect(stdout.subarray(0, 4_000_000).every((byte) => byte === 0x78)).toBe(true);
    expect(stdout.toString('utf8', 4_000_001)).toBe(`${dir}\n`);
    expect(stderr.toString()).toBe('err-1\nerr-2\n');
    expect(exit).toMatchObject({ exitCode: 7, signal: null });
    expect(exit.durationMs).toBeGreaterThan(0);
    // Exactly the given environment, plus the PWD that /bin/sh exports.
    expect(readFileSync(join(dir, 'env.txt'), 'utf8').split('\n').filter(Boolean)).toEqual([`ONLY=this`, `PATH=${env.PATH}`, `PWD=${dir}`]);
  });

  it('starts each command as the leader of its own process group, and reports the signal that ended it', async () => {
    const child = started(await sh('ps -o pgid= -p $$; kill -9 $$'));
    const [stdout, exit] = await Promise.all([collect(child.stdout), child.exited]);
    expect(Number(stdout.toString().trim())).toBe(child.pid);
    expect(exit).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });

  it('measures the command from its start to its exit', async () => {
    const child = started(await sh('sleep 0.3'));
    const exit = await child.exited;
    expect(exit.durationMs).toBeGreaterThanOrEqual(250);
    expect(exit.durationMs).toBeLessThan(30_000);
  });

  it('reports a command that cannot start as a spawn error', async () => {
    const outcome = await launcher.launch({ file: join(dir, 'no-such-program'), args: [], cwd: dir, env });
    expect(outcome).toEqual({ spawnError: expect.stringMatching(/could not start .*no-such-program: .*ENOENT/) });
  });

  it('ends a running command as a machine fault when the launcher dies, and starts a new launcher for the next', async () => {
    const own = new ProcessLauncher();
    expect(await own.warmUp()).toBe(true);
    const first = own.pid!;
    const child = started(await own.launch({ file: '/bin/sh', args: ['-c', 'sleep 30'], cwd: dir, env }));
    process.kill(first, 'SIGKILL');
    const exit = await child.exited;
    expect(exit.machineFault).toMatch(/process launcher .* exited \(SIGKILL\) while the command ran/);
    process.kill(-child.pid, 'SIGKILL');
    // The next command goes to a fresh launcher once it is up (meanwhile callers spawn it themselves).
    expect(await own.launch({ file: '/bin/true', args: [], cwd: dir, env })).toEqual({ unavailable: true });
    expect(await own.warmUp()).toBe(true);
    expect(own.pid).not.toBe(first);
    const again = started(await own.launch({ file: '/bin/sh', args: ['-c', 'exit 3'], cwd: dir, env }));
    expect(await again.exited).toMatchObject({ exitCode: 3 });
    own.close();
  });

  it('exits when its driver goes (its IPC channel closes)', async () => {
    const own = new ProcessLauncher();
    expect(await own.warmUp()).toBe(true);
    const pid = own.pid!;
    own.close();
    const deadline = performance.now() + 30_000;
    while (alive(pid) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(alive(pid)).toBe(false);
  });

  it('exits when its driver is killed (SIGKILL), killing the commands it runs (a sandbox with --die-with-parent dies with it too)', async () => {
    const program = `import(${JSON.stringify(join(import.meta.dirname, 'process-launcher.ts'))}).then(async ({ ProcessLauncher }) => {
      const launcher = new ProcessLauncher();
      await launcher.warmUp();
      const outcome = await launcher.launch({ file: '/bin/sh', args: ['-c', 'sleep 60'], cwd: '/', env: {} });
      console.log(launcher.pid, outcome.started.pid);
      setInterval(() => undefined, 1000);
    });`;
    const driver = spawn(process.execPath, ['--import', 'tsx', '-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(driver.stdout!, 'data')) as [Buffer];
    const [launcherPid, commandPid] = line.toString().trim().split(' ').map(Number) as [number, number];
    expect(alive(launcherPid)).toBe(true);
    driver.kill('SIGKILL');
    const deadline = performance.now() + 30_000;
    while (alive(launcherPid) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(alive(launcherPid)).toBe(false);
    // Without a sandbox too: the launcher kills its running commands' process groups as it exits.
    while (alive(commandPid) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const survived = alive(commandPid);
    if (survived) process.kill(-commandPid, 'SIGKILL');
    expect(survived).toBe(false);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z';
  } catch {
    return false;
  }
}
