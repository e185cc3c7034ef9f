/**
 * One modified text file's patch, byte for byte what `git diff-tree -p --binary` prints
 * for it in the private repo (no attributes, no diff settings: git's xdiff with its
 * defaults, 3 lines of context, function names found by its default rule), computed
 * in-process; only where git's output is certain, else null (the caller asks git).
 *
 * Certain means: xdiff's edit script is forced and nothing moves it afterwards.
 * - Both files are text (no NUL byte), end with a newline, and are under 1 MiB.
 * - After the common first and last lines (which xdiff trims first, in that order), the
 *   lines of the old middle that also occur in the new middle, and those of the new
 *   middle that occur in the old, are the same sequence: then the longest common
 *   subsequence is unique as a matching (every matchable line is matched, in order), so
 *   any minimal edit script is this one, and xdiff finds a minimal one while the edit
 *   costs fewer than 256 (its heuristics start above that).
 * - No middle line occurs in the other file as often as xdiff's "too many matches" limit
 *   (`xdl_cleanup_records`: such a line may be discarded as changed).
 * - No group of changed lines can slide (`xdl_change_compact`: the line before a group
 *   equal to its last, or the line after equal to its first), so neither the sliding
 *   nor the indent heuristic applies.
 * Then the hunks follow `xdl_emit_diff`: changes at most 6 unchanged lines apart share a
 * hunk, 3 lines of context, the header `@@ -s,c +s,c @@` with the nearest line above
 * the hunk that starts with a letter, `_` or `$` (`def_ff`, 80 bytes at most, trailing
 * blanks removed; a hunk with none above since the previous hunk reuses that one's).
 */

/** One change of the edit script: `chg1` old lines from `i1` replaced by `chg2` new lines from `i2`. */
interface Atom {
  i1: number;
  chg1: number;
  i2: number;
  chg2: number;
}

/** The largest file handled in-process (git's own limit is far above). */
const MAX_FILE_BYTES = 1024 * 1024;
/** xdiff's heuristics (`XDL_HEUR_MIN_COST`, `XDL_MAX_COST_MIN`) never apply below this cost. */
const MAX_EDIT_COST = 200;
const CONTEXT = 3;

/** `xdl_bogosqrt`: xdiff's rough square root. */
function bogosqrt(n: number): number {
  let i = 1;
  for (let rest = n; rest > 0; rest >>= 2) i <<= 1;
  return i;
}

/** The lines of a text buffer (latin1: one char per byte), each with its newline; null when git's output could differ (see the file's comment). */
function textLines(bytes: Buffer): string[] | null {
  if (bytes.length === 0 || bytes.length > MAX_FILE_BYTES || bytes[bytes.length - 1] !== 0x0a || bytes.includes(0)) return null;
  const text = bytes.toString('latin1');
  const lines: string[] = [];
  let start = 0;
  for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
    lines.push(text.slice(start, end + 1));
    start = end + 1;
  }
  return lines;
}

function counts(lines: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of lines) map.set(line, (map.get(line) ?? 0) + 1);
  return map;
}

/** Which lines of `a` and `b` xdiff marks changed, when that is certain (see the file's comment); null otherwise. */
function changedLines(a: readonly string[], b: readonly string[]): { inA: boolean[]; inB: boolean[] } | null {
  const shorter = Math.min(a.length, b.length);
  let prefix = 0;
  while (prefix < shorter && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const middleA = a.slice(prefix, a.length - suffix);
  const middleB = b.slice(prefix, b.length - suffix);
  const countsA = counts(a);
  const countsB = counts(b);
  const limitA = Math.min(bogosqrt(a.length), 1024);
  const limitB = Math.min(bogosqrt(b.length), 1024);
  if (middleA.some((line) => (countsB.get(line) ?? 0) >= limitA) || middleB.some((line) => (countsA.get(line) ?? 0) >= limitB)) return null;
  const inMiddleA = new Set(middleA);
  const inMiddleB = new Set(middleB);
  const matchA = middleA.flatMap((line, i) => (inMiddleB.has(line) ? [i] : []));
  const matchB = middleB.flatMap((line, i) => (inMiddleA.has(line) ? [i] : []));
  if (matchA.length !== matchB.length || matchA.some((i, k) => middleA[i] !== middleB[matchB[k]!])) return null;
  if (middleA.length + middleB.length - 2 * matchA.length > MAX_EDIT_COST) return null;
  const inA = a.map(() => false);
  const inB = b.map(() => false);
  const keptA = new Set(matchA);
  const keptB = new Set(matchB);
  middleA.forEach((_, i) => (inA[prefix + i] = !keptA.has(i)));
  middleB.forEach((_, i) => (inB[prefix + i] = !keptB.has(i)));
  return canSlide(a, inA) || canSlide(b, inB) ? null : { inA, inB };
}

/** True when some group of changed lines could slide up or down (`group_slide_up`, `group_slide_down`). */
function canSlide(lines: readonly string[], changed: readonly boolean[]): boolean {
  for (let start = 0; start < lines.length; start++) {
    if (!changed[start]) continue;
    let end = start;
    while (end < lines.length && changed[end]) end++;
    if (start > 0 && lines[start - 1] === lines[end - 1]) return true;
    if (end < lines.length && lines[end] === lines[start]) return true;
    start = end;
  }
  return false;
}

/** The edit script as `xdl_build_script` gives it: each run of changed lines between two unchanged pairs. */
function atomsOf(inA: readonly boolean[], inB: readonly boolean[]): Atom[] | null {
  const atoms: Atom[] = [];
  let i = 0;
  let j = 0;
  while (i < inA.length || j < inB.length) {
    if (i < inA.length && j < inB.length && !inA[i] && !inB[j]) {
      i++;
      j++;
      continue;
    }
    const atom = { i1: i, chg1: 0, i2: j, chg2: 0 };
    while (i < inA.length && inA[i]) i++;
    while (j < inB.length && inB[j]) j++;
    atom.chg1 = i - atom.i1;
    atom.chg2 = j - atom.i2;
    if (atom.chg1 + atom.chg2 === 0 || (i < inA.length) !== (j < inB.length)) return null;
    atoms.push(atom);
  }
  return atoms;
}

/**
 * `def_ff`: a line starting with a letter, `_` or `$` names a function (80 bytes at most,
 * trailing blanks removed). A name with a byte over 0x7f throws: git may cut such a
 * header at a broken UTF-8 sequence (`sane_truncate_line`), so that case is left to git.
 */
function functionName(line: string): string | null {
  if (!/^[A-Za-z_$]/.test(line)) return null;
  const name = line.slice(0, 80).replace(/[ \t\n\r]+$/, '');
  if (/[^\x00-\x7f]/.test(name)) throw new NotCertain();
  return name;
}

/** Thrown where git's output is not certain. */
class NotCertain extends Error {}

/** `xdl_format_hunk_hdr`: a start of 0 lines is printed one lower, a count of 1 left out, the name cut to the 128-byte buffer. */
function hunkHeader(s1: number, c1: number, s2: number, c2: number, func: string): string {
  const range = (start: number, count: number) => `${count ? start : start - 1}${count !== 1 ? `,${count}` : ''}`;
  const head = `@@ -${range(s1, c1)} +${range(s2, c2)} @@`;
  return func.length > 0 ? `${head} ${func.slice(0, 128 - (head.length + 1) - 1)}\n` : `${head}\n`;
}

/** The hunks of `atoms` (`xdl_get_hunk`, `xdl_emit_diff`), as latin1 text. */
function hunks(a: readonly string[], b: readonly string[], atoms: readonly Atom[]): string {
  let out = '';
  let func = '';
  let previous = -1;
  for (let first = 0; first < atoms.length; ) {
    let last = first;
    while (last + 1 < atoms.length && atoms[last + 1]!.i1 - (atoms[last]!.i1 + atoms[last]!.chg1) <= 2 * CONTEXT) last++;
    const start = atoms[first]!;
    const end = atoms[last]!;
    const s1 = Math.max(start.i1 - CONTEXT, 0);
    const s2 = Math.max(start.i2 - CONTEXT, 0);
    const after = Math.min(CONTEXT, a.length - (end.i1 + end.chg1), b.length - (end.i2 + end.chg2));
    const e1 = end.i1 + end.chg1 + after;
    const e2 = end.i2 + end.chg2 + after;
    for (let l = s1 - 1; l !== previous && l >= 0; l--) {
      const name = functionName(a[l]!);
      if (name !== null) {
        func = name;
        break;
      }
    }
    previous = s1 - 1;
    out += hunkHeader(s1 + 1, e1 - s1, s2 + 1, e2 - s2, func);
    for (let l = s2; l < start.i2; l++) out += ` ${b[l]}`;
    let j = start.i2;
    for (let k = first; k <= last; k++) {
      const atom = atoms[k]!;
      for (; j < atom.i2; j++) out += ` ${b[j]}`;
      for (let l = atom.i1; l < atom.i1 + atom.chg1; l++) out += `-${a[l]}`;
      for (let l = atom.i2; l < atom.i2 + atom.chg2; l++) out += `+${b[l]}`;
      j = atom.i2 + atom.chg2;
    }
    for (; j < e2; j++) out += ` ${b[j]}`;
    first = last + 1;
  }
  return out;
}

/** True when git prints `path` in a patch as it is (no C-style quoting, no tab after a name with a space). */
export function isPlainDiffPath(path: string): boolean {
  return /^[\x21-\x7e]+$/.test(path) && !/["\\]/.test(path);
}

/**
 * The patch git prints for `path` modified from `oldBytes` to `newBytes` (same `mode`;
 * `oldId` and `newId` as the `index` line shows them: abbreviated, `abbreviated-ids.ts`),
 * as a latin1 string (one char per byte); null when it is not certain to be git's (see
 * the file's comment).
 *
 * @example
 * unifiedDiffOfFile('config.json', '100644', '54dda6c', '671eff0', Buffer.from('{\n"lr": 1\n}\n'), Buffer.from('{\n"lr": 2\n}\n'));
 * // 'diff --git a/config.json b/config.json\nindex 54dda6c..671eff0 100644\n--- a/config.json\n+++ b/config.json\n@@ -1,3 +1,3 @@\n {\n-"lr": 1\n+"lr": 2\n }\n'
 */
export function unifiedDiffOfFile(path: string, mode: string, oldId: string, newId: string, oldBytes: Buffer, newBytes: Buffer): string | null {
  if (!isPlainDiffPath(path)) return null;
  const a = textLines(oldBytes);
  const b = textLines(newBytes);
  if (a === null || b === null) return null;
  const changed = changedLines(a, b);
  const atoms = changed === null ? null : atomsOf(changed.inA, changed.inB);
  if (atoms === null || atoms.length === 0) return null;
  const header = `diff --git a/${path} b/${path}\nindex ${oldId}..${newId} ${mode}\n--- a/${path}\n+++ b/${path}\n`;
  try {
    return header + hunks(a, b, atoms);
  } catch (error) {
    if (error instanceof NotCertain) return null;
    throw error;
  }
}
