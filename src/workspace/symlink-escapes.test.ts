import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, makeUserRepo } from '../testing/workspace-fixtures.ts';
import type { Workspace } from './workspace.ts';
import { openWorkspace } from './workspace.ts';

let temp: { dir: string; cleanup: () => Promise<void> };
let workspace: Workspace;
beforeEach(async () => {
  temp = await makeTempDir();
  const { recipe } = await makeUserRepo(temp.dir);
  ({ workspace } = await openWorkspace({ root: temp.dir, repo: recipe }));
});
afterEach(async () => {
  await temp.cleanup();
});

function linkPatch(path: string, target: string): string {
  return `diff --git a/${path} b/${path}\nnew file mode 120000\n--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+${target}\n\\ No newline at end of file\n`;
}

async function escapesOf(trialId: number, links: Record<string, string>): Promise<string[]> {
  const worktree = await workspace.createWorktree(`s${trialId}`, workspace.baselineCommit);
  const patch = Object.entries(links).map(([path, target]) => linkPatch(path, target)).join('');
  const result = await workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId, edit: { kind: 'patch', patch } });
  if ('error' in result) throw new Error(result.error);
  expect(result.changed.every((entry) => entry.mode === '120000')).toBe(true);
  return workspace.symlinkEscapes(worktree, result.changed);
}

describe('symlinkEscapes', () => {
  it('reports links that climb out of the recipe and absolute links', async () => {
    const escapes = await escapesOf(1, { 'data/x': '../../etc/passwd', abs: '/etc/passwd', 'deep/a/b': '../../../outside' });
    expect(escapes).toHaveLength(3);
    expect(escapes.find((m) => m.startsWith('data/x:'))).toMatch(/resolves outside the recipe/);
    expect(escapes.find((m) => m.startsWith('abs:'))).toMatch(/is absolute/);
    expect(escapes.find((m) => m.startsWith('deep/a/b:'))).toMatch(/outside/);
  });

  it('accepts links that stay inside, dangling or not', async () => {
    expect(await escapesOf(2, { 'alias.py': 'train.py', 'sub/up': '../config.json', 'sub/dangling': 'nothing-here', 'sub/dir/ok': '../../eval' })).toEqual([]);
  });

  it('follows older links when resolving where a new link lands', async () => {
    const worktree = await workspace.createWorktree('s3', workspace.baselineCommit);
    // An existing link to the outside (not part of this trial's changes) ...
    await symlink(temp.dir, join(worktree, 'portal'));
    const result = await workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 3, edit: { kind: 'patch', patch: linkPatch('sneaky', 'portal/user') } });
    if ('error' in result) throw new Error(result.error);
    // ... used by a new, lexically harmless, link.
    expect(await workspace.symlinkEscapes(worktree, result.changed)).toEqual([expect.stringMatching(/^sneaky: .*resolves outside the recipe \(to /)]);
  });

  it('ignores deleted links and regular files', async () => {
    const worktree = await workspace.createWorktree('s4', workspace.baselineCommit);
    const result = await workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 4, edit: { kind: 'files', files: { 'main.py': null, 'x.txt': 'x' } } });
    if ('error' in result) throw new Error(result.error);
    expect(result.changed.find((entry) => entry.path === 'main.py')).toMatchObject({ status: 'D', mode: '120000' });
    expect(await workspace.symlinkEscapes(worktree, result.changed)).toEqual([]);
  });
});
