import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether the tests that need Podman run here, and what to say when they cannot. */
export interface PodmanForTests {
  available: boolean;
  /** CI (`CI=true`) or `AUTOLAB_TEST_PODMAN=1`: a missing Podman is a failure, not a skip. */
  required: boolean;
  problem: string | null;
}

/**
 * Decides whether the Podman tests run: Podman must answer `podman info`, and a static
 * busybox must exist to build the test image from (no registry is needed or reached).
 *
 * @example
 * const podman = podmanForTests();
 * describe.runIf(podman.available)('in a Podman container', () => { ... });
 */
export function podmanForTests(env: NodeJS.ProcessEnv = process.env): PodmanForTests {
  const required = env.CI === 'true' || env.AUTOLAB_TEST_PODMAN === '1';
  if (!existsSync(STATIC_SHELL)) return { available: false, required, problem: `${STATIC_SHELL} is missing: apt-get install -y busybox-static (the test image is built from it)` };
  try {
    execFileSync('podman', ['info', '--format', '{{.Host.OCIRuntime.Name}}'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    return { available: true, required, problem: null };
  } catch (error) {
    return { available: false, required, problem: `Podman does not work here (${(error as Error).message.split('\n')[0]}): apt-get install -y podman` };
  }
}

const STATIC_SHELL = '/usr/bin/busybox';

/**
 * Builds a minimal image from a local root filesystem (a static busybox as /bin/sh and
 * its applets, and a marker file `/etc/autolab-image` holding `tag`): `podman import` of a
 * tarball, so no registry is needed. Returns the image name; `removeTestImage` removes it.
 *
 * @example const image = await buildTestImage('localhost/autolab-test-sh:1');
 */
export async function buildTestImage(image: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'autolab-rootfs-'));
  try {
    for (const folder of ['bin', 'etc', 'tmp', 'proc', 'dev', 'sys']) await mkdir(join(root, folder));
    await cp(STATIC_SHELL, join(root, 'bin', 'busybox'));
    for (const applet of ['sh', 'cat', 'echo', 'ls', 'id', 'test', 'sleep', 'env', 'touch', 'wget', 'pwd', 'mkdir', 'rm']) await symlink('busybox', join(root, 'bin', applet));
    await writeFile(join(root, 'etc', 'autolab-image'), `${image}\n`);
    execFileSync('sh', ['-c', `tar -C '${root}' -c . | podman import - '${image}'`], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    return image;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Removes the test image (ignores a missing one). */
export function removeTestImage(image: string): void {
  try {
    execFileSync('podman', ['rmi', '-f', image], { stdio: 'ignore', timeout: 60_000 });
  } catch {
    // already gone
  }
}
