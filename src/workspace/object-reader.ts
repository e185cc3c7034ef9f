/**
 * Objects of the private repo read without a git process per read: a loose object is
 * inflated in-process, anything else (a packed object) is asked of the workspace's
 * long-lived `git cat-file --batch`. Objects never change, so what was read is kept in
 * a cache bounded by bytes (older entries leave first).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { CatFileBatch } from './cat-file-batch.ts';
import { objectHashOf } from './loose-objects.ts';

/** One object: its type (`blob`, `tree`, `commit`, `tag`) and body. */
export interface GitObject {
  type: string;
  bytes: Buffer;
}

/** Bytes of object bodies kept in memory by one reader. */
const CACHE_BYTES = 32 * 1024 * 1024;

/**
 * @example
 * const reader = new ObjectReader(gitDir, () => catFile);
 * const commit = await reader.read(commitId); // { type: 'commit', bytes }
 */
export class ObjectReader {
  private readonly cache = new Map<string, GitObject>();
  private cachedBytes = 0;

  constructor(
    private readonly gitDir: string,
    /** The long-lived reader for objects that are not loose (started on first need). */
    private readonly batch: () => CatFileBatch,
  ) {}

  /** The object `oid`, or null when the repo does not hold it. */
  async read(oid: string): Promise<GitObject | null> {
    if (objectHashOf(oid) === null) return null;
    const cached = this.cache.get(oid);
    if (cached) return cached;
    const found = (await readLoose(join(this.gitDir, 'objects'), oid)) ?? (await this.batch().read(oid));
    if (found) this.remember(oid, found);
    return found;
  }

  /** The tree id a commit names (its first line), or null when `oid` is not a commit. */
  async treeOfCommit(oid: string): Promise<string | null> {
    const commit = await this.read(oid);
    if (commit?.type !== 'commit') return null;
    const match = /^tree ([0-9a-f]+)\n/.exec(commit.bytes.toString('latin1', 0, 80));
    return match ? match[1]! : null;
  }

  private remember(oid: string, object: GitObject): void {
    if (object.bytes.length > CACHE_BYTES / 4) return;
    // A body is often a view into a larger buffer (a loose object's is inflated in chunks of
    // 16 KiB): the cache keeps a copy of its own, so it holds the bytes it counts.
    this.cache.set(oid, { type: object.type, bytes: ownBytes(object.bytes) });
    this.cachedBytes += object.bytes.length;
    for (const [key, value] of this.cache) {
      if (this.cachedBytes <= CACHE_BYTES) break;
      this.cache.delete(key);
      this.cachedBytes -= value.bytes.length;
    }
  }
}

/** `bytes` itself when it owns its whole memory, else a copy that does (not from Node's shared pool of small buffers). */
function ownBytes(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.length === bytes.buffer.byteLength) return bytes;
  const own = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(own);
  return own;
}

/** Loose objects up to this size (compressed) are read with synchronous calls: microseconds, no trip through the thread pool. */
const SMALL_LOOSE_BYTES = 256 * 1024;

/** The bytes of a loose object's file: read synchronously when small, else asynchronously; null when it cannot be read. */
async function readLooseFile(file: string): Promise<Buffer | null> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    if (size > SMALL_LOOSE_BYTES) return await readFile(file);
    const bytes = Buffer.alloc(size);
    let done = 0;
    while (done < size) {
      const got = readSync(fd, bytes, done, size - done, done);
      if (got === 0) break;
      done += got;
    }
    return done === size ? bytes : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** A loose object inflated, or null when it is not loose in `objectsDir` (or unreadable: git will say). */
async function readLoose(objectsDir: string, oid: string): Promise<GitObject | null> {
  const raw = await readLooseFile(join(objectsDir, oid.slice(0, 2), oid.slice(2)));
  if (raw === null) return null;
  try {
    const whole = inflateSync(raw);
    const end = whole.indexOf(0);
    const match = end < 0 ? null : /^([a-z]+) (\d+)$/.exec(whole.toString('latin1', 0, end));
    if (!match || Number(match[2]) !== whole.length - end - 1) return null;
    return { type: match[1]!, bytes: whole.subarray(end + 1) };
  } catch {
    return null;
  }
}
