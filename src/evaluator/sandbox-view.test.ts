import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { secretFilesIn, toolchainPaths, userGitEntry } from './sandbox-view.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'autolab-view-'));
  dirs.push(dir);
  return dir;
}

describe('what the sandbox hides of the user\'s folder', () => {
  it("finds the .git of the repository holding a recipe folder, looking up from it (a folder, or a linked worktree's file)", () => {
    const top = folder();
    mkdirSync(join(top, '.git'));
    mkdirSync(join(top, 'recipes', 'golf'), { recursive: true });
    expect(userGitEntry(join(top, 'recipes', 'golf'))).toBe(join(top, '.git'));
    const linked = folder();
    writeFileSync(join(linked, '.git'), 'gitdir: /elsewhere/.git/worktrees/x\n');
    expect(userGitEntry(linked)).toBe(join(linked, '.git'));
  });

  it('finds .env-style files, leaving ordinary ones and skipped folders alone', () => {
    const top = folder();
    mkdirSync(join(top, 'deploy'));
    mkdirSync(join(top, 'node_modules'));
    for (const name of ['.env', 'deploy/prod.env', 'node_modules/.env', 'train.py', 'environment.yml']) writeFileSync(join(top, name), 'x');
    expect(secretFilesIn(top).sort()).toEqual([join(top, '.env'), join(top, 'deploy', 'prod.env')]);
  });
});

describe('toolchainPaths', () => {
  const homes = ['/home/ada'];

  it('shows PATH entries under the home with the lib folders beside a bin, and nothing outside the home', () => {
    expect(toolchainPaths({ PATH: '/home/ada/.local/bin:/usr/bin:relative/bin' }, homes)).toEqual(['/home/ada/.local/bin', '/home/ada/.local/lib', '/home/ada/.local/lib64']);
  });

  it("shows a version manager's root for its shims (pyenv, asdf) and rustup's toolchains for ~/.cargo/bin", () => {
    const paths = toolchainPaths({ PATH: '/home/ada/.pyenv/shims:/home/ada/.asdf/shims:/home/ada/.cargo/bin' }, homes);
    expect(paths).toEqual(expect.arrayContaining(['/home/ada/.pyenv', '/home/ada/.asdf', '/home/ada/.cargo/bin', '/home/ada/.rustup']));
  });

  it('shows the roots named by toolchain variables, only under a hidden home', () => {
    const paths = toolchainPaths({ PYENV_ROOT: '/home/ada/.pyenv', NVM_DIR: '/home/ada/.nvm', VIRTUAL_ENV: '/opt/venv' }, homes);
    expect(paths.sort()).toEqual(['/home/ada/.nvm', '/home/ada/.pyenv']);
  });
});
