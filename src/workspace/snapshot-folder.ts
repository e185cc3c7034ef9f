/**
 * Importing the baseline from a plain folder (not in git): a snapshot of its files,
 * symlinks kept as links, executable bits kept, `.git`, `node_modules` and `.autolab`
 * folders left out. The folder itself is only read.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AutolabWarning } from '../core/errors.ts';
import { git } from './git.ts';

/** Folder names never snapshotted, at any depth. */
export const SNAPSHOT_SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['.git', '.autolab', 'node_modules']);

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
  let bytes = 0;
  const walk = async (relative: string): Promise<void> => {
    const entries: Dirent[] = await readdir(relative === '' ? folder : join(folder, relative), { withFileTypes: true });
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SNAPSHOT_SKIPPED_FOLDERS.has(entry.name)) await walk(path);
      } else if (entry.isSymbolicLink()) {
        paths.push(path);
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
