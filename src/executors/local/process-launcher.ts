/**
 * Starting phase commands from a small helper process instead of the driver.
 *
 * Node starts a child with `fork()`, which copies the page tables of the whole calling
 * process and blocks its event loop until the child has `exec`ed: from a driver of a
 * few hundred MB that is tens of milliseconds per command on a quiet machine and over a
 * hundred on a loaded one, during which no other trial of the driver makes progress.
 * The launcher is one long-lived `node` process of a few MB of heap, started once per
 * driver, that spawns each command for the driver (same file, arguments, working
 * directory, environment, its own process group, stdin closed) and hands the command's
 * stdout and stderr pipes to the driver (file descriptors over the IPC channel), then
 * reports its pid, and its exit code or signal with the duration it measured from the
 * spawn to the exit. The driver reads the pipes, signals the process group and enforces
 * the budgets exactly as it does for a child of its own.
 *
 * The launcher exits when the driver does (its IPC channel closes), killing the process groups of the commands still running; a sandbox built
 * with `--die-with-parent` still dies with the driver. Where the launcher cannot be
 * started (not a `node` executable, a platform without it) commands are spawned by the
 * driver itself, as before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { signalProcessGroup } from './process-group.ts';
import { PREPARED_SHELL_ENV_PROGRAM, preparedShellScript } from './prepared-shell-script.ts';

/** Prepared shells a launcher keeps idle by default (one per command that may start at once on a two-slot study, and one more). */
const PREPARED_SHELLS = 3;

/**
 * The launcher's program (CommonJS, run with `node -e`): spawns each `spawn` message's
 * command, stops its own reading of the pipes before the event loop can read them (the
 * driver reads them once their handles arrive), and sends `stdout` (with the pid),
 * `stderr`, then `exit`. Node's IPC keeps messages in order behind a handle in flight.
 *
 * It also keeps `PREPARED_SHELLS` prepared shells: `/bin/sh` processes started ahead of
 * time (empty environment, cwd `/`, their own session, stdin a pipe of the launcher's)
 * whose stdout and stderr pipes go to the driver as soon as they exist (`shell`,
 * `shell-stderr`). A `run` message hands one of them its script
 * (prepared-shell-script.ts), which it reads and `exec`s: the command starts without a
 * fork while it is due, the fork was paid while nothing waited. Each shell runs one
 * command; `shell-exit` reports its end (`ran`: whether it had been handed a command, the
 * duration from the hand-over to the exit), and a new shell replaces it.
 */
const LAUNCHER_PROGRAM = `'use strict';
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const running = new Set();
const shells = new Map();
const poolSize = existsSync(${JSON.stringify(PREPARED_SHELL_ENV_PROGRAM)}) ? Number(process.argv[1]) || 0 : 0;
let nextSid = 1;
let preparing = false;
function prepare() {
  preparing = false;
  if (!process.connected) return;
  let idle = 0;
  for (const shell of shells.values()) if (shell.started === 0) idle++;
  if (idle >= poolSize) return;
  let child;
  try {
    child = spawn('/bin/sh', [], { cwd: '/', env: {}, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch {
    return;
  }
  if (child.pid === undefined) {
    child.once('error', () => {});
    return;
  }
  const sid = nextSid++;
  const shell = { child, started: 0 };
  shells.set(sid, shell);
  running.add(child.pid);
  child.on('error', () => {});
  child.stdin.on('error', () => {});
  child.stdout._handle.readStop();
  child.stderr._handle.readStop();
  process.send({ op: 'shell', sid, pid: child.pid }, child.stdout);
  process.send({ op: 'shell-stderr', sid }, child.stderr);
  child.once('exit', (code, signal) => {
    running.delete(child.pid);
    shells.delete(sid);
    const ran = shell.started !== 0;
    if (process.connected) process.send({ op: 'shell-exit', sid, code, signal, ran, durationMs: ran ? performance.now() - shell.started : 0 });
    refill();
  });
  refill();
}
function refill() {
  if (preparing) return;
  preparing = true;
  setImmediate(prepare);
}
process.on('message', (m) => {
  if (m && m.op === 'run') {
    const shell = shells.get(m.sid);
    if (shell === undefined || shell.started !== 0) return; // it exited: its shell-exit (ran: false) is on its way
    shell.started = performance.now();
    shell.child.stdin.end(m.script);
    refill();
    return;
  }
  if (!m || m.op !== 'spawn') return;
  let child;
  try {
    child = spawn(m.file, m.args, { cwd: m.cwd, env: m.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    process.send({ op: 'error', id: m.id, message: String((error && error.message) || error) });
    return;
  }
  if (child.pid === undefined) {
    child.once('error', (error) => process.send({ op: 'error', id: m.id, message: error.message }));
    return;
  }
  const started = performance.now();
  child.on('error', () => {});
  child.stdout._handle.readStop();
  child.stderr._handle.readStop();
  process.send({ op: 'stdout', id: m.id, pid: child.pid }, child.stdout);
  process.send({ op: 'stderr', id: m.id }, child.stderr);
  running.add(child.pid);
  child.once('exit', (code, signal) => {
    running.delete(child.pid);
    process.send({ op: 'exit', id: m.id, code, signal, durationMs: performance.now() - started });
  });
});
// The driver is gone: its commands' process groups go with it (a sandbox would die with this process anyway), and the prepared shells.
function driverGone() {
  for (const pid of running) {
    try { process.kill(-pid, 'SIGKILL'); } catch {}
  }
  process.exit(0);
}
process.on('disconnect', driverGone);
// Node holds 'disconnect' back while a handle it sent waits for the driver's acknowledgement, which a dead driver never sends.
setInterval(() => { if (!process.connected) driverGone(); }, 250);
process.send({ op: 'ready' });
refill();
`;

/** How a started command ended: its exit code or signal and how long it ran, or the launcher's death. */
export type LaunchedExit = { exitCode: number | null; signal: NodeJS.Signals | null; durationMs: number; machineFault?: undefined } | { exitCode: null; signal: null; durationMs: number; machineFault: string };

/** A command the launcher (or the driver) started. */
export interface LaunchedProcess {
  pid: number;
  stdout: Readable;
  stderr: Readable;
  /** Resolves once when the command's leader has exited. */
  exited: Promise<LaunchedExit>;
  /** Started by a prepared shell (no fork while it was due), not spawned. */
  prepared?: true;
}

/** What starting a command gave: the process, a spawn failure, or (`unavailable`) no launcher: spawn it here. */
export type LaunchOutcome = { started: LaunchedProcess } | { spawnError: string } | { unavailable: true };

/** What the launcher is asked to start. */
export interface LaunchRequest {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

interface Pending {
  file: string;
  started: number;
  resolve: (outcome: LaunchOutcome) => void;
  pid?: number;
  stdout?: Socket;
  exit?: (exit: LaunchedExit) => void;
}

/** A prepared shell in the driver: idle until both its pipes have arrived and a command takes it. */
interface PreparedShell {
  pid: number;
  stdout: Socket;
  stderr?: Socket;
}

type LauncherMessage =
  | { op: 'ready' }
  | { op: 'shell'; sid: number; pid: number }
  | { op: 'shell-stderr'; sid: number }
  | { op: 'shell-exit'; sid: number; code: number | null; signal: NodeJS.Signals | null; ran: boolean; durationMs: number }
  | { op: 'stdout'; id: number; pid: number }
  | { op: 'stderr'; id: number }
  | { op: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null; durationMs: number }
  | { op: 'error'; id: number; message: string };

/**
 * One launcher process and the commands in flight through it. Started on first use;
 * once it has failed to start, `launch` answers `unavailable` for good; once it has died
 * after starting, the next `launch` starts a new one.
 *
 * @example
 * const outcome = await launcher.launch({ file: '/bin/sh', args: ['-c', 'echo hi'], cwd: '/tmp', env: { PATH: '/usr/bin:/bin' } });
 * if ('started' in outcome) outcome.started.stdout.on('data', print);
 */
export class ProcessLauncher {
  /** @param options.preparedShells how many prepared shells to keep idle (default 3; 0: every command is spawned when due). */
  constructor(private readonly options: { preparedShells?: number } = {}) {}

  private child: ChildProcess | null = null;
  private ready: Promise<boolean> | null = null;
  private failedToStart = false;
  private isReady = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Prepared shells not yet given a command, by the launcher's id for them. */
  private readonly idleShells = new Map<number, PreparedShell>();
  /** Prepared shells running a command: how to report its end. */
  private readonly handedShells = new Map<number, { started: number; exit: (exit: LaunchedExit) => void }>();

  /**
   * Starts `request`'s command through the launcher; never rejects. `unavailable` while
   * the launcher is still starting (it is started on first use, and the caller spawns
   * the command itself meanwhile) and where it cannot start.
   */
  launch(request: LaunchRequest): Promise<LaunchOutcome> {
    if (this.failedToStart) return Promise.resolve({ unavailable: true });
    if (!this.isReady || this.child === null) {
      void this.start();
      return Promise.resolve({ unavailable: true });
    }
    const prepared = this.launchPrepared(request);
    if (prepared !== null) return Promise.resolve(prepared);
    const child = this.child;
    const id = this.nextId++;
    return new Promise<LaunchOutcome>((resolve) => {
      const entry: Pending = { file: request.file, started: performance.now(), resolve };
      this.pending.set(id, entry);
      this.holdOpen();
      try {
        child.send({ op: 'spawn', id, ...request }, (error) => {
          if (error) this.settle(id, { spawnError: `could not hand the command to the process launcher: ${error.message}` });
        });
      } catch (error) {
        this.settle(id, { spawnError: `could not hand the command to the process launcher: ${(error as Error).message}` });
      }
    });
  }

  /** How many prepared shells wait for a command now (both pipes in hand). */
  get preparedShells(): number {
    let ready = 0;
    for (const shell of this.idleShells.values()) if (shell.stderr !== undefined) ready += 1;
    return ready;
  }

  /**
   * Hands `request` to an idle prepared shell (see LAUNCHER_PROGRAM): the command is started
   * without waiting for the launcher; null when none is ready or the request needs a spawn.
   */
  private launchPrepared(request: LaunchRequest): LaunchOutcome | null {
    const child = this.child;
    const entry = [...this.idleShells].find(([, shell]) => shell.stderr !== undefined);
    const script = entry === undefined ? null : preparedShellScript(request);
    // A program that cannot start is left to spawn, which says why (the shell would only exit 126 or 127).
    if (child === null || entry === undefined || script === null || !isExecutableFile(request.file)) return null;
    const [sid, shell] = entry;
    this.idleShells.delete(sid);
    const exited = new Promise<LaunchedExit>((resolve) => {
      this.handedShells.set(sid, { started: performance.now(), exit: resolve });
    });
    this.holdOpen();
    shell.stdout.ref();
    shell.stderr!.ref();
    try {
      child.send({ op: 'run', sid, script }, (error) => {
        if (error) this.shellLost(sid, `could not hand the command to the process launcher: ${error.message}`);
      });
    } catch (error) {
      this.shellLost(sid, `could not hand the command to the process launcher: ${(error as Error).message}`);
    }
    return { started: { pid: shell.pid, stdout: shell.stdout, stderr: shell.stderr!, exited, prepared: true } };
  }

  /** A handed shell whose command cannot have run as asked: it is killed, and ends as a machine fault. */
  private shellLost(sid: number, why: string): void {
    const handed = this.handedShells.get(sid);
    if (handed === undefined) return;
    this.handedShells.delete(sid);
    handed.exit({ exitCode: null, signal: null, durationMs: performance.now() - handed.started, machineFault: why });
    this.release();
  }

  /** The launcher's messages about prepared shells: their pipes, then their end. */
  private receiveShell(message: Extract<LauncherMessage, { sid: number }>, handle: Socket | undefined): void {
    if (message.op === 'shell') {
      if (handle === undefined) return;
      handle.unref(); // an idle shell keeps nobody alive
      this.idleShells.set(message.sid, { pid: message.pid, stdout: handle });
    } else if (message.op === 'shell-stderr') {
      const shell = this.idleShells.get(message.sid);
      if (shell === undefined || handle === undefined) return void handle?.destroy();
      handle.unref();
      shell.stderr = handle;
    } else {
      const idle = this.idleShells.get(message.sid);
      if (idle !== undefined) {
        this.idleShells.delete(message.sid);
        idle.stdout.destroy();
        idle.stderr?.destroy();
        return;
      }
      const handed = this.handedShells.get(message.sid);
      if (handed === undefined) return;
      if (!message.ran) return this.shellLost(message.sid, 'the prepared shell exited before its command started');
      this.handedShells.delete(message.sid);
      handed.exit({ exitCode: message.code, signal: message.signal, durationMs: message.durationMs });
      this.release();
    }
  }

  /**
   * Starts the launcher if it is not running and resolves once it takes commands (true),
   * or false where it cannot start.
   *
   * @example
   * if (await launcher.warmUp()) console.log('commands start from the launcher');
   */
  warmUp(): Promise<boolean> {
    if (this.failedToStart) return Promise.resolve(false);
    return this.start();
  }

  /** The launcher's pid while it runs (null otherwise). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Stops the launcher (commands in flight end as the launcher's death). */
  close(): void {
    if (this.child?.connected) this.child.disconnect();
  }

  /** The launcher, started and ready; false when it cannot be started here. */
  private start(): Promise<boolean> {
    if (this.ready !== null) return this.ready;
    this.ready = new Promise<boolean>((resolve) => {
      let child: ChildProcess;
      try {
        // A clean environment: no NODE_OPTIONS (loaders, inspectors) of the driver; its heap kept small. In a
        // session of its own, so a Ctrl-C at the terminal (the driver's graceful stop) does not reach it.
        child = spawn(process.execPath, ['--max-old-space-size=64', '-e', LAUNCHER_PROGRAM, String(this.options.preparedShells ?? PREPARED_SHELLS)], { cwd: '/', env: {}, detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'json' });
      } catch {
        this.failedToStart = true;
        resolve(false);
        return;
      }
      child.on('message', (message: LauncherMessage, handle?: Socket) => {
        if (message.op === 'ready') {
          this.isReady = true;
          resolve(true);
          this.release();
        } else this.receive(message, handle);
      });
      child.once('error', () => undefined);
      child.once('exit', (code, signal) => {
        if (!this.isReady) {
          this.failedToStart = true;
          resolve(false);
        }
        this.lost(child, `the process launcher (pid ${child.pid ?? '?'}) exited (${signal ?? `code ${code}`})`);
      });
      this.child = child;
    });
    return this.ready;
  }

  private receive(message: LauncherMessage, handle: Socket | undefined): void {
    if (message.op === 'ready') return;
    if ('sid' in message) return this.receiveShell(message, handle);
    const entry = this.pending.get(message.id);
    if (entry === undefined) {
      handle?.destroy();
      return;
    }
    if (message.op === 'error') this.settle(message.id, { spawnError: `could not start ${entry.file}: ${message.message}` });
    else if (message.op === 'stdout') {
      entry.pid = message.pid;
      entry.stdout = handle;
    } else if (message.op === 'stderr') {
      const exited = new Promise<LaunchedExit>((resolve) => {
        entry.exit = resolve;
      });
      entry.resolve({ started: { pid: entry.pid!, stdout: entry.stdout!, stderr: handle!, exited } });
    } else {
      this.pending.delete(message.id);
      entry.exit?.({ exitCode: message.code, signal: message.signal, durationMs: message.durationMs });
      this.release();
    }
  }

  private settle(id: number, outcome: LaunchOutcome): void {
    const entry = this.pending.get(id);
    if (entry === undefined) return;
    this.pending.delete(id);
    entry.resolve(outcome);
    this.release();
  }

  /** The launcher died: commands not yet started failed to start; started ones end as a machine fault. */
  private lost(child: ChildProcess, why: string): void {
    if (this.child !== child) return;
    this.child = null;
    this.isReady = false;
    if (!this.failedToStart) this.ready = null;
    for (const shell of this.idleShells.values()) {
      shell.stdout.destroy();
      shell.stderr?.destroy();
    }
    this.idleShells.clear();
    for (const sid of [...this.handedShells.keys()]) this.shellLost(sid, `${why} while the command ran; its outcome is unknown`);
    for (const [id, entry] of [...this.pending]) {
      this.pending.delete(id);
      if (entry.exit !== undefined) {
        entry.exit({ exitCode: null, signal: null, durationMs: performance.now() - entry.started, machineFault: `${why} while the command ran; its outcome is unknown` });
        continue;
      }
      // Started, but its pipes never all arrived: it must not run on unwatched.
      if (entry.pid !== undefined) signalProcessGroup(entry.pid, 'SIGKILL');
      entry.stdout?.destroy();
      entry.resolve({ spawnError: `${why} before the command started` });
    }
  }

  /** While commands are in flight the launcher keeps the driver alive; idle, it does not. */
  private holdOpen(): void {
    this.child?.ref();
    this.child?.channel?.ref();
  }

  private release(): void {
    if (this.pending.size > 0 || this.handedShells.size > 0) return;
    this.child?.unref();
    this.child?.channel?.unref();
  }
}

/** True when `file` is a regular file this process may execute (checked without the thread pool). */
function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

let shared: ProcessLauncher | null = null;

/** The launcher every local executor of this process shares. */
export function sharedLauncher(): ProcessLauncher {
  shared ??= new ProcessLauncher();
  return shared;
}
