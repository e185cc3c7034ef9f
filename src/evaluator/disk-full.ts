import { statfs } from 'node:fs/promises';
import type { CommandRequest, CommandResult } from '../core/executor.ts';
import { directorySize } from './directory-size.ts';

/** What runtimes and autolab's own log writer say when a disk (or quota) is full. */
const DISK_FULL = /ENOSPC|No space left on device|EDQUOT|Disk quota exceeded/i;

/** Below this many free bytes a disk counts as full. */
export const DISK_FULL_FREE_BYTES = 1 << 20;

/** Free bytes (for this user) on the file system holding `path`; null when unknown. */
export async function freeBytes(path: string): Promise<number | null> {
  try {
    const stats = await statfs(path);
    return Number(stats.bavail) * Number(stats.bsize);
  } catch {
    return null;
  }
}

/**
 * Tells apart a trial that failed because the machine's disk is full (the machine's
 * fault: `infra_error`, retried, and the study stops after a few in a row) from one that
 * filled the disk itself (its own `crash`). Returns the message for the former, null
 * otherwise: the command failed or could not write its log, saying ENOSPC or EDQUOT; the
 * file system of its artifacts (else its working directory) has less than
 * `DISK_FULL_FREE_BYTES` free; and the trial's own files (worktree and artifacts) are
 * within `ownLimitBytes`.
 *
 * @example
 * const fault = await diskFullFault(request, result, task.limits.maxArtifactBytes);
 * if (fault) result = { ...result, machineFault: fault };
 */
export async function diskFullFault(request: CommandRequest, result: CommandResult, ownLimitBytes: number): Promise<string | null> {
  const failed = result.exitCode !== 0 || result.logError !== null;
  if (!failed || !DISK_FULL.test(`${result.logError ?? ''}\n${result.outputTail}`)) return null;
  const artifacts = request.env.AUTOLAB_ARTIFACTS;
  const where = artifacts ?? request.cwd;
  const free = await freeBytes(where);
  if (free === null || free >= DISK_FULL_FREE_BYTES) return null;
  const own = (await directorySize(request.cwd)) + (artifacts ? await directorySize(artifacts) : 0);
  if (own > ownLimitBytes) return null;
  return `the disk holding ${where} is full (${free} bytes free; this trial's own files take ${own} bytes): free some space, then resume with \`autolab run\``;
}
