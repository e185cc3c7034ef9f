/**
 * Writing a `files` edit (whole-file contents by path) into a trial's worktree, refusing
 * any path that could land outside it or inside git's own files.
 */
import { lstatSync, mkdirSync, rmSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { writeFile } from 'node:fs/promises';

/** Contents up to this size are written synchronously (cheaper than the thread pool's trips); larger ones asynchronously. */
const SMALL_CONTENT_CHARS = 256 * 1024;

/** `lstat` without throwing (null for anything that cannot be looked at). */
function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}
import { dirname, join, posix } from 'node:path';

/** Why a recipe-relative path is unacceptable, or null when it is fine. */
export function unsafePathReason(path: string): string | null {
  if (path === '') return 'empty path';
  if (path.includes('\0')) return 'path contains a NUL byte';
  if (path.includes('\\')) return 'path contains a backslash (use POSIX `/` separators)';
  if (path.startsWith('/')) return 'absolute path';
  const segments = path.split('/');
  if (segments.includes('..')) return 'path escapes the recipe with `..`';
  if (segments.some((segment) => segment.toLowerCase() === '.git')) return 'path inside `.git`';
  const normal = posix.normalize(path);
  if (normal === '.' || normal.endsWith('/')) return 'path names a folder, not a file';
  return null;
}

/**
 * Applies the edit to `worktree`; resolves with the recipe-relative paths it touched, or
 * with an error (nothing is written when a path is unsafe; a write that fails half-way
 * leaves the worktree partly edited, to be discarded).
 */
export async function writeFilesEdit(
  worktree: string,
  files: Record<string, string | null>,
): Promise<{ paths: string[] } | { error: string }> {
  const entries: Array<{ raw: string; path: string; content: string | null }> = [];
  for (const [raw, content] of Object.entries(files)) {
    const reason = unsafePathReason(raw);
    if (reason) return { error: `refusing to write '${raw}': ${reason}` };
    entries.push({ raw, path: posix.normalize(raw), content });
  }
  for (const { raw, path } of entries) {
    const linked = symlinkedAncestor(worktree, path);
    if (linked) return { error: `refusing to write '${raw}': '${linked}' is a symbolic link` };
  }
  try {
    for (const { path, content } of entries) {
      const target = join(worktree, path);
      if (content === null) {
        rmSync(target, { force: true });
        continue;
      }
      const existing = lstatOrNull(target);
      if (existing?.isDirectory()) return { error: `cannot write '${path}': it is a folder in the recipe` };
      // Never write through a symlink: replace the link itself.
      if (existing?.isSymbolicLink()) unlinkSync(target);
      mkdirSync(dirname(target), { recursive: true });
      if (content.length <= SMALL_CONTENT_CHARS) writeFileSync(target, content);
      else await writeFile(target, content);
    }
  } catch (error) {
    return { error: `cannot apply the files edit: ${(error as Error).message}` };
  }
  const paths = entries.map((entry) => entry.path);
  return { paths };
}

/** The first ancestor folder of `path` inside `worktree` that is a symlink, if any. */
function symlinkedAncestor(worktree: string, path: string): string | null {
  const segments = path.split('/').slice(0, -1);
  let current = '';
  for (const segment of segments) {
    current = current === '' ? segment : `${current}/${segment}`;
    const stats = lstatOrNull(join(worktree, current));
    if (!stats) return null;
    if (stats.isSymbolicLink()) return current;
  }
  return null;
}
