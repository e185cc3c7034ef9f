import { readFile, readdir } from 'node:fs/promises';

const NUL = Buffer.from([0]);

/**
 * Sends `signal` to every process of the process group `pgid`. Returns false when the
 * group is already gone (or cannot be signalled); never throws.
 */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads a process's group id from `/proc/<pid>/stat` (Linux). Null when unreadable.
 */
export async function readProcessGroupId(pid: number): Promise<number | null> {
  const fields = await readStatFields(pid);
  const pgid = Number(fields?.[2]);
  return Number.isInteger(pgid) && pgid > 0 ? pgid : null;
}

/** The fields of `/proc/<pid>/stat` after the command name: state, ppid, pgrp, ...; null when unreadable. */
async function readStatFields(pid: number | string): Promise<string[] | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name sits in parentheses and may itself contain spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * Kills the processes left over from a dead driver: every process whose environment
 * holds `AUTOLAB_RUN_TOKEN=<token>` gets SIGKILL, and so does its process group (unless
 * that group is the caller's own). Scans `/proc/<pid>/environ`, so it works on Linux
 * only; elsewhere it returns 0. Unreadable entries (other users, processes that just
 * exited) are skipped. Processes of a Slurm job (`SLURM_JOB_ID` in their environment: a
 * job running on this very machine, as on a single-node cluster) are left alone: the job
 * outlives its driver on purpose, and the Slurm executor cancels or adopts it. Returns how
 * many processes carrying the token were signalled.
 *
 * @example
 * const killed = await reapProcessesWithToken('study-42-driver-7');
 */
export async function reapProcessesWithToken(token: string): Promise<number> {
  if (process.platform !== 'linux' || token.length === 0) return 0;
  const needle = Buffer.from(`AUTOLAB_RUN_TOKEN=${token}\0`);
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return 0;
  }
  const ownGroup = await readProcessGroupId(process.pid);
  const groups = new Set<number>();
  let killed = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid || pid <= 1) continue;
    let environ: Buffer;
    try {
      environ = await readFile(`/proc/${pid}/environ`);
    } catch {
      continue;
    }
    const entries0 = Buffer.concat([environ, NUL]);
    if (!environHas(entries0, needle) || environHas(entries0, SLURM_JOB)) continue;
    const pgid = await readProcessGroupId(pid);
    try {
      process.kill(pid, 'SIGKILL');
      killed += 1;
    } catch {
      continue;
    }
    if (pgid !== null && pgid !== ownGroup) groups.add(pgid);
  }
  for (const pgid of groups) signalProcessGroup(pgid, 'SIGKILL');
  return killed;
}

/** True when the NUL-separated environment block holds exactly the entry `needle` (which ends in NUL). */
/** Marks the environment of a Slurm job's processes. */
const SLURM_JOB = Buffer.from('SLURM_JOB_ID=');

function environHas(environ: Buffer, needle: Buffer): boolean {
  let from = 0;
  for (;;) {
    const at = environ.indexOf(needle, from);
    if (at < 0) return false;
    if (at === 0 || environ[at - 1] === 0) return true;
    from = at + 1;
  }
}

/** One process as seen in `/proc/<pid>/stat`. */
export interface ProcessStatus {
  pid: number;
  /** One-letter state: R running, S sleeping, D disk wait, Z zombie, ... */
  state: string;
}

/**
 * Lists the processes of group `pgid` still in the process table (Linux; empty elsewhere).
 * Zombies are listed with state `Z`: they are dead, only not yet reaped by their parent.
 * A diagnostic for tests and `autolab doctor`, not used on the hot path.
 */
export async function listProcessGroup(pgid: number): Promise<ProcessStatus[]> {
  if (process.platform !== 'linux') return [];
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const members: ProcessStatus[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = await readStatFields(entry);
    if (fields !== null && Number(fields[2]) === pgid) members.push({ pid: Number(entry), state: fields[0] ?? '?' });
  }
  return members;
}
