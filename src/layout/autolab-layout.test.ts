import { describe, expect, it } from 'vitest';
import { safeName, scratchOwnerPid, studyPaths, workspaceLayout } from './autolab-layout.ts';

describe('the .autolab layout', () => {
  it('keeps the folder names existing studies were created with', () => {
    const paths = studyPaths('/proj', 'golf');
    expect(paths.store).toBe('/proj/.autolab/autolab.db');
    expect(paths.study).toBe('/proj/.autolab/studies/golf');
    expect(paths.data).toBe('/proj/.autolab/studies/golf/data');
    expect(paths.holdout).toBe('/proj/.autolab/studies/golf/holdout');
    expect(paths.setupDone).toBe('/proj/.autolab/studies/golf/setup.done');
    expect(paths.artifacts(3)).toBe('/proj/.autolab/studies/golf/trials/3/artifacts');
    expect(paths.log(3, 'run')).toBe('/proj/.autolab/studies/golf/trials/3/run.log');
    expect(paths.repeatFile(3, 0, 'artifacts')).toBe(paths.artifacts(3));
    expect(paths.repeatFile(3, 2, 'run', '.log')).toBe('/proj/.autolab/studies/golf/trials/3/run-r2.log');
    expect(paths.worktreeName(3)).toBe('golf+3');
    expect(paths.repeatWorktreeName(3, 1)).toBe('golf+3.r1');
    expect(paths.worktreeName(0).startsWith(paths.worktreePrefix)).toBe(true);
    const layout = workspaceLayout('/proj', 'golf@2026');
    expect(layout).toEqual({
      stateDir: '/proj/.autolab',
      gitDir: '/proj/.autolab/repo.git',
      evaluatorDir: '/proj/.autolab/evaluators/golf%402026',
      worktreesDir: '/proj/.autolab/worktrees',
      worktreeTrashDir: '/proj/.autolab/worktrees.removing',
      trialRefPrefix: 'refs/autolab/studies/golf%402026/trials/',
    });
    expect(workspaceLayout('/proj').evaluatorDir).toBe('/proj/.autolab/evaluator');
  });

  it('names scratch worktrees so that recovery can tell their owner', () => {
    const name = studyPaths('/proj', 'golf').scratchWorktreeName(4242, 'ab12cd34');
    expect(name.startsWith('golf+')).toBe(true);
    expect(scratchOwnerPid(name)).toBe(4242);
    expect(scratchOwnerPid('golf+12')).toBeNull();
  });

  it('refuses study names that would leave their folder, wherever a name enters', () => {
    for (const name of ['..', '.', '', 'a/b', '../../etc', 'a\0b', '-x', 'x'.repeat(101)]) {
      expect(() => studyPaths('/proj', name), JSON.stringify(name)).toThrowError(expect.objectContaining({ name: 'UsageError' }));
      expect(() => workspaceLayout('/proj', name), JSON.stringify(name)).toThrowError(expect.objectContaining({ name: 'UsageError' }));
    }
  });

  it('escapes a study name into one ref component', () => {
    expect(safeName('golf-2_x')).toBe('golf-2_x');
    expect(safeName('a.lock')).toBe('a%2Elock');
    expect(safeName('é')).toBe('%C3%A9');
  });
});
