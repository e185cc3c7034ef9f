/**
 * A `files` edit staged and its tree written without git processes: what `git
 * update-index --add --remove --replace` of the edit's paths and `git write-tree` give
 * (the same blobs, trees and ids), computed from the parent's tree and the files the
 * edit left in the worktree; the worktree's index is rewritten to match, as git's would
 * be. Only for the plain cases: a path that is now a folder, a symlink or anything but a
 * regular file, a file replacing a folder (or a folder a file), a submodule, or an
 * attributes file anywhere leaves it to git (null).
 */
import { lstatSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeWorktreeIndex } from './index-file.ts';
import type { ObjectHash } from './loose-objects.ts';
import { writeLooseObject } from './loose-objects.ts';
import type { ObjectReader } from './object-reader.ts';
import { isAttributesPath } from './plumbing-eligibility.ts';
import { flattenTree, writeTrees, type TreeFile } from './tree-objects.ts';

export interface StageRequest {
  worktree: string;
  /** The worktree's record in the private repo (`<gitDir>/worktrees/<name>`), holding its index. */
  adminDir: string;
  parentCommit: string;
  hash: ObjectHash;
  /** The recipe-relative paths the edit wrote or removed (normalised). */
  paths: readonly string[];
  /** Where new objects go (the repo's objects or a quarantine). */
  objectsDir: string;
  reader: ObjectReader;
}

/** Edited files up to this size are read synchronously. */
const SMALL_FILE_BYTES = 256 * 1024;

/** True when some file of `files` lies under `folder`. */
function holdsFilesUnder(files: ReadonlyMap<string, TreeFile>, folder: string): boolean {
  const prefix = `${folder}/`;
  for (const path of files.keys()) if (path.startsWith(prefix)) return true;
  return false;
}

/** True when a proper ancestor folder of `path` is a file (or symlink) in `files`. */
function underAFile(files: ReadonlyMap<string, TreeFile>, path: string): boolean {
  const segments = path.split('/');
  for (let depth = 1; depth < segments.length; depth++) if (files.has(segments.slice(0, depth).join('/'))) return true;
  return false;
}

/**
 * The tree of the parent with the edit's paths as they are in the worktree, its new
 * objects written to `objectsDir`; null when git must do it (see the file's comment).
 *
 * @example
 * const tree = await stageFilesInProcess({ worktree, adminDir, parentCommit, hash: 'sha1', paths: ['config.json'], objectsDir, reader });
 */
export async function stageFilesInProcess(request: StageRequest): Promise<string | null> {
  const { worktree, paths, reader, hash } = request;
  const parentTree = await reader.treeOfCommit(request.parentCommit);
  const flat = parentTree === null ? null : await flattenTree(reader, parentTree, hash);
  if (flat === null) return null;
  for (const [path, file] of flat.files) if (file.mode === '160000' || isAttributesPath(path)) return null;
  const files = new Map(flat.files);
  const blobs: Array<{ path: string; bytes: Buffer; mode: string }> = [];
  for (const path of new Set(paths)) {
    if (isAttributesPath(path) || holdsFilesUnder(files, path) || underAFile(files, path)) return null;
    // The edit's files are small as a rule: synchronous calls, no trip through the thread pool (a large one is read asynchronously).
    const stats = lstatSync(join(worktree, path), { throwIfNoEntry: false }) ?? null;
    if (stats === null) {
      files.delete(path);
      continue;
    }
    if (!stats.isFile()) return null;
    const bytes = stats.size <= SMALL_FILE_BYTES ? readFileSync(join(worktree, path)) : await readFile(join(worktree, path));
    // Executable as git decides it with core.filemode: the owner's execute bit.
    blobs.push({ path, bytes, mode: stats.mode & 0o100 ? '100755' : '100644' });
  }
  for (const blob of blobs) {
    files.set(blob.path, { mode: blob.mode, oid: await writeLooseObject(request.objectsDir, hash, 'blob', blob.bytes) });
  }
  const tree = await writeTrees(request.objectsDir, hash, files, flat.folders, paths);
  await writeWorktreeIndex(request.adminDir, worktree, files, hash);
  return tree;
}
