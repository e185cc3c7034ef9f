/**
 * A small parser and printer for the unified diffs git prints (`git diff --binary`,
 * `git diff-tree -p`): files, their header lines, hunks with their line counts, and
 * binary sections kept verbatim. `formatUnifiedDiff(parseUnifiedDiff(text)) === text`
 * for every diff git prints; the hunk arithmetic that re-assembles subsets and
 * reversals lives in `hunk-units.ts`.
 */
import { AutolabError } from '../../core/errors.ts';

/** One `@@ -a,b +c,d @@` hunk. Start/count follow the unified-diff convention (a count of 0 names the line before). */
export interface Hunk {
  /** The header line as it was printed. */
  header: string;
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** Text after the closing `@@` (git's function context), verbatim. */
  section: string;
  /** Body lines with their first character: ' ' context, '-' removed, '+' added, '\\' no-newline marker. */
  lines: string[];
}

/** What a file patch does to its file. */
export type FileChange = 'modify' | 'add' | 'delete';

/** The part of a diff about one file. */
export interface FilePatch {
  /** `diff --git`, mode, index, `---` and `+++` lines, verbatim. */
  headerLines: string[];
  hunks: Hunk[];
  /** The `GIT binary patch` section (or the `Binary files … differ` line), verbatim; null for text. */
  binaryLines: string[] | null;
  /** Lines after the last hunk that belong to no hunk (e.g. a mail signature), verbatim. */
  trailerLines: string[];
  /** Path before (null: the file is new) and after (null: the file is deleted). */
  oldPath: string | null;
  newPath: string | null;
  /** The path the change is about: the new path, or the old one for a deletion. */
  path: string;
  change: FileChange;
  /** True when the file mode changes (`old mode` / `new mode`). */
  modeChange: boolean;
}

/** A parsed diff: lines before the first file, the files, and whether the text ended with a newline. */
export interface ParsedDiff {
  preambleLines: string[];
  files: FilePatch[];
  endsWithNewline: boolean;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

/**
 * Parses a unified diff. Throws an `AutolabError` ('PatchError') naming the line when a
 * hunk's body does not match its header's line counts.
 *
 * @example
 * const parsed = parseUnifiedDiff(await workspace.diffBetween(0, incumbent.id));
 * parsed.files.map((file) => `${file.path}: ${file.hunks.length} hunk(s)`);
 */
export function parseUnifiedDiff(text: string): ParsedDiff {
  const lines = text.split('\n');
  const endsWithNewline = lines.length > 0 && lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  const preambleLines: string[] = [];
  const files: FilePatch[] = [];
  let i = 0;
  const startsFile = (at: number): boolean => {
    const line = lines[at]!;
    return line.startsWith('diff --git ') || (line.startsWith('--- ') && (lines[at + 1] ?? '').startsWith('+++ ') && HUNK_HEADER.test(lines[at + 2] ?? ''));
  };
  while (i < lines.length && !startsFile(i)) preambleLines.push(lines[i++]!);
  while (i < lines.length) {
    const headerLines: string[] = [lines[i++]!];
    const gitStyle = headerLines[0]!.startsWith('diff --git ');
    while (i < lines.length && !lines[i]!.startsWith('@@ ') && !lines[i]!.startsWith('GIT binary patch') && !lines[i]!.startsWith('Binary files ') && !(gitStyle && lines[i]!.startsWith('diff --git '))) {
      if (!gitStyle && headerLines.length >= 2) break;
      headerLines.push(lines[i++]!);
    }
    const hunks: Hunk[] = [];
    let binaryLines: string[] | null = null;
    if (i < lines.length && (lines[i]!.startsWith('GIT binary patch') || lines[i]!.startsWith('Binary files '))) {
      binaryLines = [lines[i++]!];
      if (binaryLines[0]!.startsWith('GIT binary patch')) {
        while (i < lines.length && !lines[i]!.startsWith('diff --git ')) binaryLines.push(lines[i++]!);
      }
    }
    while (i < lines.length && lines[i]!.startsWith('@@ ')) {
      const header = lines[i]!;
      const match = HUNK_HEADER.exec(header);
      if (!match) throw new AutolabError('PatchError', `line ${i + 1}: malformed hunk header '${header}'`);
      const hunk: Hunk = {
        header,
        oldStart: Number(match[1]),
        oldCount: match[2] === undefined ? 1 : Number(match[2]),
        newStart: Number(match[3]),
        newCount: match[4] === undefined ? 1 : Number(match[4]),
        section: match[5] ?? '',
        lines: [],
      };
      i++;
      let oldSeen = 0;
      let newSeen = 0;
      while (oldSeen < hunk.oldCount || newSeen < hunk.newCount) {
        const line = lines[i];
        if (line === undefined) throw new AutolabError('PatchError', `hunk '${header}' ends early: the diff ends after ${oldSeen} old and ${newSeen} new line(s)`);
        const kind = line[0] ?? ' ';
        if (kind === ' ') {
          oldSeen++;
          newSeen++;
        } else if (kind === '-') oldSeen++;
        else if (kind === '+') newSeen++;
        else if (kind !== '\\') throw new AutolabError('PatchError', `line ${i + 1}: '${line.slice(0, 40)}' is not a hunk line of '${header}' (counts ${hunk.oldCount}/${hunk.newCount})`);
        hunk.lines.push(line);
        i++;
      }
      while (i < lines.length && lines[i]!.startsWith('\\')) hunk.lines.push(lines[i++]!);
      hunks.push(hunk);
    }
    const trailerLines: string[] = [];
    while (i < lines.length && !startsFile(i)) trailerLines.push(lines[i++]!);
    files.push(describeFile(headerLines, hunks, binaryLines, trailerLines));
  }
  return { preambleLines, files, endsWithNewline };
}

/** Prints a parsed diff back as text (the exact input, for an unmodified parse). */
export function formatUnifiedDiff(parsed: ParsedDiff): string {
  const lines = [...parsed.preambleLines];
  for (const file of parsed.files) lines.push(...formatFileLines(file));
  if (lines.length === 0) return '';
  return lines.join('\n') + (parsed.endsWithNewline ? '\n' : '');
}

/** The lines of one file patch, in order. */
export function formatFileLines(file: FilePatch): string[] {
  const lines = [...file.headerLines];
  if (file.binaryLines) lines.push(...file.binaryLines);
  for (const hunk of file.hunks) lines.push(hunk.header, ...hunk.lines);
  lines.push(...file.trailerLines);
  return lines;
}

/** A hunk header line; a count of 1 is printed the way git prints it (omitted). */
export function formatHunkHeader(oldStart: number, oldCount: number, newStart: number, newCount: number, section: string): string {
  const range = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);
  return `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@${section}`;
}

function describeFile(headerLines: string[], hunks: Hunk[], binaryLines: string[] | null, trailerLines: string[]): FilePatch {
  let oldPath: string | null | undefined;
  let newPath: string | null | undefined;
  let change: FileChange = 'modify';
  let modeChange = false;
  for (const line of headerLines) {
    if (line.startsWith('--- ')) oldPath = pathOf(line.slice(4), 'a/');
    else if (line.startsWith('+++ ')) newPath = pathOf(line.slice(4), 'b/');
    else if (line.startsWith('new file mode ')) change = 'add';
    else if (line.startsWith('deleted file mode ')) change = 'delete';
    else if (line.startsWith('old mode ')) modeChange = true;
  }
  if (oldPath === undefined || newPath === undefined) {
    const fromGitLine = gitLinePaths(headerLines[0] ?? '');
    oldPath ??= change === 'add' ? null : fromGitLine.old;
    newPath ??= change === 'delete' ? null : fromGitLine.new;
  }
  if (oldPath === null && change === 'modify') change = 'add';
  if (newPath === null && change === 'modify') change = 'delete';
  const path = newPath ?? oldPath ?? '';
  return { headerLines, hunks, binaryLines, trailerLines, oldPath, newPath, path, change, modeChange };
}

/** A path from a `---`/`+++` line: null for /dev/null, the `a/`/`b/` prefix removed, C quoting undone. */
function pathOf(raw: string, prefix: string): string | null {
  let text = raw.includes('\t') && !raw.startsWith('"') ? raw.slice(0, raw.indexOf('\t')) : raw;
  if (text === '/dev/null') return null;
  if (text.startsWith('"')) text = unquoteC(text);
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

/** Paths from `diff --git a/P b/P` (same path on both sides unless quoted). */
function gitLinePaths(line: string): { old: string | null; new: string | null } {
  const rest = line.slice('diff --git '.length);
  if (rest.startsWith('"')) {
    const end = closingQuote(rest);
    const first = unquoteC(rest.slice(0, end + 1));
    let second = rest.slice(end + 2);
    second = second.startsWith('"') ? unquoteC(second) : second;
    return { old: first.replace(/^a\//, ''), new: second.replace(/^b\//, '') };
  }
  // "a/P b/P": P is the same on both sides (no renames), so it is half of what remains.
  const half = (rest.length - 5) / 2;
  if (Number.isInteger(half) && rest.startsWith('a/') && rest.slice(half + 2, half + 5) === ' b/') {
    const path = rest.slice(2, half + 2);
    return { old: path, new: path };
  }
  const split = rest.indexOf(' b/');
  return { old: rest.slice(2, split < 0 ? undefined : split), new: split < 0 ? null : rest.slice(split + 3) };
}

function closingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}

/** Undoes git's C-style quoting of a path ("a/t\303\251st" -> a/tést). */
export function unquoteC(quoted: string): string {
  const body = quoted.slice(1, quoted.endsWith('"') ? -1 : undefined);
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, '"': 34 };
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== '\\') {
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
