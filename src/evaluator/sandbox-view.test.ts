import { describe, expect, it } from 'vitest';
import { toolchainPaths } from './sandbox-view.ts';

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
