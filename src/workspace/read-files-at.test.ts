import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, makeUserRepo } from '../testing/workspace-fixtures.ts';
import { openWorkspace, type Workspace } from './workspace.ts';

let temp: { dir: string; cleanup: () => Promise<void> };
let workspace: Workspace;
beforeEach(async () => {
  temp = await makeTempDir();
  const { top } = await makeUserRepo(temp.dir);
  ({ workspace } = await openWorkspace({ root: temp.dir, repo: join(top, 'recipe') }));
});
afterEach(async () => {
  await temp.cleanup();
});

describe('Workspace.readFilesAt', () => {
  it('reads many files at many commits, each distinct blob once, in request order', async () => {
    const worktree = await workspace.createWorktree('t1', workspace.baselineCommit);
    const patch = 'diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1,3 +1,3 @@\n-lr = 0.1\n+lr = 0.05\n epochs = 3\n print("training")\n';
    const result = await workspace.materialise({ worktree, parentCommit: workspace.baselineCommit, trialId: 1, message: 'halve lr', edit: { kind: 'patch', patch } });
    if ('error' in result) throw new Error(result.error);
    const base = workspace.baselineCommit;
    const read = await workspace.readFilesAt([
      { commit: base, path: 'train.py' },
      { commit: result.commit, path: 'train.py' },
      { commit: result.commit, path: './config.json' },
      { commit: base, path: 'config.json' },
      { commit: base, path: 'missing.txt' },
      { commit: base, path: 'eval' },
      { commit: 'not-a-commit', path: 'train.py' },
    ]);
    expect(read.map((file) => file?.text ?? null)).toEqual(['lr = 0.1\nepochs = 3\nprint("training")\n', 'lr = 0.05\nepochs = 3\nprint("training")\n', '{ "batch": 32 }\n', '{ "batch": 32 }\n', null, null, null]);
    expect(read[2]!.blob).toBe(read[3]!.blob);
    // Blobs the caller already holds come back without their text.
    const again = await workspace.readFilesAt([{ commit: base, path: 'train.py' }], new Set([read[0]!.blob]));
    expect(again).toEqual([{ blob: read[0]!.blob, text: '' }]);
  });
});
