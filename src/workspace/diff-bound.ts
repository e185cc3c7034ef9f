/**
 * Whether a `files` edit is surely within the size limits before anything is written:
 * every new file within `maxFileBytes`, and an upper bound of its diff within
 * `maxDiffBytes`. Such an edit needs no quarantine (nothing of it will be refused), so
 * its objects go straight into the private repo. The bound: a text diff holds each old
 * line at most once (`-` or context) and each new line at most once (`+` or context),
 * one byte of prefix per line, and hunk headers (at most one per seven lines, under 120
 * bytes each); a binary diff holds both directions, deflated and base85-encoded (under
 * 1.3 bytes per byte). 25 bytes per byte of old and new content, plus 1 KB and 16 bytes
 * per byte of path (quoted, four times) of headers per file, is above both.
 */
import { posix } from 'node:path';
import type { ObjectHash } from './loose-objects.ts';
import type { ObjectReader } from './object-reader.ts';
import { flattenTree } from './tree-objects.ts';

/** Bytes of diff per byte of old and new content, at most (see the file's comment). */
const DIFF_BYTES_PER_BYTE = 25;

/**
 * True when the edit is surely within the limits (see the file's comment); false when it
 * may not be (the caller then stages it in a quarantine and measures).
 *
 * @example
 * await surelyWithinLimits(reader, parentCommit, 'sha1', { 'config.json': '{}' }, { maxFileBytes: 5e6, maxDiffBytes: 1e6 }); // true
 */
export async function surelyWithinLimits(
  reader: ObjectReader,
  parentCommit: string,
  hash: ObjectHash,
  files: Record<string, string | null>,
  limits: { maxFileBytes: number; maxDiffBytes: number },
): Promise<boolean> {
  const tree = await reader.treeOfCommit(parentCommit);
  const flat = tree === null ? null : await flattenTree(reader, tree, hash);
  if (flat === null) return false;
  let bound = 0;
  for (const [raw, content] of Object.entries(files)) {
    const path = posix.normalize(raw);
    const newBytes = content === null ? 0 : Buffer.byteLength(content);
    if (newBytes > limits.maxFileBytes || flat.folders.has(path)) return false;
    const old = flat.files.get(path);
    const oldBytes = old === undefined ? 0 : ((await reader.read(old.oid))?.bytes.length ?? Number.POSITIVE_INFINITY);
    bound += 1024 + 16 * Buffer.byteLength(path) + DIFF_BYTES_PER_BYTE * (oldBytes + newBytes);
  }
  return bound <= limits.maxDiffBytes;
}
