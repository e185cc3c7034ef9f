import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AutolabError } from '../core/errors.ts';
import { git, GitError, gitPipe, gitResult } from './git.ts';
import { makeTempDir } from '../testing/workspace-fixtures.ts';

let temp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

describe('git wrapper', () => {
  it("throws a GitError carrying git's stderr", async () => {
    await git(['init', '--quiet', temp.dir]);
    const error = await git(['rev-parse', '--verify', 'no-such-ref'], { cwd: temp.dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect(AutolabError.is(error)).toBe(true);
    expect((error as GitError).name).toBe('GitError');
    expect((error as GitError).exitCode).toBe(128);
    expect((error as GitError).message).toMatch(/git rev-parse failed: fatal: Needed a single revision/);
  });

  it('says to install git when git is missing', async () => {
    const error = await git(['--version'], { executable: '/nonexistent/git' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toMatch(/git was not found/);
    expect((error as GitError).hint).toMatch(/install git/);
  });

  it('runs as autolab, without hooks, and ignores GIT_* variables of the caller', async () => {
    await git(['init', '--quiet', temp.dir]);
    const { mkdir, writeFile, chmod } = await import('node:fs/promises');
    await mkdir(`${temp.dir}/.git/hooks`, { recursive: true });
    await writeFile(`${temp.dir}/.git/hooks/pre-commit`, '#!/bin/sh\nexit 1\n');
    await chmod(`${temp.dir}/.git/hooks/pre-commit`, 0o755);
    process.env.GIT_DIR = '/nonexistent';
    try {
      await git(['commit', '--quiet', '--allow-empty', '-m', 'x'], { cwd: temp.dir });
    } finally {
      delete process.env.GIT_DIR;
    }
    expect(await git(['log', '--format=%an <%ae>'], { cwd: temp.dir })).toBe('autolab <autolab@localhost>\n');
  });

  it('passes stdin, reports exit codes without throwing in gitResult, and pipes one git into another', async () => {
    await git(['init', '--quiet', '--bare', temp.dir]);
    const blob = (await git(['hash-object', '-w', '--stdin'], { gitDir: temp.dir, input: 'hello\n' })).trim();
    expect((await gitResult(['cat-file', '-e', 'f'.repeat(40)], { gitDir: temp.dir })).exitCode).not.toBe(0);
    const piped = await gitPipe(
      { args: ['cat-file', 'blob', blob], options: { gitDir: temp.dir } },
      { args: ['hash-object', '--stdin'], options: { gitDir: temp.dir } },
    );
    expect(piped.trim()).toBe(blob);
    await expect(
      gitPipe({ args: ['cat-file', 'blob', 'nope'], options: { gitDir: temp.dir } }, { args: ['hash-object', '--stdin'], options: { gitDir: temp.dir } }),
    ).rejects.toThrow(/git cat-file failed/);
  });
});
