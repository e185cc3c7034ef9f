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

describe('sealArtifacts: the synchronous walk of a small folder', () => {
  /** A random artifacts folder under `dir`: files, folders, links inside and out, a FIFO; a seeded generator. */
  async function randomArtifacts(dir: string, outside: string, seed: number): Promise<void> {
    let state = seed;
    const random = () => ((state = (state * 16807) % 2147483647) / 2147483647);
    const folders = [dir];
    const count = 1 + Math.floor(random() * 12);
    for (let i = 0; i < count; i++) {
      const parent = folders[Math.floor(random() * folders.length)]!;
      const name = join(parent, `e${i}`);
      const kind = random();
      if (kind < 0.45) await writeFile(name, Buffer.alloc(Math.floor(random() * 300), i), { mode: random() < 0.3 ? 0o755 : 0o644 });
      else if (kind < 0.7) {
        await mkdir(name);
        folders.push(name);
      } else if (kind < 0.8) await symlink(random() < 0.5 ? outside : 'e0', name);
      else if (kind < 0.9) await link(outside, name).catch(() => writeFile(name, 'x'));
      else execFileSync('mkfifo', [name]);
    }
  }

  it('gives what the asynchronous walk gives, problems, bytes and modes, on random folders', async () => {
    const { sealArtifactsAsync } = await import('./artifact-seal.ts');
    const root = await mkdtemp(join(tmpdir(), 'autolab-seal-random-'));
    dirs.push(root);
    const outside = join(root, 'holdout.json');
    await writeFile(outside, '{"labels": []}');
    const modes = async (dir: string): Promise<string> => execFileSync('find', [dir, '-printf', '%P %m %y\n']).toString().split('\n').sort().join('\n');
    for (let seed = 1; seed <= 40; seed++) {
      const [a, b] = [join(root, `a${seed}`), join(root, `b${seed}`)];
      await mkdir(a);
      await mkdir(b);
      await randomArtifacts(a, outside, seed);
      await randomArtifacts(b, outside, seed);
      const sync = await sealArtifacts(a);
      const async = await sealArtifactsAsync(b);
      expect({ seed, ...sync }).toEqual({ seed, ...async });
      expect(await modes(a)).toBe(await modes(b));
    }
  });

  it('walks a folder of more entries than the synchronous limit asynchronously, with the same answer', async () => {
    const { dir } = await artifacts();
    for (let i = 0; i < 300; i++) await writeFile(join(dir, `f${i}.txt`), 'x');
    expect(await sealArtifacts(dir)).toEqual({ problems: [], bytes: 8 + 100 + 300 });
    expect((await stat(join(dir, 'f299.txt'))).mode & 0o222).toBe(0);
  });
});
