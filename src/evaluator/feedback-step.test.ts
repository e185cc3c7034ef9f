import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFeedbackFiles } from './feedback-step.ts';

describe('readFeedbackFiles', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads each file from the first folder holding it, never through a symlink out of them, and names the missing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-feedback-'));
    const worktree = join(dir, 'worktree');
    const artifacts = join(dir, 'artifacts');
    await mkdir(worktree);
    await mkdir(artifacts);
    await writeFile(join(dir, 'secret.txt'), 'outside');
    await writeFile(join(worktree, 'timings.txt'), 'forward 70%');
    await writeFile(join(artifacts, 'timings.txt'), 'shadowed');
    await writeFile(join(artifacts, 'layers.txt'), 'x'.repeat(5000));
    await symlink(join(dir, 'secret.txt'), join(worktree, 'escape.txt'));
    const read = await readFeedbackFiles({ files: ['timings.txt', 'layers.txt', 'escape.txt', '../secret.txt', 'absent.log'], maxChars: 300 }, [worktree, artifacts]);
    expect(read.files.map((file) => [file.path, file.text.slice(0, 11), file.chars, file.truncated])).toEqual([
      ['timings.txt', 'forward 70%', 11, false],
      ['layers.txt', 'xxxxxxxxxxx', 5000, true],
    ]);
    expect(read.missing).toEqual(['escape.txt', '../secret.txt', 'absent.log']);
  });
});
