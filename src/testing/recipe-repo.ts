import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile, readFile, symlink, unlink, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_NOSYSTEM: '1' };

export function gitIn(dir: string, args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8' });
}

/** A copy of a fixture recipe in a fresh temp git repository (under `base`, default the temp folder), committed once. */
export async function makeRecipeRepo(fixture: string, base = tmpdir()): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(join(base, 'autolab-recipe-'));
  await cp(fixture, dir, { recursive: true });
  gitIn(dir, ['init', '-q', '-b', 'main']);
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['commit', '-q', '-m', 'recipe']);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export type FileChange = string | null | { symlink: string };

/**
 * Makes a patch against the repo's HEAD by editing its working copy, taking `git diff`,
 * and restoring the working copy.
 */
export async function makePatch(dir: string, changes: Record<string, FileChange>): Promise<string> {
  for (const [path, change] of Object.entries(changes)) {
    const file = join(dir, path);
    if (change === null) await unlink(file);
    else if (typeof change === 'string') {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, change);
    } else {
      await mkdir(dirname(file), { recursive: true });
      await symlink(change.symlink, file);
    }
  }
  gitIn(dir, ['add', '-A']);
  const patch = gitIn(dir, ['diff', '--cached', '--binary']);
  gitIn(dir, ['reset', '-q', '--hard', 'HEAD']);
  gitIn(dir, ['clean', '-qfd', '-e', '.autolab']);
  return patch;
}

export async function readText(dir: string, path: string): Promise<string> {
  return readFile(join(dir, path), 'utf8');
}

/**
 * Makes the fixture recipe's run (`train.js`) take at least `ms` more milliseconds and
 * commits it: a recipe whose trials are still running when a test acts on them.
 *
 * @example
 * const repo = await makeRecipeRepo(FIXTURE);
 * await slowDownRun(repo.dir, 2_000);
 */
export async function slowDownRun(dir: string, ms: number): Promise<void> {
  const train = await readFile(join(dir, 'train.js'), 'utf8');
  await writeFile(join(dir, 'train.js'), `${train}\nawait new Promise((resolve) => setTimeout(resolve, ${ms}));\n`);
  gitIn(dir, ['commit', '-qam', 'slow run']);
}
