import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sealArtifacts } from './artifact-seal.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function artifacts(): Promise<{ root: string; dir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'autolab-seal-'));
  dirs.push(root);
  const dir = join(root, 'artifacts');
  await mkdir(join(dir, 'ckpt'), { recursive: true });
  await writeFile(join(dir, 'model.json'), '{"x": 1}');
  await writeFile(join(dir, 'ckpt', 'step-10.bin'), Buffer.alloc(100));
  return { root, dir };
}

describe('sealArtifacts', () => {
  it('accepts regular files and folders, sums their bytes, and makes the files read-only', async () => {
    const { dir } = await artifacts();
    await link(join(dir, 'model.json'), join(dir, 'latest.json')); // a hard link inside the folder is fine
    expect(await sealArtifacts(dir)).toEqual({ problems: [], bytes: 8 + 100 + 8 });
    expect((await stat(join(dir, 'model.json'))).mode & 0o222).toBe(0);
    expect((await stat(join(dir, 'ckpt'))).mode & 0o200).not.toBe(0); // folders stay removable by their owner
  });

  it('refuses symbolic links, hard links to outside files, FIFOs and sockets, naming each path', async () => {
    const { root, dir } = await artifacts();
    await writeFile(join(root, 'labels.json'), '[1, 2, 3]');
    await symlink(join(root, 'labels.json'), join(dir, 'preds.json'));
    await symlink('/etc/passwd', join(dir, 'ckpt', 'report.txt'));
    await link(join(root, 'labels.json'), join(dir, 'copy.json'));
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const sealed = await sealArtifacts(dir);
    expect(sealed.problems.sort()).toEqual([
      `ckpt/report.txt: a symbolic link (to /etc/passwd)`,
      'copy.json: a hard link to a file outside the artifacts (2 links, 1 here)',
      'pipe: a FIFO (named pipe)',
      `preds.json: a symbolic link (to ${join(root, 'labels.json')})`,
    ]);
    expect((await stat(join(dir, 'model.json'))).mode & 0o200).not.toBe(0); // nothing is sealed when refused
  });

  it('refuses an artifacts folder that was replaced by a link or removed', async () => {
    const { root, dir } = await artifacts();
    await rm(dir, { recursive: true });
    expect((await sealArtifacts(dir)).problems).toEqual(['the artifacts folder itself is gone']);
    await symlink(root, dir);
    expect((await sealArtifacts(dir)).problems).toEqual(['the artifacts folder itself is a symbolic link']);
  });
});
