/**
 * A worktree's index (`<admin dir>/index`, version 2) written in-process: one entry per
 * file of the checked-out tree with the stat data of the file on disk, as git's own
 * checkout leaves it, so that git (`apply --index`, `status`) sees a clean worktree.
 * An entry whose file is not what it should be gets no stat data: git then looks at
 * its content instead of trusting it.
 */
import { createHash } from 'node:crypto';
import { lstatSync, renameSync, writeFileSync, type BigIntStats } from 'node:fs';
import { lstat, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectHash } from './loose-objects.ts';
import type { TreeFile } from './tree-objects.ts';

const STAT_FIELDS = 10;

/** Up to this many files, the index is written with synchronous calls (one `lstat` each: microseconds, no trip through the thread pool). */
const SYNC_INDEX_FILES = 4096;

/** The 40 bytes of stat data git keeps per entry (zeros when the file is not a plain match). */
async function statData(path: string, mode: string): Promise<Buffer> {
  if (mode === '160000') return Buffer.alloc(STAT_FIELDS * 4);
  return statDataOf(await lstat(path, { bigint: true }).catch(() => null), mode);
}

/** `statData` with a synchronous `lstat`. */
function statDataSync(path: string, mode: string): Buffer {
  if (mode === '160000') return Buffer.alloc(STAT_FIELDS * 4);
  let stats: BigIntStats | null;
  try {
    stats = lstatSync(path, { bigint: true, throwIfNoEntry: false }) ?? null;
  } catch {
    stats = null;
  }
  return statDataOf(stats, mode);
}

function statDataOf(stats: BigIntStats | null, mode: string): Buffer {
  const data = Buffer.alloc(STAT_FIELDS * 4);
  const isLink = mode === '120000';
  if (!stats || (isLink ? !stats.isSymbolicLink() : !stats.isFile())) return data;
  const fields = [
    stats.ctimeNs / 1_000_000_000n,
    stats.ctimeNs % 1_000_000_000n,
    stats.mtimeNs / 1_000_000_000n,
    stats.mtimeNs % 1_000_000_000n,
    stats.dev,
    stats.ino,
    BigInt(Number.parseInt(mode, 8)),
    stats.uid,
    stats.gid,
    stats.size,
  ];
  fields.forEach((value, i) => data.writeUInt32BE(Number(BigInt.asUintN(32, value)), i * 4));
  return data;
}

/**
 * Writes the index of the worktree at `worktree` (whose admin folder is `adminDir`)
 * holding `files`, through `index.lock` renamed into place as git does.
 *
 * @example
 * await writeWorktreeIndex(adminDir, worktree, flat.files, 'sha1');
 */
export async function writeWorktreeIndex(adminDir: string, worktree: string, files: ReadonlyMap<string, TreeFile>, hash: ObjectHash): Promise<void> {
  const paths = [...files.keys()].map((path) => Buffer.from(path, 'utf8')).sort(Buffer.compare);
  const header = Buffer.alloc(12);
  header.write('DIRC', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(paths.length, 8);
  const small = paths.length <= SYNC_INDEX_FILES;
  const statOf = (name: Buffer) => [join(worktree, name.toString('utf8')), files.get(name.toString('utf8'))!.mode] as const;
  const stats = small ? paths.map((name) => statDataSync(...statOf(name))) : await Promise.all(paths.map((name) => statData(...statOf(name))));
  const parts: Buffer[] = [header];
  paths.forEach((name, i) => {
    const file = files.get(name.toString('utf8'))!;
    const oid = Buffer.from(file.oid, 'hex');
    const fixed = STAT_FIELDS * 4 + oid.length + 2;
    // Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
    const length = Math.floor((fixed + name.length + 8) / 8) * 8;
    const entry = Buffer.alloc(length);
    stats[i]!.copy(entry, 0);
    // The mode field is the entry's, whatever the stat data says.
    entry.writeUInt32BE(Number.parseInt(file.mode, 8), 24);
    oid.copy(entry, STAT_FIELDS * 4);
    entry.writeUInt16BE(Math.min(name.length, 0xfff), STAT_FIELDS * 4 + oid.length);
    name.copy(entry, fixed);
    parts.push(entry);
  });
  const body = Buffer.concat(parts);
  const checksum = createHash(hash).update(body).digest();
  const lock = join(adminDir, 'index.lock');
  if (small) {
    writeFileSync(lock, Buffer.concat([body, checksum]), { flag: 'wx' });
    renameSync(lock, join(adminDir, 'index'));
    return;
  }
  await writeFile(lock, Buffer.concat([body, checksum]), { flag: 'wx' });
  await rename(lock, join(adminDir, 'index'));
}
