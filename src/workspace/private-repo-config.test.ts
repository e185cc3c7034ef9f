import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unexpectedConfigKeys } from './private-repo-config.ts';
import { makePlainRecipe, makeTempDir } from '../testing/workspace-fixtures.ts';
import { openWorkspace } from './workspace.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe("the private repo's config is verified on open", () => {
  it('as autolab leaves it, it passes; a planted filter or fsmonitor is refused, naming the keys, before git runs anything', async () => {
    const { dir, cleanup } = await makeTempDir();
    cleanups.push(cleanup);
    const recipe = await makePlainRecipe(dir);
    const { workspace } = await openWorkspace({ root: recipe, repo: recipe });
    expect(await unexpectedConfigKeys(workspace.gitDir)).toEqual([]);
    const marker = join(dir, 'filter-ran');
    await appendFile(join(workspace.gitDir, 'config'), `[filter "x"]\n\tclean = touch ${marker}\n[core]\n\tfsmonitor = touch ${marker}\n[include]\n\tpath = /etc/passwd\n`);
    expect(await unexpectedConfigKeys(workspace.gitDir)).toEqual(['filter.x.clean', 'core.fsmonitor', 'include.path']);
    await expect(openWorkspace({ root: recipe, repo: recipe })).rejects.toMatchObject({
      name: 'WorkspaceError',
      message: expect.stringMatching(/holds settings autolab never writes: filter\.x\.clean, core\.fsmonitor, include\.path/),
    });
  });
});
