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

