/**
 * What a sandboxed command may see of the user's files besides the system: the home
 * folder is hidden whole (an allow-list, not a list of known credential files: the CLIs
 * agents run, cloud tools, shell history all keep secrets there), and only what the
 * task file exposes (`expose:`) and the toolchain the environment points at (a
 * virtualenv, conda, `~/.local/bin`, ...) are shown again, read-only. `.env`-style files
 * in the task and recipe folders are hidden too, and so is the `.git` of the user's
 * repository (its config may hold a token in a remote's URL or an `extraheader`, as CI
 * checkouts leave it; its history may hold secrets removed from the tree): trials work
 * in autolab's private repository and never need the user's.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

/** Names of files that hold secrets by convention (`.env`, `.env.local`, `prod.env`, `.envrc`, `.netrc`, ...). */
const SECRET_FILE = /^(\.env(\..+)?|.+\.env|\.envrc|\.netrc|\.npmrc|\.pypirc|\.git-credentials|\.pgpass|credentials(\.json)?|.+\.pem|.+\.key|id_(rsa|ecdsa|ed25519|dsa))$/i;
const SKIPPED_FOLDERS = new Set(['.git', '.autolab', 'node_modules', '.venv', 'venv', '__pycache__']);

/** True for a file name that holds secrets by convention. */
export function isSecretFileName(name: string): boolean {
  return SECRET_FILE.test(name);
}

/**
 * The `.env`-style files under `folder` (depth at most `maxDepth`, at most `maxEntries`
 * entries looked at; `.git`, `.autolab`, `node_modules` and virtualenvs skipped).
 *
 * @example
 * secretFilesIn('/proj'); // ['/proj/.env', '/proj/deploy/prod.env']
 */
export function secretFilesIn(folder: string, maxDepth = 3, maxEntries = 20_000): string[] {
  const found: string[] = [];
  let seen = 0;
  const walk = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (++seen > maxEntries) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < maxDepth && !SKIPPED_FOLDERS.has(entry.name)) walk(path, depth + 1);
      } else if (isSecretFileName(entry.name)) found.push(path);
    }
  };
  walk(folder, 0);
  return found;
}

/** The home folders of a command: this user's and the command's `HOME` (never `/`). */
export function homesOf(env: Record<string, string>, homes?: readonly string[]): string[] {
  return [...new Set((homes ?? [homedir(), env.HOME ?? '']).filter((home) => isAbsolute(home) && home !== '/'))];
}

/** Variables naming a toolchain's root folder: shown whole when under a hidden home. */
const TOOLCHAIN_ROOT_VARIABLES = ['VIRTUAL_ENV', 'CONDA_PREFIX', 'CUDA_HOME', 'PYENV_ROOT', 'RBENV_ROOT', 'ASDF_DIR', 'ASDF_DATA_DIR', 'NVM_DIR', 'VOLTA_HOME', 'RUSTUP_HOME', 'CARGO_HOME'];

/**
 * The folders of the command's toolchain that lie under a hidden home, shown again
 * read-only so that runs keep working: `VIRTUAL_ENV`, `CONDA_PREFIX`, `CUDA_HOME` and the
 * version managers' roots (`PYENV_ROOT`, `RBENV_ROOT`, `ASDF_DATA_DIR`, `NVM_DIR`,
 * `VOLTA_HOME`, `RUSTUP_HOME`, `CARGO_HOME`), the `PATH`, `PYTHONPATH`, `NODE_PATH` and
 * `LD_LIBRARY_PATH` entries (for a `.../bin` entry its sibling `lib` and `lib64`, where the
 * interpreter's modules live; for a `.../shims` entry the manager's root above it; for
 * `~/.cargo/bin` the `~/.rustup` its proxies run).
 *
 * @example
 * toolchainPaths({ PATH: '/home/ada/.local/bin:/usr/bin' }, ['/home/ada']); // ['/home/ada/.local/bin', '/home/ada/.local/lib', '/home/ada/.local/lib64']
 */
export function toolchainPaths(env: Record<string, string>, homes: readonly string[]): string[] {
  const under = (path: string) => homes.some((home) => path.startsWith(`${home}/`));
  const candidates: string[] = [];
  for (const name of TOOLCHAIN_ROOT_VARIABLES) if (env[name]) candidates.push(env[name]!);
  for (const name of ['PATH', 'PYTHONPATH', 'NODE_PATH', 'LD_LIBRARY_PATH']) {
    for (const entry of (env[name] ?? '').split(':')) {
      if (!isAbsolute(entry)) continue;
      candidates.push(entry);
      if (basename(entry) === 'bin') candidates.push(join(dirname(entry), 'lib'), join(dirname(entry), 'lib64'));
      // a version manager's shims (pyenv, rbenv, asdf) exec the manager from its root
      if (basename(entry) === 'shims') candidates.push(dirname(entry));
      // rustup's proxies in ~/.cargo/bin run the toolchains kept in ~/.rustup
      if (entry.endsWith('/.cargo/bin')) candidates.push(join(dirname(dirname(entry)), '.rustup'));
    }
  }
  return [...new Set(candidates.filter(under))];
}

/**
 * Paths the task file exposes (`expose:`), absolute; `~/x` is the user's home.
 *
 * @example
 * exposedPaths(['~/.cache/torch', '/datasets/imagenet']); // ['/home/ada/.cache/torch', '/datasets/imagenet']
 */
export function exposedPaths(expose: readonly string[] | undefined, home = homedir()): string[] {
  return (expose ?? []).map((path) => (path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path)).filter(isAbsolute);
}

/**
 * The `.git` (a folder, or the file of a linked worktree) of the git repository holding
 * `folder`, looking up from it; null outside a repository.
 *
 * @example
 * userGitEntry('/home/ada/proj/recipes/golf'); // '/home/ada/proj/.git'
 */
export function userGitEntry(folder: string): string | null {
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    const candidate = join(dir, '.git');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}
