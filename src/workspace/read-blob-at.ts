/**
 * A file's bytes at a commit read in-process, as `git cat-file --batch` answers
 * `<commit>:<path>`: the commit's tree walked one path component at a time (no symlink
 * followed, as git does not), without a round trip to the long-lived `git cat-file`
 * process (which, on a loaded machine, waits to be scheduled). Only where the answer is
 * certain: a full commit id, a path of plain components (no empty, `.` or `..` one), every
 * object on the way readable; anything else is `undefined` and the caller asks git.
 */
import type { ObjectReader } from './object-reader.ts';
import { parseTree } from './tree-objects.ts';

const FULL_OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The blob at `path` in `commit`: its bytes, null when there is none (absent, a folder,
 * under a file), or undefined when git must say (see the file's comment).
 *
 * @example
 * await readBlobAt(reader, commit, 'config.json'); // <Buffer 7b 0a ...>
 */
export async function readBlobAt(reader: ObjectReader, commit: string, path: string): Promise<Buffer | null | undefined> {
  if (!FULL_OID.test(commit)) return undefined;
  const names = path.split('/');
  if (names.some((name) => name === '' || name === '.' || name === '..')) return undefined;
  let oid = await reader.treeOfCommit(commit);
  if (oid === null) return undefined;
  let mode = '40000';
  for (const name of names) {
    if (mode !== '40000') return null;
    const tree = await reader.read(oid);
    if (tree?.type !== 'tree') return undefined;
    const entry = parseTree(tree.bytes, commit.length / 2).find((candidate) => candidate.name === name);
    if (entry === undefined) return null;
    ({ oid, mode } = entry);
  }
  if (mode === '40000') return null;
  if (mode === '160000') return undefined;
  const blob = await reader.read(oid);
  return blob?.type === 'blob' ? blob.bytes : undefined;
}
