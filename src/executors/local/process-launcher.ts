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
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { signalProcessGroup } from './process-group.ts';

/**
 * The launcher's program (CommonJS, run with `node -e`): spawns each `spawn` message's
 * command, stops its own reading of the pipes before the event loop can read them (the
 * driver reads them once their handles arrive), and sends `stdout` (with the pid),
 * `stderr`, then `exit`. Node's IPC keeps messages in order behind a handle in flight.
 */
const LAUNCHER_PROGRAM = `'use strict';
const { spawn } = require('node:child_process');
const running = new Set();
process.on('message', (m) => {
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
// The driver is gone: its commands' process groups go with it (a sandbox would die with this process anyway).
process.on('disconnect', () => {
  for (const pid of running) {
    try { process.kill(-pid, 'SIGKILL'); } catch {}
  }
  process.exit(0);
});
process.send({ op: 'ready' });
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

type LauncherMessage =
  | { op: 'ready' }
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
  private child: ChildProcess | null = null;
  private ready: Promise<boolean> | null = null;
  private failedToStart = false;
  private isReady = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

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
        child = spawn(process.execPath, ['--max-old-space-size=64', '-e', LAUNCHER_PROGRAM], { cwd: '/', env: {}, detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'json' });
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
    if (this.pending.size > 0) return;
    this.child?.unref();
    this.child?.channel?.unref();
  }
}

let shared: ProcessLauncher | null = null;

/** The launcher every local executor of this process shares. */
export function sharedLauncher(): ProcessLauncher {
  shared ??= new ProcessLauncher();
  return shared;
}
