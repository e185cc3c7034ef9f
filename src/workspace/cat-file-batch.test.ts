import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatFileBatch } from './cat-file-batch.ts';

describe('CatFileBatch', () => {
  let dir: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@a', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@a' } }).toString().trim();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-catfile-'));
    git('init', '-q');
    await writeFile(join(dir, 'a.txt'), 'alpha\n');
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(300_000, 7));
    await writeFile(join(dir, 'empty'), '');
    git('add', '-A');
    git('commit', '-qm', 'one');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('answers many reads, in order, from one process: blobs byte for byte, null for what is absent', async () => {
    const reader = new CatFileBatch(join(dir, '.git'));
    const head = git('rev-parse', 'HEAD');
    const answers = await Promise.all([
      reader.read(`${head}:a.txt`),
      reader.read(`${head}:missing.txt`),
      reader.read(`${head}:big.bin`),
      reader.read(`${head}:empty`),
      reader.read(`${head}:bad\nline`),
      reader.read(`${head}:a.txt`),
    ]);
    expect(answers[0]).toEqual({ type: 'blob', bytes: Buffer.from('alpha\n') });
    expect(answers[1]).toBeNull();
    expect(answers[2]!.bytes.equals(Buffer.alloc(300_000, 7))).toBe(true);
    expect(answers[3]).toEqual({ type: 'blob', bytes: Buffer.alloc(0) });
    expect(answers[4]).toBeNull();
    expect(answers[5]).toEqual(answers[0]);
    // Objects written after the process started are found too.
    await writeFile(join(dir, 'a.txt'), 'beta\n');
    git('commit', '-qam', 'two');
    expect((await reader.read(`${git('rev-parse', 'HEAD')}:a.txt`))!.bytes.toString()).toBe('beta\n');
    reader.close();
    // A closed reader starts a new process on the next read.
    expect((await reader.read(`${head}:a.txt`))!.bytes.toString()).toBe('alpha\n');
    reader.close();
  });
});
