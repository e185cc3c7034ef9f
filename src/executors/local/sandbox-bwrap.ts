import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxSpec } from '../../core/executor.ts';
import { BWRAP_FLAGS, bwrapMountWords, realOrSelf, sandboxMounts } from '../shared/sandbox-mounts.ts';

/**
 * The namespace and privilege flags of every sandbox: the command dies with autolab
 * (`--die-with-parent`), sees only its own processes (`--unshare-pid`: a daemon that
 * double-forks dies with the run), has its own IPC and host name, no capabilities (root
 * included, so it cannot unmount what hides the study's state), and a user namespace
 * where the kernel allows one.
 */
export const BWRAP_BASE_FLAGS: readonly string[] = BWRAP_FLAGS;

/** Device nodes passed through so that GPU runs keep working under `--dev /dev`. */
const GPU_DEVICE_PATTERN = /^(nvidia.*|dri|kfd)$/;

/** GPU device nodes present on this machine (`/dev/nvidia*`, `/dev/dri`, `/dev/kfd`). */
export function gpuDeviceNodes(devDir = '/dev'): string[] {
  try {
    return readdirSync(devDir)
      .filter((name) => GPU_DEVICE_PATTERN.test(name))
      .sort()
      .map((name) => join(devDir, name));
  } catch {
    return [];
  }
}

/** How long a look at `/dev` serves the sandboxes built after it. */
const DEVICE_LIST_TTL_MS = 5_000;
let deviceList: { nodes: string[]; at: number } | null = null;

/**
 * `gpuDeviceNodes()` of `/dev`, read again at most every 5 s: reading `/dev` (hundreds
 * of entries) for each of a trial's three sandboxed commands cost a quarter of a
 * millisecond each, and a GPU's nodes appear with its driver, not between two commands.
 */
export function currentGpuDeviceNodes(now = performance.now()): string[] {
  if (deviceList === null || now - deviceList.at > DEVICE_LIST_TTL_MS || now < deviceList.at) deviceList = { nodes: gpuDeviceNodes(), at: now };
  return deviceList.nodes;
}


/**
 * The bubblewrap arguments (everything between `bwrap` and the command) for a sandbox:
 * the host's file system read-only, a fresh `/dev` (plus GPU nodes) and `/proc`, then
 * the spec's mounts from the shallowest path to the deepest (so a `readOnly` or
 * `writable` folder inside a `hidden` one is visible again), the working directory, and
 * `--` last. Paths that do not exist are left out (nothing to hide or to show). Hidden
 * folders become empty private tmpfs mounts (writable, gone with the sandbox), hidden
 * files an empty read-only file.
 *
 * @example
 * const args = bwrapArguments({ readOnly: [data], writable: [worktree], hidden: [stateDir, '/tmp'], network: false }, worktree);
 * spawn('bwrap', [...args, '/bin/sh', '-c', command]);
 */
export function bwrapArguments(spec: SandboxSpec, cwd: string, options: { devices?: string[] } = {}): string[] {
  const args = [...BWRAP_BASE_FLAGS];
  if (!spec.network) args.push('--unshare-net');
  args.push('--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc');
  for (const device of options.devices ?? currentGpuDeviceNodes()) args.push('--dev-bind', device, device);
  for (const mount of sandboxMounts(spec)) args.push(...bwrapMountWords(mount, (path) => path));
  args.push('--chdir', realOrSelf(cwd), '--');
  return args;
}
