import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffCommits, diffCommitsBatched } from './changed-paths.ts';
import { DiffTreeBatch } from './diff-tree-batch.ts';
import { gitBuffer } from './git.ts';
import { makeTempDir, makeUserRepo } from '../testing/workspace-fixtures.ts';
import type { Workspace } from './workspace.ts';
import { openWorkspace } from './workspace.ts';

let temp: { dir: string; cleanup: () => Promise<void> };
let workspace: Workspace;
let differ: DiffTreeBatch;
beforeEach(async () => {
  temp = await makeTempDir();
  const { recipe } = await makeUserRepo(temp.dir);
  ({ workspace } = await openWorkspace({ root: temp.dir, repo: recipe }));
  differ = new DiffTreeBatch(workspace.gitDir);
});
afterEach(async () => {
  differ.close();
  await temp.cleanup();
});

/** A trial commit on `parent` with `files` (through the workspace, so in the repo's own objects). */
async function commitOn(parent: string, id: number, files: Record<string, string | null>): Promise<string> {
  const worktree = await workspace.createWorktree(`d-${id}`, parent);
  const made = await workspace.materialise({ worktree, parentCommit: parent, trialId: id, edit: { kind: 'files', files } });
  if ('error' in made) throw new Error(made.error);
  await workspace.removeWorktree(`d-${id}`);
  return made.commit;
}

describe('one long-lived git diff-tree --stdin', () => {
  it('answers many requests, concurrently and in order, with what one git diff-tree call prints; nothing for an empty diff', async () => {
    const base = workspace.baselineCommit;
    const a = await commitOn(base, 1, { 'train.py': 'lr = 0.3\n', 'new/x.bin': '\u0000\u0001binary\n', 'config.json': null });
    const b = await commitOn(a, 2, { 'run.sh': '#!/bin/sh\necho changed\n', 'main.py': 'print(2)\n' });
    const pairs: Array<[string, string]> = [[base, a], [a, b], [base, b], [b, base], [a, a]];
    const answers = await Promise.all(pairs.map(([from, to]) => differ.diff(from, to)));
    for (const [i, [from, to]] of pairs.entries()) {
      expect(answers[i]!.equals(await gitBuffer(['diff-tree', '-r', '--raw', '-p', '--binary', '--no-renames', '-z', from, to], { gitDir: workspace.gitDir }))).toBe(true);
    }
    expect(answers[4]!.length).toBe(0);
    expect(await diffCommitsBatched(differ, workspace.gitDir, base, b)).toEqual(await diffCommits(workspace.gitDir, base, b));
  });

  it('a missing object or an empty diff is told apart by one git call; a request that is not two ids is refused', async () => {
    const missing = 'f'.repeat(40);
    // git diff-tree --stdin prints nothing for an object it cannot find.
    expect((await differ.diff(workspace.baselineCommit, missing)).length).toBe(0);
    const a = await commitOn(workspace.baselineCommit, 3, { 'train.py': 'lr = 0.4\n' });
    expect((await differ.diff(workspace.baselineCommit, a)).toString('utf8')).toContain('+lr = 0.4');
    await expect(differ.diff('HEAD', a)).rejects.toThrow(/full object ids/);
    await expect(diffCommitsBatched(differ, workspace.gitDir, workspace.baselineCommit, missing)).rejects.toThrow(/diff-tree/);
    expect(await diffCommitsBatched(differ, workspace.gitDir, a, a)).toEqual({ changed: [], diff: '' });
    // The process died: the next request starts it again.
    differ.close();
    expect((await differ.diff(workspace.baselineCommit, a)).length).toBeGreaterThan(0);
  });
});
