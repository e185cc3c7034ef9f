/**
 * A trial's own small folders made and cleared with synchronous calls where that is
 * microseconds (nothing there, an empty folder, a lone file), so that the driver does not
 * wait for a trip through libuv's thread pool (milliseconds each on a loaded machine, and
 * a trial makes several in a row); a folder with something in it is still removed
 * asynchronously, so that a large one does not hold up the other trials.
 */
import { lstatSync, mkdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';

/**
 * Removes `path` whatever it is (as `rm(path, { recursive: true, force: true })`): at once
 * when it is absent, a file or link, or an empty folder; else asynchronously.
 *
 * @example
 * await removePath(join(trialDir, 'checkpoint'));
 */
export async function removePath(path: string): Promise<void> {
  let stats;
  try {
    stats = lstatSync(path, { throwIfNoEntry: false });
  } catch {
    stats = undefined;
  }
  if (stats === undefined) return;
  try {
    if (stats.isDirectory()) rmdirSync(path);
    else unlinkSync(path);
    return;
  } catch {
    // Not empty, or not ours to remove at once: the asynchronous way says what is wrong.
  }
  await rm(path, { recursive: true, force: true });
}

/**
 * Makes folder `path` and its parents (as `mkdir(path, { recursive: true })`).
 *
 * @example
 * makeFolder(join(trialDir, 'artifacts'));
 */
export function makeFolder(path: string): void {
  mkdirSync(path, { recursive: true });
}
