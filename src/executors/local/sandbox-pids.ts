import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A cgroup of the `pids` controller that one command runs in: it bounds how many
 * processes and threads the command has at once (a fork bomb hits the wall, for root
 * too, where `ulimit -u` does nothing), and it finds every process of the command after
 * the fact, even those that left the process group with `setsid`.
 */
export interface PidsCgroup {
  /** The folder of the cgroup. */
  readonly dir: string;
  /** The file a process writes its pid to, to join. */
  readonly procsFile: string;
  /** How many times a fork failed because the limit was reached. */
  limitHits(): Promise<number>;
  /** SIGKILLs every process in the cgroup now, without waiting for them to be gone (`destroy` waits). Returns how many were signalled. */
  killAll(): number;
  /**
   * SIGKILLs every process left in the cgroup (until it is empty or ~1 s passed), then
   * removes it, or keeps it, empty, for this process's next command (`createPidsCgroup`).
   * Returns how many were killed. The handle is spent after it: a second call does nothing.
   */
  destroy(): Promise<number>;
}

interface PidsHierarchy {
  version: 1 | 2;
  /** The folder under which autolab makes its cgroups (`<own cgroup>/autolab`). */
  base: string;
}

const PARENT_NAME = 'autolab';
let hierarchy: Promise<PidsHierarchy | null> | undefined;

/** Where this process may create pids cgroups (Linux, writable cgroupfs); null elsewhere. Found once. */
export function pidsHierarchy(): Promise<PidsHierarchy | null> {
  hierarchy ??= findHierarchy();
  return hierarchy;
}

async function findHierarchy(): Promise<PidsHierarchy | null> {
  if (process.platform !== 'linux') return null;
  let mountinfo: string;
  let ownCgroups: string;
  try {
    [mountinfo, ownCgroups] = await Promise.all([readFile('/proc/self/mountinfo', 'utf8'), readFile('/proc/self/cgroup', 'utf8')]);
  } catch {
    return null;
  }
  const mounts = mountinfo.split('\n').map(parseMountinfoLine).filter((mount) => mount !== null);
  const own = ownCgroups.split('\n').map((line) => /^(\d+):([^:]*):(.*)$/.exec(line)).filter((match) => match !== null);
  // cgroup v1: a hierarchy with the pids controller.
  const v1Line = own.find((match) => match[2]!.split(',').includes('pids'));
  const v1Mount = mounts.find((mount) => mount.fstype === 'cgroup' && mount.superOptions.split(',').includes('pids'));
  if (v1Line && v1Mount) {
    const base = join(v1Mount.mountPoint, relativeTo(v1Line[3]!, v1Mount.root), PARENT_NAME);
    if (await prepareParent(base, 1)) return sweptStale({ version: 1, base });
  }
  // cgroup v2: the unified hierarchy, where our own cgroup delegates the pids controller.
  const v2Line = own.find((match) => match[1] === '0' && match[2] === '');
  const v2Mount = mounts.find((mount) => mount.fstype === 'cgroup2');
  if (v2Line && v2Mount) {
    const ownDir = join(v2Mount.mountPoint, relativeTo(v2Line[3]!, v2Mount.root));
    const delegated = await readFile(join(ownDir, 'cgroup.subtree_control'), 'utf8').catch(() => '');
    const base = join(ownDir, PARENT_NAME);
    if (delegated.split(/\s+/).includes('pids') && (await prepareParent(base, 2))) return sweptStale({ version: 2, base });
  }
  return null;
}

function relativeTo(path: string, root: string): string {
  if (root === '/' || root === '') return path;
  return path.startsWith(root) ? path.slice(root.length) || '/' : path;
}

function parseMountinfoLine(line: string): { root: string; mountPoint: string; fstype: string; superOptions: string } | null {
  const [left, right] = line.split(' - ');
  if (left === undefined || right === undefined) return null;
  const fields = left.split(' ');
  const [fstype, , superOptions] = right.split(' ');
  if (fields.length < 5 || fstype === undefined) return null;
  return { root: unescapeMountPath(fields[3]!), mountPoint: unescapeMountPath(fields[4]!), fstype, superOptions: superOptions ?? '' };
}

function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

async function prepareParent(base: string, version: 1 | 2): Promise<boolean> {
  try {
    await mkdir(base, { recursive: true });
    if (version === 2) {
      const enabled = await readFile(join(base, 'cgroup.subtree_control'), 'utf8');
      if (!enabled.split(/\s+/).includes('pids')) await writeFile(join(base, 'cgroup.subtree_control'), '+pids');
    }
    // Probe that a child can be made and limited (a read-only cgroupfs fails here).
    const probe = join(base, `probe-${process.pid}-${Date.now()}`);
    await mkdir(probe);
    try {
      await writeFile(join(probe, 'pids.max'), '1');
    } finally {
      await rmdir(probe).catch(() => undefined);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes the cgroups of processes that are gone (named `<token>.<pid>.<n>`: a driver
 * that was killed before it could clean up), killing whatever is still inside them:
 * their driver is dead, so they are orphans.
 */
async function sweptStale(found: PidsHierarchy): Promise<PidsHierarchy> {
  for (const name of await readdir(found.base).catch(() => [] as string[])) {
    const creator = Number(/^[A-Za-z0-9-]+\.(\d+)\.\d+$/.exec(name)?.[1]);
    if (!Number.isInteger(creator) || creator <= 1 || processExists(creator)) continue;
    await destroyCgroup(join(found.base, name), found.version);
  }
  return found;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let counter = 0;

/** A name part safe for a cgroup folder: letters, digits and `-`. */
export function cgroupNamePart(text: string): string {
  return text.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64) || 'run';
}

/**
 * Creates a pids cgroup limited to `maxProcesses`, named after `token` (the run token
 * of the driver, so that a later driver can reap what a dead one left behind). Null
 * where cgroups cannot be used (not Linux, no pids controller, no permission): the
 * caller falls back on `ulimit -u`. The cgroup file system lives in memory: its files
 * are made, read and removed with synchronous calls (microseconds each), not a trip
 * through libuv's thread pool per file, which costs milliseconds on a loaded machine.
 *
 * A cgroup that an earlier command of this process emptied (`destroy`) is handed out
 * again instead of making a new one (`mkdir` and `rmdir` of a cgroup are the dearest
 * part of a command's set-up and teardown): it is taken only while it has no process
 * in it, gets the new limit, and counts the limit's hits from zero again.
 *
 * @example
 * const cgroup = await createPidsCgroup(token, 512);
 * // the command's shell: echo $$ > "$procsFile"
 * await cgroup?.destroy();
 */
export async function createPidsCgroup(token: string, maxProcesses: number): Promise<PidsCgroup | null> {
  const found = await pidsHierarchy();
  if (found === null) return null;
  const name = cgroupNamePart(token);
  const limit = String(Math.max(1, Math.floor(maxProcesses)));
  const reused = takeIdleCgroup(name, limit, found.version);
  if (reused !== null) return reused;
  counter += 1;
  const dir = join(found.base, `${name}.${process.pid}.${counter}`);
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, 'pids.max'), limit);
  } catch {
    await rmdir(dir).catch(() => undefined);
    return null;
  }
  return handleOf(dir, found.version, name, 0);
}

/** Emptied cgroups of this process kept for the next command (at most `IDLE_CGROUPS`). */
const idleCgroups: Array<{ dir: string; name: string }> = [];
/** One per command that may start at once on a two-slot study, and one more (as the launcher's prepared shells). */
const IDLE_CGROUPS = 3;
let removeIdleAtExit = false;

/** An idle cgroup of `name`'s token with no process in it, limited to `limit`; null when none (one that cannot be reused is removed). */
function takeIdleCgroup(name: string, limit: string, version: 1 | 2): PidsCgroup | null {
  for (let index = idleCgroups.length - 1; index >= 0; index -= 1) {
    const idle = idleCgroups[index]!;
    if (idle.name !== name) continue;
    idleCgroups.splice(index, 1);
    try {
      if (membersOf(idle.dir).length > 0 || !existsSync(join(idle.dir, 'pids.max'))) throw new Error('not empty, or gone');
      writeFileSync(join(idle.dir, 'pids.max'), limit);
      return handleOf(idle.dir, version, name, hitsIn(idle.dir));
    } catch {
      void destroyCgroup(idle.dir, version);
    }
  }
  return null;
}

/** Keeps an emptied cgroup for the next command; false when enough are kept already (the caller removes it). */
function keepIdle(dir: string, name: string): boolean {
  if (idleCgroups.length >= IDLE_CGROUPS || idleCgroups.some((idle) => idle.dir === dir)) return false;
  idleCgroups.push({ dir, name });
  if (!removeIdleAtExit) {
    removeIdleAtExit = true;
    process.once('exit', removeIdleCgroups);
  }
  return true;
}

/**
 * Removes the cgroups kept for reuse (empty ones; a cgroup with a process in it is
 * left to `reapPidsCgroups`). Runs by itself when the process exits; a driver killed
 * before that leaves them to the next driver's sweep (`sweptStale`).
 */
export function removeIdleCgroups(): void {
  for (const idle of idleCgroups.splice(0)) {
    try {
      rmdirSync(idle.dir);
    } catch {
      // in use, or gone
    }
  }
}

/** How many times a fork failed in the cgroup since it was made (`pids.events`). */
function hitsIn(dir: string): number {
  const hits = /^max (\d+)/m.exec(readOrEmpty(join(dir, 'pids.events')))?.[1];
  return hits === undefined ? 0 : Number(hits);
}

function handleOf(dir: string, version: 1 | 2, name: string, hitsBefore: number): PidsCgroup {
  let destroyed: Promise<number> | null = null;
  return {
    dir,
    procsFile: join(dir, 'cgroup.procs'),
    async limitHits() {
      return Math.max(0, hitsIn(dir) - hitsBefore);
    },
    // Once destroyed the cgroup may be another command's: this handle no longer touches it.
    killAll: () => (destroyed === null ? killMembers(dir, version) : 0),
    destroy: () => (destroyed ??= destroyCgroup(dir, version, (emptied) => keepIdle(emptied, name))),
  };
}

/** SIGKILLs every process of the cgroup once (cgroup v2: `cgroup.kill` too); how many pids were signalled. */
function killMembers(dir: string, version: 1 | 2): number {
  if (version === 2) {
    try {
      writeFileSync(join(dir, 'cgroup.kill'), '1');
    } catch {
      // an older kernel (no cgroup.kill), or the cgroup is gone: the pids below are killed one by one
    }
  }
  let killed = 0;
  for (const pid of membersOf(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
      killed += 1;
    } catch {
      // already gone
    }
  }
  return killed;
}

/** The pids listed in the cgroup (never this process). */
function membersOf(dir: string): number[] {
  return readOrEmpty(join(dir, 'cgroup.procs'))
    .split('\n')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 1 && pid !== process.pid);
}

/**
 * The waits between two looks at a cgroup whose processes are being torn down: short
 * first (a sandbox's namespace is usually gone within a few milliseconds), then 10 ms.
 */
const TEARDOWN_WAITS_MS = [0, 0.5, 1, 1, 2, 2, 4, 5];

function teardownWait(attempt: number): Promise<void> {
  const ms = TEARDOWN_WAITS_MS[attempt] ?? 10;
  return ms === 0 ? new Promise((resolve) => setImmediate(resolve)) : sleep(ms);
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Kills the cgroup's processes until it is empty (or ~1 s passed), then removes it,
 * unless `keep` takes the emptied cgroup for reuse. Returns how many were killed.
 */
async function destroyCgroup(dir: string, version: 1 | 2, keep?: (dir: string) => boolean): Promise<number> {
  let killed = 0;
  let empty = false;
  const deadline = Date.now() + 1_000;
  for (let attempt = 0; ; attempt += 1) {
    const signalled = killMembers(dir, version);
    if (signalled === 0) {
      empty = true; // every process is gone
      break;
    }
    killed += signalled;
    if (Date.now() > deadline) break;
    await teardownWait(attempt);
  }
  if (empty && keep?.(dir) === true) return killed;
  for (let attempt = 0; attempt < 60; attempt++) {
    try {
      rmdirSync(dir);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') break;
      await teardownWait(attempt); // EBUSY: killed processes are still being torn down
    }
  }
  return killed;
}

/**
 * Kills the processes in the cgroups a (dead) driver with this run token left, and
 * removes those cgroups. Returns how many processes were killed; 0 without cgroups.
 */
export async function reapPidsCgroups(token: string): Promise<number> {
  const found = await pidsHierarchy();
  if (found === null || token === '') return 0;
  const prefix = `${cgroupNamePart(token)}.`;
  let killed = 0;
  for (const name of await readdir(found.base).catch(() => [] as string[])) {
    if (name.startsWith(prefix)) killed += await destroyCgroup(join(found.base, name), found.version);
  }
  return killed;
}
