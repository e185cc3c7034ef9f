/**
 * Why a patch does not apply, in words a person (or an agent) can act on. git's own
 * message ("error: train.py: patch does not apply", "corrupt patch at line 7") is kept
 * first, for the record; below it, the file and hunk that failed, the first line where
 * the hunk and the parent's file disagree, and what usually causes it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One hunk of a unified diff: where it claims to apply and the lines it expects there. */
export interface PatchHunk {
  file: string;
  /** 1-based index of the hunk within its file, and the file's hunk count. */
  index: number;
  of: number;
  header: string;
  oldStart: number;
  /** The parent's lines the hunk expects (context and removed lines), in order. */
  expected: string[];
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * The hunks of a unified diff (git or plain `diff -u` style), by the file they change
 * (the `a/` side: the file as it is in the parent).
 *
 * @example parsePatchHunks(patch).map((h) => `${h.file} ${h.header}`) // ['train.py @@ -10,3 +10,3 @@']
 */
export function parsePatchHunks(patch: string): PatchHunk[] {
  const hunks: PatchHunk[] = [];
  let file = '';
  let current: PatchHunk | null = null;
  for (const line of patch.split('\n')) {
    const header = HUNK_HEADER.exec(line);
    if (line.startsWith('diff --git ')) {
      current = null;
      const names = /^diff --git a\/(.+?) b\/(.+)$/.exec(line);
      if (names) file = names[1]!;
    } else if (line.startsWith('--- ') && current === null) {
      const name = line.slice(4).replace(/\t.*$/, '').trim();
      if (name !== '/dev/null') file = name.replace(/^a\//, '');
    } else if (line.startsWith('+++ ') && current === null) {
      const name = line.slice(4).replace(/\t.*$/, '').trim();
      if (file === '' && name !== '/dev/null') file = name.replace(/^b\//, '');
    } else if (header) {
      current = { file, index: 0, of: 0, header: header[0], oldStart: Number(header[1]), expected: [] };
      hunks.push(current);
    } else if (current !== null && (line.startsWith(' ') || line.startsWith('-') || line === '')) {
      current.expected.push(line.slice(1));
    }
  }
  const byFile = new Map<string, PatchHunk[]>();
  for (const hunk of hunks) byFile.set(hunk.file, [...(byFile.get(hunk.file) ?? []), hunk]);
  for (const fileHunks of byFile.values()) fileHunks.forEach((hunk, index) => Object.assign(hunk, { index: index + 1, of: fileHunks.length }));
  // The patch's final newline yields one empty "line" after the last hunk: not a context line.
  const last = hunks.at(-1);
  if (last !== undefined && patch.endsWith('\n') && last.expected.at(-1) === '') last.expected.pop();
  return hunks;
}

/** The first line where `expected` (starting at 1-based `start`) differs from the file's lines. */
export function firstMismatch(fileLines: readonly string[], expected: readonly string[], start: number): { line: number; expected: string; found: string | null } | null {
  for (let offset = 0; offset < expected.length; offset++) {
    const lineNumber = Math.max(start, 1) + offset;
    const found = fileLines[lineNumber - 1];
    const want = expected[offset]!;
    if (found === undefined) return { line: lineNumber, expected: want, found: null };
    if (found.replace(/\r$/, '') !== want.replace(/\r$/, '')) return { line: lineNumber, expected: want, found };
  }
  return null;
}

function quote(line: string): string {
  const flat = line.length > 120 ? `${line.slice(0, 117)}...` : line;
  return `\`${flat}\``;
}

/** The explanation of a hunk that did not match the parent's file at `worktree`. */
async function explainHunk(worktree: string, hunk: PatchHunk): Promise<string> {
  const where = `hunk ${hunk.index} of ${hunk.of} in ${hunk.file} (${hunk.header})`;
  const text = await readFile(join(worktree, hunk.file), 'utf8').catch(() => null);
  if (text === null) return `${where}: ${hunk.file} does not exist in the parent trial`;
  const lines = text.split('\n');
  const mismatch = firstMismatch(lines, hunk.expected, hunk.oldStart);
  if (mismatch === null) return `${where} does not apply to the parent's ${hunk.file}`;
  const found = mismatch.found === null ? `the file has only ${lines.length - (text.endsWith('\n') ? 1 : 0)} lines` : `the file has ${quote(mismatch.found)}`;
  const elsewhere = lines.findIndex((line) => line === mismatch.expected);
  const moved = elsewhere >= 0 && elsewhere + 1 !== mismatch.line ? ` (that text is at line ${elsewhere + 1})` : '';
  return `${where} does not match the parent's ${hunk.file}: at line ${mismatch.line} the patch expects ${quote(mismatch.expected)}, ${found}${moved}`;
}

/** The generic advice in a detail; the CLI replaces it with the exact command for the user's folder. */
export const PATCH_BASE_HINT = 'make the patch against the parent trial: `autolab checkout PARENT DIR`, edit in DIR, then `git -C DIR diff > my.patch`';

/**
 * git's message about a patch that did not apply, followed by autolab's explanation:
 * the file and hunk, the first mismatching line, or what is malformed and why.
 * `worktree` is the parent's checkout the patch was applied to.
 *
 * @example await describeApplyFailure(worktree, patch, 'error: patch failed: f.txt:5\nerror: f.txt: patch does not apply')
 * // 'error: patch failed: ...\nhunk 2 of 2 in f.txt (@@ -5,3 +5,3 @@) does not match the parent's f.txt: at line 6 the patch expects `X`, the file has `f`\n...'
 */
export async function describeApplyFailure(worktree: string, patch: string, gitStderr: string): Promise<string> {
  const said = gitStderr.trim();
  const lines: string[] = [];
  const failed = /patch failed: (.+):(\d+)$/m.exec(said);
  const corrupt = /(?:corrupt patch|patch fragment without header|patch with only garbage) at line (\d+)/.exec(said);
  const missing = /error: (.+): No such file or directory/.exec(said);
  const exists = /error: (.+): already exists in working directory/.exec(said);
  if (failed) {
    const [file, start] = [failed[1]!, Number(failed[2])];
    const hunks = parsePatchHunks(patch).filter((hunk) => hunk.file === file);
    const hunk = hunks.find((candidate) => candidate.oldStart === start) ?? hunks[0];
    lines.push(hunk ? await explainHunk(worktree, hunk) : `the patch of ${file} does not match the parent's ${file} near line ${start}`);
    lines.push(`the patch was made against other content than the parent trial's; ${PATCH_BASE_HINT}`);
  } else if (corrupt) {
    const number = Number(corrupt[1]);
    const bad = patch.split('\n')[number - 1];
    lines.push(`the patch is malformed at its line ${number}${bad === undefined ? '' : `: ${quote(bad)}`}`);
    lines.push('in a unified diff every line of a hunk starts with a space (context), - (removed) or + (added); a hand-edited patch, a wrapped long line, or an editor that stripped the trailing spaces of context lines breaks that. Make the patch with `git diff` rather than by hand');
  } else if (missing) {
    lines.push(`${missing[1]} does not exist in the parent trial; paths in the patch are relative to the recipe root (the folder of the task file's \`repo\`): make it with \`git diff\` there, or ${PATCH_BASE_HINT}`);
  } else if (exists) {
    lines.push(`the patch creates ${exists[1]}, but the parent trial already has that file; ${PATCH_BASE_HINT}`);
  } else if (/No valid patches in input/.test(said) || patch.trim() === '') {
    lines.push('the input is not a unified diff: no `diff --git` / `---` / `+++` / `@@` headers were found; make it with `git diff > my.patch` (or `diff -u`)');
  }
  return [said || 'git apply failed', ...lines.map((line) => `autolab: ${line}`)].join('\n');
}
