/**
 * The changed paths and diff between two commits of the private repo computed
 * in-process: what `git diff-tree -r --raw -p --binary --no-renames` gives, for the
 * common case of a knob or files edit (text files modified in place), without a round
 * trip to the long-lived `git diff-tree` (which, on a loaded machine, waits for that
 * process to be scheduled). Only where the bytes are certain to be git's: both commits
 * readable, every changed path a regular file modified in place with its mode kept, no
 * attributes file on the way to a change, a plain path, and a patch `unified-diff.ts`
 * is sure of; anything else (an added, deleted or binary file, a mode change, a symlink,
 * a submodule) is null and the caller asks git. Call only for a repo where in-process
 * plumbing is exact (`plainPlumbingRepo`).
 */
import { abbreviatedIds } from './abbreviated-ids.ts';
import type { ChangedPath } from './changed-paths.ts';
import { objectHashOf } from './loose-objects.ts';
import type { ObjectReader } from './object-reader.ts';
import { isAttributesPath } from './plumbing-eligibility.ts';
import { hashBytesOf, parseTree, type TreeEntry } from './tree-objects.ts';
import { unifiedDiffOfFile } from './unified-diff.ts';

/** A path whose blob changed: its mode and the old and new ids. */
interface Modified {
  path: string;
  mode: string;
  from: string;
  to: string;
}

const REGULAR = new Set(['100644', '100755']);

/** The entries of tree `oid`, by name; null when it is not a readable tree. */
async function entriesOf(reader: ObjectReader, oid: string, hashBytes: number): Promise<Map<string, TreeEntry> | null> {
  const tree = await reader.read(oid);
  if (tree?.type !== 'tree') return null;
  return new Map(parseTree(tree.bytes, hashBytes).map((entry) => [entry.name, entry]));
}

/** The modified files between trees `from` and `to` (paths under `prefix`), or null when some change is not a plain in-place modification. */
async function modifiedFiles(reader: ObjectReader, from: string, to: string, prefix: string, hashBytes: number, into: Modified[]): Promise<boolean> {
  const [before, after] = await Promise.all([entriesOf(reader, from, hashBytes), entriesOf(reader, to, hashBytes)]);
  if (before === null || after === null || before.size !== after.size) return false;
  const subtrees: Array<[string, string, string]> = [];
  for (const [name, old] of before) {
    const now = after.get(name);
    if (now === undefined) return false;
    if (now.oid === old.oid && now.mode === old.mode) continue;
    const path = prefix === '' ? name : `${prefix}/${name}`;
    if (old.mode === '40000' && now.mode === '40000') subtrees.push([old.oid, now.oid, path]);
    else if (old.mode !== now.mode || !REGULAR.has(now.mode)) return false;
    else into.push({ path, mode: now.mode, from: old.oid, to: now.oid });
  }
  // A folder holding a change holds no attributes file (it could change how the diff is made).
  if (subtrees.length + into.length > 0 && [...after.keys()].some((name) => isAttributesPath(name))) return false;
  for (const [a, b, path] of subtrees) if (!(await modifiedFiles(reader, a, b, path, hashBytes, into))) return false;
  return true;
}

/**
 * `{ changed, diff }` between commits `from` and `to` as `diffCommits` gives it, or null
 * when git must say (see the file's comment).
 *
 * @example
 * const result = await diffInProcess(gitDir, reader, parentCommit, trialCommit); // null: ask git
 */
export async function diffInProcess(gitDir: string, reader: ObjectReader, from: string, to: string): Promise<{ changed: ChangedPath[]; diff: string } | null> {
  const hash = objectHashOf(from);
  if (hash === null || objectHashOf(to) !== hash) return null;
  const [treeFrom, treeTo] = await Promise.all([reader.treeOfCommit(from), reader.treeOfCommit(to)]);
  if (treeFrom === null || treeTo === null) return null;
  const modified: Modified[] = [];
  if (treeFrom !== treeTo && !(await modifiedFiles(reader, treeFrom, treeTo, '', hashBytesOf(hash), modified))) return null;
  // git's order: the paths' bytes (plain ASCII paths only, so the strings' order).
  modified.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  // The `index` line's ids, abbreviated as git abbreviates them in this repo.
  const short = modified.length === 0 ? [] : abbreviatedIds(gitDir, modified.flatMap((file) => [file.from, file.to]));
  if (short === null) return null;
  const changed: ChangedPath[] = [];
  let patch = '';
  for (const [i, file] of modified.entries()) {
    const [before, after] = await Promise.all([reader.read(file.from), reader.read(file.to)]);
    if (before?.type !== 'blob' || after?.type !== 'blob') return null;
    const text = unifiedDiffOfFile(file.path, file.mode, short[2 * i]!, short[2 * i + 1]!, before.bytes, after.bytes);
    if (text === null) return null;
    patch += text;
    changed.push({ path: file.path, status: 'M', mode: file.mode, size: after.bytes.length, blob: file.to });
  }
  // Built one char per byte; decoded as the caller decodes git's output.
  return { changed, diff: Buffer.from(patch, 'latin1').toString('utf8') };
}
