/**
 * Importing the baseline from a plain folder (not in git): a snapshot of its files,
 * symlinks kept as links, executable bits kept, `.git`, `node_modules` and `.autolab`
 * folders left out, and `.env`-style files (secrets by convention: `.env`, `*.env`,
 * `.envrc`, `.netrc`, ...) left out with a warning, since every trial gets a copy of
 * the snapshot. The folder itself is only read.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AutolabWarning } from '../core/errors.ts';
import { git } from './git.ts';

/** Folder names never snapshotted, at any depth. */
export const SNAPSHOT_SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['.git', '.autolab', 'node_modules']);

/** Names of files that hold secrets by convention, never snapshotted (as the sandbox hides them, `sandbox-view.ts`). */
export const SECRET_FILE_NAME = /^(\.env(\..+)?|.+\.env|\.envrc|\.netrc|\.npmrc|\.pypirc|\.git-credentials|\.pgpass)$/i;

/** Above this many bytes the snapshot warns (it still proceeds). */
export const LARGE_SNAPSHOT_BYTES = 50 * 1024 * 1024;

export interface FolderSnapshot {
  tree: string;
  files: number;
  bytes: number;
  warnings: AutolabWarning[];
}

/** Writes the folder's files into the private repo and returns their tree. */
export async function snapshotFolder(folder: string, gitDir: string): Promise<FolderSnapshot> {
  const paths: string[] = [];
  const secrets: string[] = [];
  let bytes = 0;
  const walk = async (relative: string): Promise<void> => {
    const entries: Dirent[] = await readdir(relative === '' ? folder : join(folder, relative), { withFileTypes: true });
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SNAPSHOT_SKIPPED_FOLDERS.has(entry.name)) await walk(path);
      } else if (entry.isSymbolicLink()) {
        paths.push(path);
      } else if (entry.isFile() && SECRET_FILE_NAME.test(entry.name)) {
        secrets.push(path);
      } else if (entry.isFile() && entry.name !== '.git') {
        paths.push(path);
        bytes += (await lstat(join(folder, path))).size;
      }
    }
  };
  await walk('');
  const env = { GIT_INDEX_FILE: join(gitDir, `autolab-snapshot-index-${process.pid}-${Date.now()}`) };
  let tree: string;
  try {
    if (paths.length > 0) {
      await git(['update-index', '--add', '-z', '--stdin'], {
        gitDir,
        workTree: folder,
        cwd: folder,
        env,
        input: `${paths.join('\0')}\0`,
      });
    }
    tree = (await git(['write-tree'], { gitDir, env })).trim();
  } finally {
    await rm(env.GIT_INDEX_FILE, { force: true });
  }
  const warnings: AutolabWarning[] = [];
  if (secrets.length > 0) {
    warnings.push({ code: 'secrets_left_out', message: `left out of the baseline snapshot, as files that hold secrets by convention: ${secrets.slice(0, 5).join(', ')}${secrets.length > 5 ? ', ...' : ''} (trials never see them)` });
  }
  if (bytes > LARGE_SNAPSHOT_BYTES) {
    warnings.push({
      code: 'large_snapshot',
      message:
        `the recipe folder ${folder} holds ${(bytes / 1024 / 1024).toFixed(0)} MB of files, all copied into the private repo; ` +
        'keep data sets outside the recipe folder (or put the recipe in git and commit only code)',
    });
  }
  return { tree, files: paths.length, bytes, warnings };
}
