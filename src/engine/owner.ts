import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { TrialOwner } from '../core/trial.ts';

/** The identity of this driver process, stamped on every trial it runs. */
export function currentOwner(): TrialOwner {
  return { host: hostname(), pid: process.pid, token: randomUUID() };
}

/** Heartbeats older than this mean the owner is gone, even if its pid lives on (reused). */
export const HEARTBEAT_STALE_MS = 20_000;
export const HEARTBEAT_INTERVAL_MS = 2_000;

/** Whether the process that owns a trial is still driving it. */
export function ownerAlive(owner: TrialOwner | null, heartbeatAt: string | null, now = Date.now()): boolean {
  if (owner === null) return false;
  const fresh = heartbeatAt !== null && now - Date.parse(heartbeatAt) < HEARTBEAT_STALE_MS;
  if (owner.host !== hostname()) return fresh;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  return fresh || heartbeatAt === null;
}

/** Whether a process with this pid exists on this host. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
