import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { coerceError } from '../../core/errors.ts';

/**
 * Why a command cannot start in `cwd` (missing, not a folder, not readable), or null
 * when it can. Every executor checks this before it starts anything, and reports the
 * answer as the result's `spawnError`.
 *
 * @example
 * const problem = await describeCwdProblem(request.cwd);
 * if (problem !== null) return { ...notStarted, spawnError: problem };
 */
export async function describeCwdProblem(cwd: string): Promise<string | null> {
  try {
    const info = await stat(cwd);
    return info.isDirectory() ? null : `working directory is not a directory: ${cwd}`;
  } catch (error) {
    return `working directory is not accessible: ${cwd} (${coerceError(error).message})`;
  }
}


/**
 * `describeCwdProblem` with one synchronous `stat` (for an executor on this machine, where
 * a trip through libuv's thread pool costs more than the call itself on a loaded machine).
 *
 * @example
 * const problem = describeCwdProblemSync(request.cwd);
 */
export function describeCwdProblemSync(cwd: string): string | null {
  try {
    return statSync(cwd).isDirectory() ? null : `working directory is not a directory: ${cwd}`;
  } catch (error) {
    return `working directory is not accessible: ${cwd} (${coerceError(error).message})`;
  }
}
