/**
 * Object ids abbreviated as git abbreviates them in a patch's `index` line
 * (`find_unique_abbrev` with the automatic length): at least 7 hex digits, more when the
 * repo's packs hold 16,384 objects or more (`(msb(count) + 1) / 2` rounded up), and
 * then one digit more than the longest prefix the id shares with any other object of
 * the repo (loose, or in a pack). Read in-process: the loose objects' fan-out folder,
 * and version-2 pack indexes (kept while their size and time stay the same: a pack
 * never changes). A repo with a multi-pack index, alternates or an index of another
 * version gets null (git says).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A version-2 pack index: its object count and sorted ids (raw bytes). */
interface PackIndex {
  key: string;
  count: number;
  fanout: Uint32Array;
  ids: Buffer;
  idBytes: number;
}

const indexes = new Map<string, PackIndex>();

/** The version-2 index at `file`, from the cache while unchanged; null when it is another version. */
function packIndex(file: string, idBytes: number): PackIndex | null {
  const stats = statSync(file);
  const key = `${stats.size}:${stats.mtimeMs}`;
  const cached = indexes.get(file);
  if (cached?.key === key && cached.idBytes === idBytes) return cached;
  const bytes = readFileSync(file);
  if (bytes.length < 8 + 1024 || bytes.readUInt32BE(0) !== 0xff744f63 || bytes.readUInt32BE(4) !== 2) return null;
  const fanout = new Uint32Array(256);
  for (let i = 0; i < 256; i++) fanout[i] = bytes.readUInt32BE(8 + 4 * i);
  const count = fanout[255]!;
  const index = { key, count, fanout, ids: bytes.subarray(8 + 1024, 8 + 1024 + count * idBytes), idBytes };
  if (index.ids.length !== count * idBytes) return null;
  indexes.set(file, index);
  return index;
}

/** Hex digits two ids share at the start. */
function sharedDigits(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

/** The longest prefix `oid` shares with another id of `pack` (its neighbours in sorted order). */
function sharedInPack(pack: PackIndex, oid: string): number {
  const raw = Buffer.from(oid, 'hex');
  let low = raw[0]! === 0 ? 0 : pack.fanout[raw[0]! - 1]!;
  let high = pack.fanout[raw[0]!]!;
  const at = (i: number) => pack.ids.subarray(i * pack.idBytes, (i + 1) * pack.idBytes);
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (Buffer.compare(at(middle), raw) < 0) low = middle + 1;
    else high = middle;
  }
  let best = 0;
  for (const i of [low - 1, low, low + 1]) {
    if (i < 0 || i >= pack.count) continue;
    const other = at(i).toString('hex');
    if (other !== oid) best = Math.max(best, sharedDigits(other, oid));
  }
  return best;
}

/**
 * The abbreviations of `oids` in the repo at `gitDir` (see the file's comment), or null
 * when git must say.
 *
 * @example
 * abbreviatedIds(gitDir, [oldBlob, newBlob]); // ['54dda6c', '671eff0']
 */
export function abbreviatedIds(gitDir: string, oids: readonly string[]): string[] | null {
  const objects = join(gitDir, 'objects');
  if (existsSync(join(objects, 'info', 'alternates')) || existsSync(join(objects, 'pack', 'multi-pack-index'))) return null;
  const idBytes = (oids[0]?.length ?? 40) / 2;
  const packs: PackIndex[] = [];
  let names: string[];
  try {
    names = readdirSync(join(objects, 'pack'));
  } catch {
    names = [];
  }
  for (const name of names) {
    // git counts a pack whose index and pack file are both there.
    if (!name.endsWith('.idx') || !names.includes(`${name.slice(0, -4)}.pack`)) continue;
    const pack = packIndex(join(objects, 'pack', name), idBytes);
    if (pack === null) return null;
    packs.push(pack);
  }
  const count = packs.reduce((sum, pack) => sum + pack.count, 0);
  const start = Math.max(7, Math.ceil((count === 0 ? 0 : Math.floor(Math.log2(count)) + 1) / 2));
  return oids.map((oid) => {
    let shared = 0;
    for (const pack of packs) shared = Math.max(shared, sharedInPack(pack, oid));
    let loose: string[];
    try {
      loose = readdirSync(join(objects, oid.slice(0, 2)));
    } catch {
      loose = [];
    }
    const rest = oid.slice(2);
    for (const name of loose) if (name !== rest && name.length === rest.length) shared = Math.max(shared, 2 + sharedDigits(name, rest));
    return oid.slice(0, Math.max(start, shared + 1));
  });
}
