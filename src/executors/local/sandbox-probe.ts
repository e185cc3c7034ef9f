import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BWRAP_BASE_FLAGS } from './sandbox-bwrap.ts';

/** Whether bubblewrap can sandbox commands on this machine, and why not. */
export type BwrapProbe = { available: true; bwrap: string } | { available: false; bwrap: string | null; reason: string };

/** Finds an executable on `PATH` (or the given search path); null when absent. */
export function findExecutable(name: string, searchPath = process.env.PATH ?? ''): string | null {
  for (const dir of searchPath.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

const PROBE_TIMEOUT_MS = 10_000;
const cache = new Map<string, Promise<BwrapProbe>>();

/**
 * Checks once per process (per search path) that bubblewrap is installed and can build
 * the sandbox autolab uses (read-only root, new PID and network namespaces, no
 * capabilities): it runs `bwrap ... -- /bin/sh -c 'exit 0'`. Where user namespaces are
 * restricted (Ubuntu 24.04's AppArmor rule, `kernel.unprivileged_userns_clone=0`) the
 * reason says what bwrap printed.
 *
 * @example
 * const probe = await probeBwrap();
 * if (!probe.available) console.warn(`no sandbox: ${probe.reason}`);
 */
export function probeBwrap(searchPath = process.env.PATH ?? ''): Promise<BwrapProbe> {
  let pending = cache.get(searchPath);
  if (!pending) {
    pending = runProbe(searchPath);
    cache.set(searchPath, pending);
  }
  return pending;
}

async function runProbe(searchPath: string): Promise<BwrapProbe> {
  if (process.platform !== 'linux') return { available: false, bwrap: null, reason: `bubblewrap is Linux-only (this is ${process.platform})` };
  const bwrap = findExecutable('bwrap', searchPath);
  if (bwrap === null) return { available: false, bwrap: null, reason: 'bwrap (bubblewrap) is not installed (apt-get install bubblewrap, dnf install bubblewrap)' };
  const args = [...BWRAP_BASE_FLAGS, '--unshare-net', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--', '/bin/sh', '-c', 'exit 0'];
  return new Promise<BwrapProbe>((resolve) => {
    let stderr = '';
    let settled = false;
    const finish = (probe: BwrapProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(probe);
    };
    const child = spawn(bwrap, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ available: false, bwrap, reason: `${bwrap} did not start a sandbox within ${PROBE_TIMEOUT_MS / 1000} s` });
    }, PROBE_TIMEOUT_MS);
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => finish({ available: false, bwrap, reason: `${bwrap} could not be started: ${error.message}` }));
    child.on('close', (code, signal) => {
      if (code === 0) finish({ available: true, bwrap });
      else {
        const said = stderr.trim().split('\n').slice(-3).join(' / ');
        finish({
          available: false,
          bwrap,
          reason: `${bwrap} cannot build a sandbox here (${signal ? `killed by ${signal}` : `exit ${code}`}${said ? `: ${said}` : ''}); user namespaces may be restricted (see docs/security.md)`,
        });
      }
    });
  });
}
