/**
 * File operations of an agent inside one scratch worktree: list, read (line ranges),
 * grep, exact search/replace and new files. Every result is text meant for the model;
 * a problem (missing text, ambiguous match, a path outside the surface) comes back as
 * a `ToolFailure` whose message says what to do instead. Nothing here follows a
 * symlink out of the worktree.
 */
import { Worker } from 'node:worker_threads';
import { lstat, mkdir, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { matchesAny } from '../../core/glob.ts';
import { normaliseRecipePath, type EditPolicy } from '../shared/edit-policy.ts';

/** A problem to send back to the model as the tool's error result. */
export class ToolFailure extends Error {
  override readonly name = 'ToolFailure';
}

const MAX_LIST_ENTRIES = 400;
const MAX_READ_LINES = 400;
const MAX_READ_CHARS = 40_000;
const MAX_GREP_RESULTS = 100;
const MAX_GREP_FILE_BYTES = 1_000_000;
const GREP_REGEX_TIME_LIMIT_MS = 1_000;

const MATCH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const re = new RegExp(workerData.pattern);
parentPort.postMessage(workerData.files.map((lines) => lines.flatMap((line, index) => (re.test(line) ? [index] : []))));
`;

/** Indices of matching lines per file, computed in a worker thread killed after `limitMs`. */
function matchInWorker(pattern: string, files: string[][], limitMs: number): Promise<number[][]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(MATCH_WORKER, { eval: true, workerData: { pattern, files } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new ToolFailure(`the regular expression took longer than ${limitMs / 1000} s (it backtracks too much); simplify it, or search for a literal string`));
    }, limitMs);
    worker.once('message', (result: number[][]) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(new ToolFailure(`the regular expression failed: ${error.message}`));
    });
  });
}

/** The recipe files of a worktree, sorted, relative, without git's own files. */
export async function walkFiles(root: string, under = ''): Promise<string[]> {
  const out: string[] = [];
  const visit = async (relativeDir: string): Promise<void> => {
    const entries = await readdir(join(root, relativeDir), { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === '.git') continue;
      const path = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) await visit(path);
      else out.push(path);
    }
  };
  await visit(under);
  return out;
}

/** The recipe files under `path` with their sizes, each marked editable or read-only. */
export async function listFiles(root: string, policy: EditPolicy, path = ''): Promise<string> {
  const where = resolveInside(path);
  const target = join(root, where);
  const info = await stat(target).catch(() => null);
  if (!info) throw new ToolFailure(`${where || '.'} does not exist; call list_files without a path to see the recipe`);
  const files = info.isDirectory() ? await walkFiles(root, where) : [where];
  const lines: string[] = [];
  for (const file of files.slice(0, MAX_LIST_ENTRIES)) {
    const size = await lstat(join(root, file)).then((s) => s.size, () => 0);
    lines.push(`${file}  (${size} bytes${policy.check(file).ok ? ', editable' : ''})`);
  }
  if (files.length > MAX_LIST_ENTRIES) lines.push(`… ${files.length - MAX_LIST_ENTRIES} more; list a subfolder to see them`);
  return lines.length > 0 ? lines.join('\n') : '(no files)';
}

function resolveInside(raw: string): string {
  const normalised = normaliseRecipePath(raw);
  if (!normalised.ok) throw new ToolFailure(normalised.reason);
  return normalised.path;
}

/** The real path of `path` inside `root`; refuses anything a symlink leads out of the worktree. */
async function realInside(root: string, path: string): Promise<string> {
  const realRoot = await realpath(root);
  const real = await realpath(join(root, path)).catch(() => null);
  if (real === null) throw new ToolFailure(`${path} does not exist; list_files shows the recipe's files`);
  if (real !== realRoot && !real.startsWith(realRoot + sep)) throw new ToolFailure(`${path} leads outside the recipe (a symlink); it cannot be read or written`);
  return real;
}

/** Lines `startLine..endLine` (1-based, inclusive) of a file, numbered. */
export async function readLines(root: string, rawPath: string, startLine?: number, endLine?: number): Promise<string> {
  const path = resolveInside(rawPath);
  const real = await realInside(root, path);
  const info = await stat(real);
  if (info.isDirectory()) throw new ToolFailure(`${path} is a folder; call list_files with path '${path}'`);
  const text = await readFile(real, 'utf8');
  if (text.includes('\u0000')) throw new ToolFailure(`${path} is a binary file (${info.size} bytes)`);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const first = Math.max(1, startLine ?? 1);
  if (first > Math.max(lines.length, 1)) throw new ToolFailure(`${path} has ${lines.length} lines; start_line ${first} is past the end`);
  let last = Math.min(lines.length, endLine ?? first + MAX_READ_LINES - 1, first + MAX_READ_LINES - 1);
  const out: string[] = [];
  let chars = 0;
  for (let line = first; line <= last; line++) {
    const text = `${line}: ${lines[line - 1]}`;
    if (chars + text.length > MAX_READ_CHARS) {
      last = line - 1;
      break;
    }
    chars += text.length + 1;
    out.push(text);
  }
  const header = `${path}: lines ${first}-${last} of ${lines.length}`;
  const more = last < lines.length ? `\n… ${lines.length - last} more lines; read from start_line ${last + 1}` : '';
  return `${header}\n${out.join('\n')}${more}`;
}

/** Lines matching `pattern` (a literal, or a regular expression with `regex`), as `path:line: text`. */
export async function grepFiles(root: string, pattern: string, options: { path?: string; regex?: boolean; glob?: string } = {}): Promise<string> {
  if (pattern === '') throw new ToolFailure('give a non-empty pattern');
  if (options.regex) {
    try {
      new RegExp(pattern);
    } catch (error) {
      throw new ToolFailure(`invalid regular expression: ${(error as Error).message}`);
    }
  }
  const under = resolveInside(options.path ?? '');
  const files = await walkFiles(root, under);
  const candidates: Array<{ file: string; lines: string[] }> = [];
  for (const file of files) {
    if (options.glob && !matchesAny(file, [options.glob]) && !matchesAny(file.split('/').at(-1)!, [options.glob])) continue;
    const full = join(root, file);
    const info = await lstat(full).catch(() => null);
    if (!info?.isFile() || info.size > MAX_GREP_FILE_BYTES) continue;
    const text = await readFile(full, 'utf8');
    if (text.includes('\u0000')) continue;
    candidates.push({ file, lines: text.split('\n') });
  }
  // A model's regular expression runs in a worker thread under a time limit: catastrophic
  // backtracking must never freeze the driver (its heartbeats, the budgets of running trials).
  const matched = options.regex
    ? await matchInWorker(pattern, candidates.map((candidate) => candidate.lines), GREP_REGEX_TIME_LIMIT_MS)
    : candidates.map((candidate) => candidate.lines.flatMap((line, index) => (line.includes(pattern) ? [index] : [])));
  const hits: string[] = [];
  let total = 0;
  candidates.forEach((candidate, at) => {
    for (const index of matched[at]!) {
      total++;
      if (hits.length < MAX_GREP_RESULTS) hits.push(`${candidate.file}:${index + 1}: ${candidate.lines[index]!.slice(0, 300)}`);
    }
  });
  if (total === 0) return `no match for ${JSON.stringify(pattern)}${under ? ` under ${under}` : ''}`;
  return hits.join('\n') + (total > hits.length ? `\n… ${total - hits.length} more matches; narrow the pattern or the path` : '');
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

/**
 * Replaces `oldText` by `newText` in a file: exactly one occurrence must exist (or
 * `replaceAll`). Refused outside the surface, for protected paths, missing text and
 * ambiguous matches, each with the reason.
 */
export async function editFile(root: string, policy: EditPolicy, rawPath: string, oldText: string, newText: string, replaceAll = false): Promise<string> {
  const verdict = policy.check(rawPath);
  if (!verdict.ok) throw new ToolFailure(`refused: ${verdict.reason}`);
  const path = verdict.path;
  const real = await realInside(root, path);
  if ((await lstat(join(root, path))).isSymbolicLink()) throw new ToolFailure(`refused: ${path} is a symlink; edit the file it points to`);
  if (oldText === '') throw new ToolFailure('old_text is empty; to create a file use write_file, to insert text include a neighbouring line in old_text');
  const text = await readFile(real, 'utf8');
  const occurrences: number[] = [];
  for (let at = text.indexOf(oldText); at !== -1; at = text.indexOf(oldText, at + 1)) occurrences.push(at);
  if (occurrences.length === 0) {
    const firstLine = oldText.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
    const near = firstLine ? text.split('\n').findIndex((line) => line.includes(firstLine)) : -1;
    const hint = near >= 0 ? ` Its first line occurs at line ${near + 1}; read_file around it and copy the text exactly (whitespace included).` : ' read_file first and copy the text exactly, whitespace included.';
    throw new ToolFailure(`old_text was not found in ${path}.${hint}`);
  }
  if (occurrences.length > 1 && !replaceAll) {
    const lines = occurrences.slice(0, 10).map((at) => lineOf(text, at));
    throw new ToolFailure(`old_text occurs ${occurrences.length} times in ${path} (lines ${lines.join(', ')}); include more surrounding lines so it matches once, or set replace_all`);
  }
  const updated = replaceAll ? text.split(oldText).join(newText) : text.slice(0, occurrences[0]) + newText + text.slice(occurrences[0]! + oldText.length);
  if (updated === text) throw new ToolFailure('new_text is the same as old_text; nothing changed');
  await writeFile(real, updated);
  const count = replaceAll ? occurrences.length : 1;
  return `edited ${path}: replaced ${count} occurrence${count === 1 ? '' : 's'} at line ${lineOf(text, occurrences[0]!)}`;
}

/** Writes a new file (or, with `overwrite`, replaces an existing one) inside the surface. */
export async function writeNewFile(root: string, policy: EditPolicy, rawPath: string, content: string, overwrite = false): Promise<string> {
  const verdict = policy.check(rawPath);
  if (!verdict.ok) throw new ToolFailure(`refused: ${verdict.reason}`);
  const path = verdict.path;
  const full = join(root, path);
  const existing = await lstat(full).catch(() => null);
  if (existing?.isDirectory()) throw new ToolFailure(`${path} is a folder`);
  if (existing?.isSymbolicLink()) throw new ToolFailure(`refused: ${path} is a symlink`);
  if (existing && !overwrite) throw new ToolFailure(`${path} already exists; change it with edit_file, or pass overwrite: true to replace it whole`);
  const realRoot = await realpath(root);
  let parent = dirname(full);
  while (!(await lstat(parent).catch(() => null))) parent = dirname(parent);
  const realParent = await realpath(parent);
  if (realParent !== realRoot && !realParent.startsWith(realRoot + sep)) throw new ToolFailure(`refused: ${path} leads outside the recipe (a symlinked folder)`);
  await mkdir(dirname(full), { recursive: true });
  await writeFile(full, content);
  return `${existing ? 'replaced' : 'created'} ${relative(root, full).split(sep).join('/')} (${Buffer.byteLength(content)} bytes)`;
}
