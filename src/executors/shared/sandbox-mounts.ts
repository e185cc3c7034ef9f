/**
 * The mounts of a bubblewrap sandbox, in the order bubblewrap must apply them, for
 * executors that build the sandbox somewhere else than this process (a Slurm job on a
 * compute node), and for the local executor's `local/sandbox-bwrap.ts`: one set of rules
 * (see `SandboxSpec`).
 */
import { lstatSync, realpathSync } from 'node:fs';
import type { SandboxSpec } from '../../core/executor.ts';

/** The namespace and privilege flags of every sandbox (the same as the local executor's). */
export const BWRAP_FLAGS: readonly string[] = ['--die-with-parent', '--unshare-user-try', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--cap-drop', 'ALL'];

/** One mount: a hidden folder (an empty tmpfs) or file (an empty read-only file), or a path shown read-only or writable. */
export interface SandboxMount {
  path: string;
  role: 'hidden' | 'readOnly' | 'writable';
  kind: 'dir' | 'file';
}

const ROLE_ORDER: Record<SandboxMount['role'], number> = { hidden: 0, readOnly: 1, writable: 2 };

function kindOf(path: string, assumeDirs: ReadonlySet<string>): 'dir' | 'file' | 'missing' {
  if (assumeDirs.has(path)) return 'dir';
  try {
    return lstatSync(path).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

/** True when `path` names an entry (a dangling symbolic link too); false when it is missing or cannot be looked up. */
function entryExists(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

/** The path with its links resolved, or the path itself when it does not exist. */
export function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The spec's mounts from the shallowest path to the deepest (so a path shown inside a
 * hidden folder is visible again), a later role winning for the same path. Paths that do
 * not exist here are left out, except those in `assumeDirs` (folders that will exist
 * where the sandbox is built, e.g. a worktree staged on a node).
 *
 * @example sandboxMounts({ readOnly: [data], writable: [worktree], hidden: [state, '/tmp'], network: false })
 */
export function sandboxMounts(spec: SandboxSpec, assumeDirs: ReadonlySet<string> = new Set()): SandboxMount[] {
  const mounts = new Map<string, SandboxMount>();
  const add = (paths: readonly string[], role: SandboxMount['role']) => {
    for (const original of paths) {
      // Most paths (credential files of tools not installed) do not exist: one lstat that does not throw tells (a thrown error costs more than the call).
      if (!assumeDirs.has(original) && !entryExists(original)) continue;
      const path = assumeDirs.has(original) ? original : realOrSelf(original);
      const kind = kindOf(path, assumeDirs);
      if (kind === 'missing' || path === '/') continue;
      mounts.set(path, { path, role, kind });
    }
  };
  add(spec.hidden, 'hidden');
  add(spec.readOnly, 'readOnly');
  add(spec.writable, 'writable');
  const depth = (path: string) => path.split('/').filter(Boolean).length;
  return [...mounts.values()].sort((a, b) => depth(a.path) - depth(b.path) || ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.path.localeCompare(b.path));
}

/**
 * The bubblewrap arguments of one mount, with each path as the shell word `word(path)`
 * returns (e.g. a variable for a path that moves on the node).
 */
export function bwrapMountWords(mount: SandboxMount, word: (path: string) => string): string[] {
  const path = word(mount.path);
  if (mount.role === 'hidden') return mount.kind === 'dir' ? ['--tmpfs', path] : ['--ro-bind', '/dev/null', path];
  return [mount.role === 'readOnly' ? '--ro-bind' : '--bind', path, path];
}
