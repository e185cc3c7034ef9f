import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { git } from './git.ts';
import { commitBody, looseObjectHeader, objectHashOf, writeLooseObject } from './loose-objects.ts';
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

/** git's offset of this process's time zone, as `commitBody` writes it. */
function offsetOf(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

describe('loose objects written in-process', () => {
  it('writes a blob git reads back, with the id `git hash-object` gives', async () => {
    const objects = join(workspace.gitDir, 'objects');
    const bytes = Buffer.from('hello\nworld\0binary\xff\n', 'latin1');
    const id = await writeLooseObject(objects, 'sha1', 'blob', bytes);
    expect(id).toBe((await git(['hash-object', '--stdin'], { gitDir: workspace.gitDir, input: bytes })).trim());
    expect(await git(['cat-file', '-s', id], { gitDir: workspace.gitDir })).toBe(`${bytes.length}\n`);
    // Written twice: the object already there is kept.
    expect(await writeLooseObject(objects, 'sha1', 'blob', bytes)).toBe(id);
    expect(await looseObjectHeader([join(temp.dir, 'nowhere'), objects], id)).toEqual({ type: 'blob', size: bytes.length });
    expect(await looseObjectHeader([objects], '0'.repeat(40))).toBeNull();
    expect(await looseObjectHeader([objects], 'not-an-id')).toBeNull();
  });

  it('writes the very commit `git commit-tree` writes for the same tree, parent, message and time', async () => {
    const random = seededRandom(7);
    for (let i = 0; i < 8; i++) {
      const date = new Date(1_700_000_000_000 + Math.floor(random() * 1e9) * 1000);
      const message = ['halve lr\n', 'a longer hypothesis\n\nwith a body, ünïcödé and `code`\n', 'no trailing newline', '  spaced  \n\n\n'][i % 4]!;
      const env = { GIT_AUTHOR_DATE: `${Math.floor(date.getTime() / 1000)} ${offsetOf(date)}`, GIT_COMMITTER_DATE: `${Math.floor(date.getTime() / 1000)} ${offsetOf(date)}` };
      const byGit = (await git(['commit-tree', workspace.baselineTree, '-p', workspace.baselineCommit, '-F', '-'], { gitDir: workspace.gitDir, env, input: message })).trim();
      const body = commitBody(workspace.baselineTree, workspace.baselineCommit, message, date);
      expect(body).not.toBeNull();
      const ours = await writeLooseObject(join(temp.dir, 'quarantine'), objectHashOf(workspace.baselineCommit)!, 'commit', body!);
      expect(ours).toBe(byGit);
    }
  });

  it('leaves to git a message it would treat differently', () => {
    expect(commitBody('a'.repeat(40), 'b'.repeat(40), 'nul\0inside\n', new Date())).toBeNull();
    expect(commitBody('a'.repeat(40), 'b'.repeat(40), 'lone surrogate \ud800\n', new Date())).toBeNull();
    expect(objectHashOf('a'.repeat(64))).toBe('sha256');
    expect(objectHashOf('HEAD')).toBeNull();
  });

  it('materialises random files edits into commits git reads, with the sizes git reports', async () => {
    const random = seededRandom(11);
    let parent = workspace.baselineCommit;
    for (let id = 1; id <= 6; id++) {
      const worktree = await workspace.createWorktree(`rand-${id}`, parent);
      const files: Record<string, string | null> = {};
      for (let k = 0; k < 1 + Math.floor(random() * 3); k++) files[`gen/f${Math.floor(random() * 4)}.txt`] = 'x'.repeat(Math.floor(random() * 5000)) + `\n${id}\n`;
      if (id % 3 === 0) files['config.json'] = null;
      const result = await workspace.materialise({ worktree, parentCommit: parent, trialId: id, message: `random edit ${id}`, edit: { kind: 'files', files }, limits: { maxFileBytes: 1e6, maxDiffBytes: 1e7 } });
      if ('error' in result || 'oversize' in result) throw new Error(JSON.stringify(result));
      expect(await git(['rev-parse', `${result.commit}^{tree}`, `${result.commit}^`], { gitDir: workspace.gitDir })).toBe(`${result.tree}\n${parent}\n`);
      expect(await git(['log', '-1', '--format=%an <%ae>|%cn <%ce>|%B', result.commit], { gitDir: workspace.gitDir })).toBe(`autolab <autolab@localhost>|autolab <autolab@localhost>|random edit ${id}\n\n`);
      for (const change of result.changed.filter((entry) => entry.status !== 'D')) {
        expect(change.size).toBe(Number(await git(['cat-file', '-s', change.blob], { gitDir: workspace.gitDir })));
      }
      expect(result.diff).toBe(await git(['diff-tree', '-r', '-p', '--binary', '--no-renames', parent, result.commit], { gitDir: workspace.gitDir }));
      await git(['fsck', '--strict', '--no-dangling', '--no-progress'], { gitDir: workspace.gitDir });
      await workspace.removeWorktree(`rand-${id}`);
      parent = result.commit;
    }
  });
});
