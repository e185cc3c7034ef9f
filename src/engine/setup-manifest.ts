/**
 * The study's setup output, verified on every open that runs or scores. The held-out
 * data and the training data are ignored files under `.autolab/`: a `git checkout` of a
 * branch that carried them, a stray script, or a trial without a sandbox could replace
 * them, and every later score would be judged against something else. When setup
 * succeeds, a manifest of the files it wrote (path, size, modification time) is kept
 * beside them; before the next trial runs, the files are compared with it.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AutolabError } from '../core/errors.ts';
import type { StudyPaths } from '../layout/autolab-layout.ts';

/** One file setup wrote: its size and modification time when setup finished. */
interface ManifestEntry {
  size: number;
  mtimeMs: number;
}

type Manifest = Record<string, ManifestEntry>;

/** Above this many files the manifest is not kept (the check would cost more than it protects). */
const MAX_FILES = 100_000;

/** `setup.manifest.json` in the study folder. */
export function manifestFile(paths: StudyPaths): string {
  return join(paths.study, 'setup.manifest.json');
}

/** The files under `data/` and `holdout/` (links recorded as such, never followed); null over `MAX_FILES`. */
async function listSetupOutput(paths: StudyPaths): Promise<Manifest | null> {
  const manifest: Manifest = {};
  let count = 0;
  const walk = async (dir: string, prefix: string): Promise<boolean> => {
    const entries: Dirent[] = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const key = `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!(await walk(path, key))) return false;
        continue;
      }
      if (++count > MAX_FILES) return false;
      const stats = await lstat(path);
      manifest[entry.isSymbolicLink() ? `${key} -> link` : key] = { size: stats.size, mtimeMs: Math.round(stats.mtimeMs) };
    }
    return true;
  };
  if (!(await walk(paths.data, 'data')) || !(await walk(paths.holdout, 'holdout'))) return null;
  return manifest;
}

/** Records what setup wrote (called once setup succeeded). */
export async function writeSetupManifest(paths: StudyPaths): Promise<void> {
  const manifest = await listSetupOutput(paths);
  if (manifest !== null) await writeFile(manifestFile(paths), JSON.stringify(manifest) + '\n');
}

/**
 * Throws a `SetupError` naming the files when the setup output differs from its
 * manifest (changed, removed, added). A study without a manifest (set up by an older
 * version) passes.
 */
export async function verifySetupManifest(paths: StudyPaths): Promise<void> {
  const recorded = await readFile(manifestFile(paths), 'utf8').then((text) => JSON.parse(text) as Manifest, () => null);
  if (recorded === null) return;
  const now = (await listSetupOutput(paths)) ?? {};
  const changed: string[] = [];
  for (const [path, entry] of Object.entries(recorded)) {
    const current = now[path];
    if (current === undefined) changed.push(`${path} (removed)`);
    else if (current.size !== entry.size || current.mtimeMs !== entry.mtimeMs) changed.push(`${path} (changed)`);
  }
  for (const path of Object.keys(now)) if (!(path in recorded)) changed.push(`${path} (added)`);
  if (changed.length === 0) return;
  throw new AutolabError('SetupError', `the study's setup output changed since setup wrote it: ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? `, and ${changed.length - 5} more` : ''}. Trials would be scored against other data`, {
    hint: `if you did not change it on purpose (a checkout of a branch carrying .autolab/ can), start a new study with \`autolab run --fresh\`, which runs setup again; the files are in ${paths.study}`,
  });
}
