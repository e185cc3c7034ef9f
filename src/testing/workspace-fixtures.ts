/**
 * Real git repositories in temp folders for the workspace tests (not a test file).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git } from '../workspace/git.ts';

export async function makeTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'autolab-ws-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeFiles(folder: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), content);
  }
}

/** The files of the example recipe: text, a binary, an executable script, a symlink. */
export const RECIPE_FILES: Record<string, string | Buffer> = {
  'train.py': 'lr = 0.1\nepochs = 3\nprint("training")\n',
  'config.json': '{ "batch": 32 }\n',
  'eval/score.py': 'print(\'{"loss": 1.0}\')\n',
  'data/weights.bin': Buffer.from([0, 1, 2, 3, 255, 254, 0, 7]),
  'run.sh': '#!/bin/sh\npython train.py\n',
};

async function addRecipeExtras(recipe: string): Promise<void> {
  await chmod(join(recipe, 'run.sh'), 0o755);
  await symlink('train.py', join(recipe, 'main.py'));
}

/**
 * A user repository `<dir>/user` with the recipe in the subfolder `recipe/` (and a file
 * outside it), committed once on branch `main`.
 */
export async function makeUserRepo(dir: string): Promise<{ top: string; recipe: string; head: string }> {
  const top = join(dir, 'user');
  const recipe = join(top, 'recipe');
  await mkdir(recipe, { recursive: true });
  await git(['init', '--quiet', '--initial-branch=main'], { cwd: top });
  await writeFiles(recipe, RECIPE_FILES);
  await addRecipeExtras(recipe);
  await writeFiles(top, { 'README.md': '# project\n' });
  await git(['add', '-A'], { cwd: top });
  await git(['commit', '--quiet', '-m', 'initial'], { cwd: top });
  const head = (await git(['rev-parse', 'HEAD'], { cwd: top })).trim();
  return { top, recipe, head };
}

/** A plain folder (no git) holding the recipe files. */
export async function makePlainRecipe(dir: string): Promise<string> {
  const recipe = join(dir, 'plain');
  await mkdir(recipe, { recursive: true });
  await writeFiles(recipe, RECIPE_FILES);
  await addRecipeExtras(recipe);
  return recipe;
}

/** Everything about the user's repository that autolab must never change. */
export async function userRepoState(top: string): Promise<Record<string, string>> {
  const index = join(top, '.git', 'index');
  return {
    status: await git(['status', '--porcelain', '--untracked-files=all'], { cwd: top }),
    head: await git(['rev-parse', 'HEAD'], { cwd: top }),
    symbolicHead: await git(['symbolic-ref', 'HEAD'], { cwd: top }),
    refs: await git(['for-each-ref', '--format=%(refname) %(objectname)'], { cwd: top }),
    index: existsSync(index) ? createHash('sha256').update(await readFile(index)).digest('hex') : 'none',
  };
}
