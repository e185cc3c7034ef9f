/**
 * What a specialist knows beyond the recipe: `knowledge` files (notes, papers, known
 * techniques) pinned at the top of its context, and a `library` folder of technique
 * notes it lists and reads on demand.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ToolFailure } from './recipe-files.ts';

const MAX_KNOWLEDGE_FILE_CHARS = 20_000;
const MAX_KNOWLEDGE_CHARS = 60_000;
const MAX_LIBRARY_NOTE_CHARS = 30_000;

/**
 * The starter technique library shipped with autolab (`library: builtin`): concise notes
 * on well-established training techniques (mechanism, when it helps, how to test it
 * cheaply, the reference), written for this project and tuned to no benchmark.
 *
 * @example
 * await listLibrary(BUILTIN_LIBRARY); // 'README.md — About this library: ...\nbatch-size.md — Batch size, ...'
 */
export const BUILTIN_LIBRARY = fileURLToPath(new URL('./builtin-library', import.meta.url));

/** The knowledge files as one Markdown section; unreadable files are named, not fatal. */
export async function loadKnowledge(files: readonly string[]): Promise<{ text: string; problems: string[] }> {
  const parts: string[] = [];
  const problems: string[] = [];
  let total = 0;
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      problems.push(`knowledge file ${file} could not be read (${error.code ?? error.message})`);
      return null;
    });
    if (text === null) continue;
    let body = text.length > MAX_KNOWLEDGE_FILE_CHARS ? text.slice(0, MAX_KNOWLEDGE_FILE_CHARS) + '\n… (cut)' : text;
    if (total + body.length > MAX_KNOWLEDGE_CHARS) {
      body = body.slice(0, Math.max(0, MAX_KNOWLEDGE_CHARS - total)) + '\n… (cut: the knowledge section is full)';
    }
    total += body.length;
    parts.push(`### ${basename(file)}\n\n${body.trim()}`);
    if (total >= MAX_KNOWLEDGE_CHARS) break;
  }
  return { text: parts.join('\n\n'), problems };
}

async function notesIn(folder: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await visit(full);
      else if (entry.isFile()) out.push(relative(folder, full).split(sep).join('/'));
    }
  };
  await visit(folder);
  return out;
}

/** The notes of a library folder, each with its first line (a title). */
export async function listLibrary(folder: string): Promise<string> {
  const notes = await notesIn(folder).catch(() => null);
  if (notes === null) throw new ToolFailure(`the library folder ${folder} cannot be read`);
  if (notes.length === 0) return '(the library is empty)';
  const lines: string[] = [];
  for (const note of notes.slice(0, 200)) {
    const text = await readFile(join(folder, note), 'utf8').catch(() => '');
    const title = text.split('\n').find((line) => line.trim() !== '')?.replace(/^#+\s*/, '').trim() ?? '';
    lines.push(`${note}${title ? ` — ${title.slice(0, 120)}` : ''}`);
  }
  return lines.join('\n');
}

/** One library note, by the name `list_library` gave. */
export async function readLibraryNote(folder: string, name: string): Promise<string> {
  const realFolder = await realpath(folder).catch(() => null);
  if (realFolder === null) throw new ToolFailure(`the library folder ${folder} cannot be read`);
  const real = await realpath(join(realFolder, name)).catch(() => null);
  if (real === null || !(real.startsWith(realFolder + sep))) throw new ToolFailure(`no note named ${JSON.stringify(name)}; call list_library for the names`);
  if ((await stat(real)).isDirectory()) throw new ToolFailure(`${name} is a folder; call list_library for the note names`);
  const text = await readFile(real, 'utf8');
  return text.length > MAX_LIBRARY_NOTE_CHARS ? text.slice(0, MAX_LIBRARY_NOTE_CHARS) + '\n… (cut)' : text;
}
