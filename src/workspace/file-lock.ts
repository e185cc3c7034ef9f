import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AutolabError } from '../core/errors.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * A lock between processes on one host: a file created exclusively, holding the owner's
 * pid. A lock whose owner died is taken over. Resolves with the release function.
 *
 * @example
 * const release = await acquireFileLock('/x/.autolab/evaluator.lock', 60_000);
 * try { ... } finally { await release(); }
 */
export async function acquireFileLock(file: string, timeoutMs: number): Promise<() => Promise<void>> {
  await mkdir(dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (holder > 0 && !alive(holder)) await rm(file, { force: true });
      else if (Date.now() > deadline) {
        throw new AutolabError('LockError', `another autolab process (pid ${holder || 'unknown'}) holds ${file} for too long`, { hint: 'wait for it, or stop it; a lock of a dead process is taken over automatically' });
      } else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
