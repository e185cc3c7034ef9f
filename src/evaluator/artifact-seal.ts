/**
 * Sealing a run's artifacts before the score reads them. The score command is the
 * evaluator's code, run with the held-out data in reach, so what a trial leaves in
 * `$AUTOLAB_ARTIFACTS` must be plain data: regular files and folders. A symbolic link
 * (to the held-out labels, or to a host file the score writes a report over), a hard
 * link to a file outside the folder, a FIFO (a score that blocks), a socket or a device
 * is refused, with its path; the files are then made read-only for the score.
 */
import { chmodSync, lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { chmod, lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface SealedArtifacts {
  /** One line per entry that is not a regular file or folder (empty: sealed). */
  problems: string[];
  /** Total bytes of the regular files (links not followed). */
  bytes: number;
}

/** At most this many problems are listed (the first ones found). */
const MAX_PROBLEMS = 10;

/**
 * Checks `dir` (a run's artifacts folder) and makes its files read-only: see the file
 * comment. Never follows a link; a missing folder is a problem too (the run removed or
 * replaced it).
 *
 * @example
 * const sealed = await sealArtifacts(artifacts); // { problems: ["preds.json: a symbolic link (to /x/holdout/labels.json)"], bytes: 0 }
 */
export async function sealArtifacts(dir: string): Promise<SealedArtifacts> {
  return sealSmallArtifacts(dir) ?? sealArtifactsAsync(dir);
}

/** Entries up to which a folder is sealed with synchronous calls (microseconds each, no trip through the thread pool per entry). */
const SYNC_SEAL_ENTRIES = 256;

/**
 * `sealArtifacts` with synchronous calls, for a folder of at most `SYNC_SEAL_ENTRIES`
 * entries; null (nothing changed) for a larger one or when a call fails, so that the
 * asynchronous walk does it (a large folder does not hold up the other trials, and says
 * what failed as before).
 */
function sealSmallArtifacts(dir: string): SealedArtifacts | null {
  try {
    const root = lstatSync(dir, { throwIfNoEntry: false });
    if (root === undefined || !root.isDirectory()) return null;
    const problems: string[] = [];
    const files: Array<{ path: string; stats: Stats }> = [];
    let seen = 0;
    const walk = (folder: string, relative: string): boolean => {
      for (const name of readdirSync(folder)) {
        if (++seen > SYNC_SEAL_ENTRIES) return false;
        const path = join(folder, name);
        const shown = relative === '' ? name : `${relative}/${name}`;
        const stats = lstatSync(path);
        if (stats.isDirectory()) {
          if (!walk(path, shown)) return false;
        } else if (stats.isFile()) files.push({ path: shown, stats });
        else problems.push(`${shown}: ${stats.isSymbolicLink() ? `a symbolic link (to ${linkTarget(path)})` : describeKind(stats)}`);
      }
      return true;
    };
    if (!walk(dir, '')) return null;
    problems.push(...outsideHardLinks(files));
    let bytes = 0;
    for (const file of files) {
      bytes += file.stats.size;
      if (problems.length === 0 && (file.stats.mode & 0o222) !== 0) chmodSync(join(dir, file.path), file.stats.mode & 0o7555);
    }
    return { problems: problems.length > MAX_PROBLEMS ? [...problems.slice(0, MAX_PROBLEMS), `and ${problems.length - MAX_PROBLEMS} more`] : problems, bytes };
  } catch {
    return null;
  }
}

function linkTarget(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '?';
  }
}

/**
 * `sealArtifacts` walking the folder with asynchronous calls whatever its size (what a folder
 * of more than `SYNC_SEAL_ENTRIES` entries gets; exported so tests can compare both ways).
 *
 * @example
 * const sealed = await sealArtifactsAsync(artifacts);
 */
export async function sealArtifactsAsync(dir: string): Promise<SealedArtifacts> {
  const root = await lstat(dir).catch(() => null);
  if (root === null || !root.isDirectory()) return { problems: [`the artifacts folder itself ${root === null ? 'is gone' : `is ${describeKind(root)}`}`], bytes: 0 };
  const problems: string[] = [];
  const files: Array<{ path: string; stats: Stats }> = [];
  const walk = async (folder: string, relative: string): Promise<void> => {
    for (const name of await readdir(folder)) {
      const path = join(folder, name);
      const shown = relative === '' ? name : `${relative}/${name}`;
      const stats = await lstat(path);
      if (stats.isDirectory()) await walk(path, shown);
      else if (stats.isFile()) files.push({ path: shown, stats });
      else problems.push(`${shown}: ${stats.isSymbolicLink() ? `a symbolic link (to ${await readlink(path).catch(() => '?')})` : describeKind(stats)}`);
    }
  };
  await walk(dir, '');
  problems.push(...outsideHardLinks(files));
  let bytes = 0;
  for (const file of files) {
    bytes += file.stats.size;
    if (problems.length === 0 && (file.stats.mode & 0o222) !== 0) await chmod(join(dir, file.path), file.stats.mode & 0o7555);
  }
  return { problems: problems.length > MAX_PROBLEMS ? [...problems.slice(0, MAX_PROBLEMS), `and ${problems.length - MAX_PROBLEMS} more`] : problems, bytes };
}

/** Files with more links than the folder holds: a hard link to a file outside it (the held-out data, a host file). */
function outsideHardLinks(files: ReadonlyArray<{ path: string; stats: Stats }>): string[] {
  const inside = new Map<string, number>();
  for (const { stats } of files) if (stats.nlink > 1) inside.set(`${stats.dev}:${stats.ino}`, (inside.get(`${stats.dev}:${stats.ino}`) ?? 0) + 1);
  return files
    .filter(({ stats }) => stats.nlink > (inside.get(`${stats.dev}:${stats.ino}`) ?? 1))
    .map(({ path, stats }) => `${path}: a hard link to a file outside the artifacts (${stats.nlink} links, ${inside.get(`${stats.dev}:${stats.ino}`)} here)`);
}

function describeKind(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file or folder';
}

/** The failure detail of a trial whose artifacts could not be sealed (label `illegal_edit`). */
export function unsealedDetail(problems: readonly string[]): string {
  return `the run left artifacts the score must not read (only regular files and folders are scored): ${problems.join('; ')}`;
}
