/**
 * Git's loose objects read and written in-process: a commit object written without a
 * `git commit-tree` process, and the size of a new blob read from its loose object's
 * header without a `git cat-file --batch-check` process. The objects are the ones git
 * itself would write (same bytes before compression, so the same ids); whatever this
 * cannot answer exactly (a packed object, an odd message) is left to git by the caller.
 */
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { open, link, mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, deflateSync, inflateSync } from 'node:zlib';

/** The hash of a repository's objects, told by the length of one of its ids. */
export type ObjectHash = 'sha1' | 'sha256';

/** `sha1` for a 40-digit id, `sha256` for a 64-digit one, null for anything else. */
export function objectHashOf(oid: string): ObjectHash | null {
  if (/^[0-9a-f]{40}$/.test(oid)) return 'sha1';
  if (/^[0-9a-f]{64}$/.test(oid)) return 'sha256';
  return null;
}

/** The id git gives an object of `type` with `body`. */
export function objectId(hash: ObjectHash, type: string, body: Buffer): string {
  return createHash(hash).update(`${type} ${body.length}\0`).update(body).digest('hex');
}

/**
 * Writes one loose object into `objectsDir` (a repository's `objects`, or a quarantine
 * given as `GIT_OBJECT_DIRECTORY`) as git does: deflated, to a temporary file beside it,
 * linked into place (an object already there is left as it is). Returns its id.
 *
 * @example
 * const id = await writeLooseObject(join(gitDir, 'objects'), 'sha1', 'blob', Buffer.from('hello\n'));
 * // 'ce013625030ba8dba906f756967f9e9ca394464a', as `git hash-object -w` gives
 */
export async function writeLooseObject(objectsDir: string, hash: ObjectHash, type: string, body: Buffer): Promise<string> {
  const id = objectId(hash, type, body);
  if (body.length <= SMALL_OBJECT_BYTES) return writeLooseObjectSync(objectsDir, id, type, body);
  const folder = join(objectsDir, id.slice(0, 2));
  await mkdir(folder, { recursive: true });
  const temporary = join(folder, `tmp_obj_${randomBytes(6).toString('hex')}`);
  await writeFile(temporary, deflateSync(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body])), { mode: 0o444 });
  try {
    await link(temporary, join(folder, id.slice(2)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  return id;
}

/**
 * Objects up to this size are written with synchronous calls: four trips through the
 * thread pool cost more than the writes themselves, and a small write cannot hold up
 * the driver's other trials; larger ones are written asynchronously.
 */
const SMALL_OBJECT_BYTES = 256 * 1024;

/** `writeLooseObject` for a small object whose id is known, with synchronous calls (the same files, the same steps). */
function writeLooseObjectSync(objectsDir: string, id: string, type: string, body: Buffer): string {
  const folder = join(objectsDir, id.slice(0, 2));
  mkdirSync(folder, { recursive: true });
  const temporary = join(folder, `tmp_obj_${randomBytes(6).toString('hex')}`);
  writeFileSync(temporary, deflateSync(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body])), { mode: 0o444 });
  try {
    linkSync(temporary, join(folder, id.slice(2)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // already gone
    }
  }
  return id;
}

/**
 * The type and size of a loose object, read from the start of its file (only the header
 * is inflated), looking in each of `objectsDirs` in turn; null when none holds it loose
 * (it may be packed: ask git).
 */
export async function looseObjectHeader(objectsDirs: readonly string[], oid: string): Promise<{ type: string; size: number } | null> {
  if (objectHashOf(oid) === null) return null;
  for (const dir of objectsDirs) {
    let handle;
    try {
      handle = await open(join(dir, oid.slice(0, 2), oid.slice(2)), 'r');
    } catch {
      continue;
    }
    try {
      const start = Buffer.alloc(128);
      const { bytesRead } = await handle.read(start, 0, start.length, 0);
      const header = inflateSync(start.subarray(0, bytesRead), { finishFlush: constants.Z_SYNC_FLUSH });
      const end = header.indexOf(0);
      const match = end < 0 ? null : /^([a-z]+) (\d+)$/.exec(header.toString('latin1', 0, end));
      if (match) return { type: match[1]!, size: Number(match[2]) };
    } catch {
      // Unreadable or corrupt: git will say.
    } finally {
      await handle.close();
    }
    return null;
  }
  return null;
}

/** Who autolab's commits are by (the identity every git call of the private repo is given). */
export const AUTOLAB_IDENT = 'autolab <autolab@localhost>';

/** `+0100`-style offset of this process's time zone at `date`, as git writes it. */
function timeZoneOffset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/**
 * The body of the commit `git commit-tree <tree> -p <parent> -F -` writes with
 * autolab's identity at `date`; null for a message git would treat differently (a NUL
 * byte, or not valid UTF-8), which the caller leaves to git.
 */
export function commitBody(tree: string, parent: string, message: string, date: Date): Buffer | null {
  if (message.includes('\0')) return null;
  const bytes = Buffer.from(message, 'utf8');
  if (bytes.toString('utf8') !== message || message.includes('\uFFFD')) return null;
  const stamp = `${Math.floor(date.getTime() / 1000)} ${timeZoneOffset(date)}`;
  return Buffer.concat([Buffer.from(`tree ${tree}\nparent ${parent}\nauthor ${AUTOLAB_IDENT} ${stamp}\ncommitter ${AUTOLAB_IDENT} ${stamp}\n\n`), bytes]);
}
