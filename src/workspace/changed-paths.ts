/**
 * What a commit changed against its parent, as git sees it: path, status, mode and the
 * size of the new blob.
 */
import { git, gitBuffer } from './git.ts';
import type { DiffTreeBatch } from './diff-tree-batch.ts';
import { looseObjectHeader } from './loose-objects.ts';

/** One changed path of a trial (renames are reported as a deletion plus an addition). */
export interface ChangedPath {
  /** Recipe-relative POSIX path. */
  path: string;
  /** Added, modified, deleted, or type changed (file <-> symlink). */
  status: 'A' | 'M' | 'D' | 'T';
  /** Git mode of the new entry (`100644`, `100755`, `120000`, `160000`); of the old one when deleted. */
  mode: string;
  /** Bytes of the new blob (for a symlink: of its target string); 0 when deleted. */
  size: number;
  /** Object id of the new blob (of the old one when deleted). */
  blob: string;
}

/**
 * Splits the output of `git diff-tree -r --raw -p -z` into the raw records and the
 * patch that follows them (git separates the two with one extra NUL).
 */
export function splitRawAndPatch(output: Buffer): { changed: Omit<ChangedPath, 'size'>[]; patch: string } {
  const changed: Omit<ChangedPath, 'size'>[] = [];
  let position = 0;
  while (position < output.length && output[position] === 0x3a /* ':' */) {
    const metaEnd = output.indexOf(0, position);
    const pathEnd = output.indexOf(0, metaEnd + 1);
    if (metaEnd < 0 || pathEnd < 0) throw new Error('truncated git diff-tree output');
    const [oldMode = '', newMode = '', oldBlob = '', newBlob = '', status = ''] = output
      .toString('utf8', position + 1, metaEnd)
      .split(' ');
    const path = output.toString('utf8', metaEnd + 1, pathEnd);
    const letter = status.charAt(0) as ChangedPath['status'];
    const deleted = letter === 'D';
    changed.push({ path, status: letter, mode: deleted ? oldMode : newMode, blob: deleted ? oldBlob : newBlob });
    position = pathEnd + 1;
  }
  if (output[position] === 0) position += 1;
  return { changed, patch: output.toString('utf8', position) };
}

/**
 * Adds blob sizes: read in-process from the headers of loose objects in `looseIn` (the
 * folders a new edit's objects were just written to), and one `git cat-file
 * --batch-check` for any that are not there (packed, or `looseIn` not given).
 */
export async function withSizes(gitDir: string, changed: Omit<ChangedPath, 'size'>[], env: Record<string, string> = {}, looseIn: readonly string[] = []): Promise<ChangedPath[]> {
  let wanted = [...new Set(changed.filter((entry) => entry.status !== 'D' && entry.mode !== '160000').map((entry) => entry.blob))];
  const sizes = new Map<string, number>();
  if (looseIn.length > 0) {
    const headers = await Promise.all(wanted.map((oid) => looseObjectHeader(looseIn, oid)));
    wanted.forEach((oid, i) => {
      if (headers[i]?.type === 'blob') sizes.set(oid, headers[i]!.size);
    });
    wanted = wanted.filter((oid) => !sizes.has(oid));
  }
  if (wanted.length > 0) {
    const lines = await git(['cat-file', '--batch-check'], { gitDir, env, input: `${wanted.join('\n')}\n` });
    for (const line of lines.split('\n')) {
      const [oid, type, size] = line.split(' ');
      if (oid && type === 'blob' && size) sizes.set(oid, Number(size));
    }
  }
  return changed.map((entry) => ({ ...entry, size: entry.status === 'D' ? 0 : (sizes.get(entry.blob) ?? 0) }));
}

/**
 * Changed paths and the binary-safe unified diff between two commits, in one git call
 * plus one for the sizes (none when every changed blob is loose in `looseIn`, see `withSizes`).
 */
export async function diffCommits(gitDir: string, from: string, to: string, env: Record<string, string> = {}, looseIn: readonly string[] = []): Promise<{ changed: ChangedPath[]; diff: string }> {
  const output = await gitBuffer(['diff-tree', '-r', '--raw', '-p', '--binary', '--no-renames', '-z', from, to], { gitDir, env });
  const { changed, patch } = splitRawAndPatch(output);
  return { changed: await withSizes(gitDir, changed, env, looseIn), diff: patch };
}

/**
 * {@link diffCommits} through the workspace's long-lived `git diff-tree --stdin` (no git
 * process per diff; both commits must be in the repo's own objects, not a quarantine);
 * by a one-shot git call if that process fails or prints nothing.
 */
export async function diffCommitsBatched(differ: DiffTreeBatch, gitDir: string, from: string, to: string, looseIn: readonly string[] = []): Promise<{ changed: ChangedPath[]; diff: string }> {
  let output: Buffer;
  try {
    output = await differ.diff(from, to);
  } catch {
    return diffCommits(gitDir, from, to, {}, looseIn);
  }
  // Nothing printed: the same tree, or an object git could not find (it says nothing on
  // --stdin); one git call tells them apart.
  if (output.length === 0) return diffCommits(gitDir, from, to, {}, looseIn);
  const { changed, patch } = splitRawAndPatch(output);
  return { changed: await withSizes(gitDir, changed, {}, looseIn), diff: patch };
}
