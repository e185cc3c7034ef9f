/**
 * A study's files outside the store: its folder `.autolab/studies/<name>` (setup output,
 * held-out data, trial logs and artifacts) and its trial refs in the private repo. A new
 * study never reuses another's: `--fresh` moves the old study's folder and refs to its
 * archived name (so setup runs again and trial 0 gets a folder of its own), and a study
 * created where an older one left its folder (a deleted store) moves that folder aside.
 */
import { existsSync } from 'node:fs';
import { readdir, rename } from 'node:fs/promises';
import { studyPaths, workspaceLayout } from '../layout/autolab-layout.ts';
import { git } from '../workspace/git.ts';

/**
 * Moves study `from`'s folder and trial refs to the names of study `to` (its archived
 * name). Nothing to move is not an error.
 *
 * @example
 * await moveStudyFiles('/proj', 'golf', 'golf@2026-05-01T10-00-00-000Z');
 */
export async function moveStudyFiles(root: string, from: string, to: string): Promise<void> {
  const source = studyPaths(root, from).study;
  const target = studyPaths(root, to).study;
  if (existsSync(source) && !existsSync(target)) await rename(source, target);
  const { gitDir, trialRefPrefix } = workspaceLayout(root, from);
  if (!existsSync(gitDir)) return;
  const toPrefix = workspaceLayout(root, to).trialRefPrefix;
  const listing = await git(['for-each-ref', '--format=%(refname) %(objectname)', trialRefPrefix], { gitDir });
  const moves = listing
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(' ') as [string, string])
    .flatMap(([ref, oid]) => [`create ${toPrefix}${ref.slice(trialRefPrefix.length)} ${oid}`, `delete ${ref} ${oid}`]);
  if (moves.length > 0) await git(['update-ref', '--stdin'], { gitDir, input: `${moves.join('\n')}\n` });
}

/**
 * When study `name` is created and its folder already holds files (left by a study of
 * that name in a store that is gone), moves the folder to `<name>@orphaned-<time>` and
 * returns that name; null when there was nothing to move. Old trial folders are never
 * written over.
 */
export async function setAsideOrphanedFolder(root: string, name: string, now = new Date()): Promise<string | null> {
  const folder = studyPaths(root, name).study;
  const entries = await readdir(folder).catch(() => [] as string[]);
  if (entries.length === 0) return null;
  const aside = `${name}@orphaned-${now.toISOString().replace(/[:.]/g, '-')}`;
  await rename(folder, studyPaths(root, aside).study);
  return aside;
}
