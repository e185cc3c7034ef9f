/**
 * Git tree objects read and written in-process: a commit's whole tree flattened to its
 * paths, and new trees written for the folders an edit changed (the same objects `git
 * write-tree` writes from an index holding those paths, so the same ids).
 */
import type { ObjectHash } from './loose-objects.ts';
import { writeLooseObject } from './loose-objects.ts';
import type { ObjectReader } from './object-reader.ts';

/** One entry of a flattened tree: a file, symlink or submodule at a path. */
export interface TreeFile {
  /** `100644`, `100755`, `120000` or `160000`. */
  mode: string;
  oid: string;
}

/** A commit's tree as paths: every non-tree entry, and the id of every folder. */
export interface FlatTree {
  files: Map<string, TreeFile>;
  /** Folder path (`''` for the root) -> its tree id. */
  folders: Map<string, string>;
}

/** One entry of a tree object. */
export interface TreeEntry {
  mode: string;
  name: string;
  oid: string;
}

/** The entries of a tree object (ids as hex of `hashBytes` bytes: 20 for sha1, 32 for sha256). */
export function parseTree(bytes: Buffer, hashBytes: number): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let position = 0;
  while (position < bytes.length) {
    const space = bytes.indexOf(0x20, position);
    const nul = bytes.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + hashBytes > bytes.length) throw new Error('malformed tree object');
    entries.push({
      mode: bytes.toString('latin1', position, space),
      name: bytes.toString('utf8', space + 1, nul),
      oid: bytes.toString('hex', nul + 1, nul + 1 + hashBytes),
    });
    position = nul + 1 + hashBytes;
  }
  return entries;
}

/** A tree object's body from its entries, in git's order (a folder sorts as its name plus `/`). */
export function serializeTree(entries: readonly TreeEntry[]): Buffer {
  const key = (entry: TreeEntry) => Buffer.from(entry.mode === '40000' ? `${entry.name}/` : entry.name, 'utf8');
  const sorted = [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
  return Buffer.concat(sorted.flatMap((entry) => [Buffer.from(`${entry.mode} ${entry.name}\0`, 'utf8'), Buffer.from(entry.oid, 'hex')]));
}

/** Bytes of an object id of `hash`. */
export function hashBytesOf(hash: ObjectHash): number {
  return hash === 'sha1' ? 20 : 32;
}

/** The whole tree `treeOid`, flattened; null when an object is missing or not what it should be. */
export async function flattenTree(reader: ObjectReader, treeOid: string, hash: ObjectHash): Promise<FlatTree | null> {
  const flat: FlatTree = { files: new Map(), folders: new Map() };
  const walk = async (oid: string, prefix: string): Promise<boolean> => {
    const tree = await reader.read(oid);
    if (tree?.type !== 'tree') return false;
    flat.folders.set(prefix, oid);
    for (const entry of parseTree(tree.bytes, hashBytesOf(hash))) {
      const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.mode === '40000') {
        if (!(await walk(entry.oid, path))) return false;
      } else {
        flat.files.set(path, { mode: entry.mode, oid: entry.oid });
      }
    }
    return true;
  };
  return (await walk(treeOid, '')) ? flat : null;
}

/**
 * Writes the trees of `files` into `objectsDir`: folders holding a path in `changed`
 * (and their ancestors) get new tree objects; every other folder keeps its id from
 * `unchanged`. A folder left without files disappears, as from `git write-tree`.
 * Returns the root tree's id.
 */
export async function writeTrees(objectsDir: string, hash: ObjectHash, files: ReadonlyMap<string, TreeFile>, unchanged: ReadonlyMap<string, string>, changed: Iterable<string>): Promise<string> {
  const dirty = new Set<string>(['']);
  for (const path of changed) {
    const segments = path.split('/');
    for (let depth = 1; depth < segments.length; depth++) dirty.add(segments.slice(0, depth).join('/'));
  }
  // Children of each dirty folder: files directly in it, and the names of its subfolders.
  const children = new Map<string, { files: TreeEntry[]; folders: Set<string> }>([...dirty].map((folder) => [folder, { files: [], folders: new Set<string>() }]));
  for (const [path, file] of files) {
    const segments = path.split('/');
    for (let depth = 0; depth < segments.length; depth++) {
      const folder = segments.slice(0, depth).join('/');
      const slot = children.get(folder);
      if (!slot) break;
      if (depth === segments.length - 1) slot.files.push({ mode: file.mode, name: segments[depth]!, oid: file.oid });
      else slot.folders.add(segments[depth]!);
    }
  }
  const write = async (folder: string): Promise<string> => {
    const slot = children.get(folder);
    if (!slot) return unchanged.get(folder)!;
    const entries = [...slot.files];
    for (const name of slot.folders) {
      const path = folder === '' ? name : `${folder}/${name}`;
      entries.push({ mode: '40000', name, oid: await write(path) });
    }
    return writeLooseObject(objectsDir, hash, 'tree', serializeTree(entries));
  };
  return write('');
}
