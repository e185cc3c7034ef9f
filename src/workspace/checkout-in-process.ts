/**
 * A trial's worktree made without a git process: what `git worktree add --detach <path>
 * <commit>` leaves (git's record under `<gitDir>/worktrees/<name>`: `gitdir`,
 * `commondir`, `HEAD`, the index; the folder with its `.git` pointer and every file of
 * the commit's tree, modes and symlinks included), written in-process from the objects.
 * Always a fresh folder: nothing of an earlier trial can be in it. Whatever this cannot
 * do exactly (an attributes file, submodules, an unusual config, a name git would refuse,
 * a folder or record already there) is left to git by the caller.
 */
import { existsSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeWorktreeIndex } from './index-file.ts';
import { objectHashOf } from './loose-objects.ts';
import type { ObjectReader } from './object-reader.ts';
import { isAttributesPath, plainPlumbingRepo } from './plumbing-eligibility.ts';
import { flattenTree, type FlatTree } from './tree-objects.ts';

/** A path segment git would refuse to check out (`.git` in any case, `.`, `..`, empty). */
function refusedSegment(segment: string): boolean {
  return segment === '' || segment === '.' || segment === '..' || segment.toLowerCase() === '.git' || segment.includes('\\');
}

/** True when every file of `flat` can be checked out exactly in-process. */
function checkoutable(flat: FlatTree): boolean {
  for (const [path, file] of flat.files) {
    if (file.mode === '160000' || isAttributesPath(path)) return false;
    if (!['100644', '100755', '120000'].includes(file.mode)) return false;
    if (path.split('/').some(refusedSegment)) return false;
  }
  return true;
}

/**
 * Checks `commit` out at `path` as a new worktree of the private repo at `gitDir`;
 * false (nothing written) when git must do it instead (see the file's comment).
 *
 * @example
 * if (!(await checkoutInProcess(gitDir, path, commit, reader))) await addWorktree(gitDir, path, commit);
 */
export async function checkoutInProcess(gitDir: string, path: string, commit: string, reader: ObjectReader): Promise<boolean> {
  const hash = objectHashOf(commit);
  const name = basename(path);
  const adminDir = join(gitDir, 'worktrees', name);
  if (hash === null || existsSync(path) || existsSync(adminDir) || !(await plainPlumbingRepo(gitDir))) return false;
  const tree = await reader.treeOfCommit(commit);
  const flat = tree === null ? null : await flattenTree(reader, tree, hash);
  if (flat === null || !checkoutable(flat)) return false;
  // As git does: the record is locked while it is incomplete (`git worktree prune` spares it).
  // Its few small files are written with synchronous calls: no trip through the thread pool each.
  mkdirSync(join(gitDir, 'worktrees'), { recursive: true });
  mkdirSync(adminDir);
  try {
    writeFileSync(join(adminDir, 'locked'), 'initializing');
    mkdirSync(path);
    const realAdmin = realpathSync(adminDir);
    const realPath = realpathSync(path);
    writeFileSync(join(adminDir, 'gitdir'), `${join(realPath, '.git')}\n`);
    writeFileSync(join(adminDir, 'commondir'), '../..\n');
    writeFileSync(join(adminDir, 'HEAD'), `${commit}\n`);
    writeFileSync(join(path, '.git'), `gitdir: ${realAdmin}\n`);
    await writeFiles(path, flat, reader);
    await writeWorktreeIndex(adminDir, path, flat.files, hash);
    rmSync(join(adminDir, 'locked'));
  } catch (error) {
    await rm(path, { recursive: true, force: true });
    await rm(adminDir, { recursive: true, force: true });
    throw error;
  }
  return true;
}

/** Files up to this size are written with synchronous calls (cheaper than the thread pool's trips); larger ones asynchronously, so that other trials' output keeps draining. */
const SMALL_FILE_BYTES = 256 * 1024;

/** Every file of `flat` under `root`, 64 at a time (modes as git gives them: 0666/0777 less the umask; folders only where files are). */
async function writeFiles(root: string, flat: FlatTree, reader: ObjectReader): Promise<void> {
  const files = [...flat.files];
  const made = new Set<string>(['.']);
  for (let start = 0; start < files.length; start += 64) {
    await Promise.all(
      files.slice(start, start + 64).map(async ([path, file]) => {
        const blob = await reader.read(file.oid);
        if (blob?.type !== 'blob') throw new Error(`object ${file.oid} of ${path} is missing from the private repo`);
        const target = join(root, path);
        const mode = file.mode === '100755' ? 0o777 : 0o666;
        if (file.mode !== '120000' && blob.bytes.length > SMALL_FILE_BYTES) {
          if (dirname(path) !== '.') await mkdir(dirname(target), { recursive: true });
          return writeFile(target, blob.bytes, { mode, flag: 'wx' });
        }
        if (!made.has(dirname(path))) {
          mkdirSync(dirname(target), { recursive: true });
          made.add(dirname(path));
        }
        if (file.mode === '120000') symlinkSync(blob.bytes, target);
        else writeFileSync(target, blob.bytes, { mode, flag: 'wx' });
      }),
    );
  }
}
