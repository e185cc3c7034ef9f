import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessLauncher, type LaunchOutcome, type LaunchedProcess } from './process-launcher.ts';

const onLinux = process.platform === 'linux';
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ONLY: 'this' };
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'autolab-launcher-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once `launcher` has a prepared shell waiting (or at once when it keeps none). */
async function preparedReady(launcher: ProcessLauncher, wanted: boolean): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (wanted && launcher.preparedShells === 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

function started(outcome: LaunchOutcome): LaunchedProcess {
  if (!('started' in outcome)) throw new Error(`not started: ${JSON.stringify(outcome)}`);
  return outcome.started;
}

function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => stream.once('close', () => resolve(Buffer.concat(chunks))));
}

/** Both ways a command starts: spawned when due, and handed to a prepared shell (process-launcher.ts). */
const MODES = [
  { mode: 'spawned when due', preparedShells: 0 },
  { mode: 'by a prepared shell', preparedShells: 3 },
] as const;

describe.skipIf(!onLinux).each(MODES)('ProcessLauncher, commands started $mode', ({ preparedShells }) => {
  let launcher: ProcessLauncher;
  const prepared = preparedShells > 0;
  beforeAll(async () => {
    launcher = new ProcessLauncher({ preparedShells });
    expect(await launcher.warmUp()).toBe(true);
  });
  afterAll(() => launcher.close());

  async function sh(command: string, cwd = dir): Promise<LaunchOutcome> {
    await preparedReady(launcher, prepared);
    const outcome = await launcher.launch({ file: '/bin/sh', args: ['-c', command], cwd, env });
    if ('started' in outcome) expect(outcome.started.prepared === true).toBe(prepared);
    return outcome;
  }

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
    const own = new ProcessLauncher({ preparedShells });
    expect(await own.warmUp()).toBe(true);
    await preparedReady(own, prepared);
    const first = own.pid!;
    const child = started(await own.launch({ file: '/bin/sh', args: ['-c', 'sleep 30'], cwd: dir, env }));
    expect(child.prepared === true).toBe(prepared);
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
    const own = new ProcessLauncher({ preparedShells });
    expect(await own.warmUp()).toBe(true);
    const pid = own.pid!;
    own.close();
    const deadline = performance.now() + 30_000;
    while (alive(pid) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(alive(pid)).toBe(false);
  });

  it('exits when its driver is killed (SIGKILL), killing the commands it runs (a sandbox with --die-with-parent dies with it too)', async () => {
    const program = `import(${JSON.stringify(join(import.meta.dirname, 'process-launcher.ts'))}).then(async ({ ProcessLauncher }) => {
      const launcher = new ProcessLauncher({ preparedShells: ${preparedShells} });
      await launcher.warmUp();
      while (${prepared} && launcher.preparedShells < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      const outcome = await launcher.launch({ file: '/bin/sh', args: ['-c', 'sleep 60'], cwd: '/', env: {} });
      console.log(launcher.pid, outcome.started.pid);
      setInterval(() => undefined, 1000);
    });`;
    const driver = spawn(process.execPath, ['--import', 'tsx', '-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(driver.stdout!, 'data')) as [Buffer];
    const [launcherPid, commandPid] = line.toString().trim().split(' ').map(Number) as [number, number];
    expect(alive(launcherPid)).toBe(true);
    const launched = childrenOf(launcherPid);
    expect(launched).toContain(commandPid);
    if (prepared) expect(launched.length).toBeGreaterThan(1); // idle prepared shells beside the command
    driver.kill('SIGKILL');
    const deadline = performance.now() + 30_000;
    while (alive(launcherPid) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(alive(launcherPid)).toBe(false);
    // Without a sandbox too: the launcher kills its running commands' process groups as it exits.
    while (alive(commandPid) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const survived = alive(commandPid);
    if (survived) process.kill(-commandPid, 'SIGKILL');
    expect(survived).toBe(false);
    // The idle prepared shells go too.
    while (launched.some(alive) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(launched.filter(alive)).toEqual([]);
  });
});

describe.skipIf(!onLinux)('ProcessLauncher: a prepared shell starts what spawn starts', () => {
  it('gives the command the same pid role, session, descriptors, limits, signals, umask, cwd and environment as a spawn', async () => {
    // Everything a process inherits that a prepared shell could get wrong, printed by the command itself.
    const probe = [
      'echo "pgid=$(ps -o pgid= -p $$ | tr -d " ") sid=$(ps -o sid= -p $$ | tr -d " ") pid=$$"',
      // (into a file: a pipeline would show its own pipes, at whatever moment ls looks)
      'ls /proc/$$/fd > fds.txt; tr "\\n" " " < fds.txt; echo',
      'readlink /proc/$$/fd/0',
      // (read by the shell itself: a child like grep could catch it mid-fork, when sh blocks every signal for a moment)
      'while IFS= read -r line; do case "$line" in SigBlk:*|SigIgn:*|SigCgt:*|NoNewPrivs:*|CapEff:*) echo "$line";; esac; done < /proc/$$/status',
      'umask; ulimit -a; pwd; pwd -P',
      'env | sort',
    ].join('; ');
    const odd = join(dir, "it's a \"quoted\" $(dir) `with` \\ back\nslash");
    mkdirSync(odd, { recursive: true });
    const oddEnv = { ...env, SPACED: ' two  spaces ', QUOTES: `'"\``, NEWLINE: 'a\nb', DOLLAR: '$HOME', EMPTY: '', '-dash': 'x' };
    const outputs: string[] = [];
    for (const { preparedShells } of MODES) {
      const launcher = new ProcessLauncher({ preparedShells });
      expect(await launcher.warmUp()).toBe(true);
      await preparedReady(launcher, preparedShells > 0);
      const child = started(await launcher.launch({ file: '/bin/sh', args: ['-c', probe, 'arg0', "it's", '$1'], cwd: odd, env: oddEnv }));
      expect(child.prepared === true).toBe(preparedShells > 0);
      const [stdout, stderr, exit] = await Promise.all([collect(child.stdout), collect(child.stderr), child.exited]);
      expect(exit).toMatchObject({ exitCode: 0 });
      launcher.close();
      outputs.push(`${stdout.toString()}\n--stderr--\n${stderr.toString()}`.replaceAll(String(child.pid), 'PID'));
    }
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[0]).toContain('pgid=PID sid=PID pid=PID');
    expect(outputs[0]).toContain('/dev/null');
  });

  it('leaves a program that cannot start to spawn, which says why', async () => {
    const launcher = new ProcessLauncher({ preparedShells: 2 });
    expect(await launcher.warmUp()).toBe(true);
    await preparedReady(launcher, true);
    const outcome = await launcher.launch({ file: join(dir, 'no-such-program'), args: [], cwd: dir, env });
    expect(outcome).toEqual({ spawnError: expect.stringMatching(/could not start .*no-such-program: .*ENOENT/) });
    launcher.close();
  });
});

/** The pids of `pid`'s children. */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  return text.split(' ').filter(Boolean).map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z';
  } catch {
    return false;
  }
}
