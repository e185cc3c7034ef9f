import { describe, expect, it } from 'vitest';
import type { CommandRequest, CommandResult, Executor } from '../core/executor.ts';
import type { TaskSpec } from '../core/task.ts';
import { studyPaths } from '../layout/autolab-layout.ts';
import { DEFAULT_TRIAL_PROCESS_LIMITS, IsolatingExecutor, isolateTrialRequest, type TrialIsolationPolicy } from './trial-isolation.ts';

const paths = studyPaths('/work/recipe', 'demo');
const task = { run: { command: 'python train.py', timeoutMs: 1000, outputCapBytes: 1000, maxProcesses: 64 }, limits: { maxArtifactBytes: 1000 } } as unknown as TaskSpec;
const policy: TrialIsolationPolicy = { task, paths, gitDir: '/work/recipe/.autolab/repo.git', sandbox: 'bwrap', homes: ['/home/ada'] };

function request(phase: string, extra: Record<string, string> = {}): CommandRequest {
  return {
    command: 'run it',
    cwd: '/work/recipe/.autolab/worktrees/demo+3',
    env: { PATH: '/usr/bin', TMPDIR: '/home/ada/tmp', AUTOLAB_PHASE: phase, AUTOLAB_ARTIFACTS: paths.artifacts(3), ...extra },
    timeoutMs: 1000,
    outputCapBytes: 1000,
    logFile: '/work/recipe/.autolab/studies/demo/trials/3/run.log',
  };
}

describe('isolateTrialRequest', () => {
  it('sandboxes the run: worktree and artifacts writable, data and the private repo read-only, state, tmp and credentials hidden, no network', () => {
    const isolated = isolateTrialRequest(policy, request('run'));
    expect(isolated.sandbox).toEqual({
      readOnly: [paths.data, '/work/recipe/.autolab/repo.git'],
      writable: ['/work/recipe/.autolab/worktrees/demo+3', paths.artifacts(3)],
      hidden: expect.arrayContaining(['/work/recipe/.autolab', '/tmp', '/run', '/home/ada/.ssh', '/home/ada/.aws', '/home/ada/.netrc']),
      network: false,
    });
    expect(isolated.sandbox!.hidden).not.toContain(paths.holdout); // hidden with all of .autolab, never re-exposed
    expect(isolated.sandbox!.readOnly.concat(isolated.sandbox!.writable).some((path) => path.includes('holdout') || path.includes('evaluators'))).toBe(false);
    expect(isolated.env.TMPDIR).toBe('/tmp');
    expect(isolated.maxProcesses).toBe(64);
    expect(isolated.maxFileBytes).toBe(DEFAULT_TRIAL_PROCESS_LIMITS.maxFileBytes);
  });

  it('sandboxes preflight and legality without the artifacts folder', () => {
    for (const phase of ['preflight', 'legality']) {
      const isolated = isolateTrialRequest(policy, request(phase));
      expect(isolated.sandbox!.writable).toEqual(['/work/recipe/.autolab/worktrees/demo+3']);
    }
  });

  it("leaves the evaluator's own phases (setup, score) alone", () => {
    for (const phase of ['setup', 'score']) {
      const original = request(phase);
      expect(isolateTrialRequest(policy, original)).toBe(original);
    }
  });

  it('with sandbox none, keeps the limits and the environment but adds no sandbox', () => {
    const isolated = isolateTrialRequest({ ...policy, sandbox: 'none' }, request('run'));
    expect(isolated.sandbox).toBeUndefined();
    expect(isolated.env.TMPDIR).toBe('/home/ada/tmp');
    expect(isolated.maxProcesses).toBe(64);
  });
});

describe('IsolatingExecutor', () => {
  it('passes isolated requests and orphan reaping to the inner executor', async () => {
    const seen: CommandRequest[] = [];
    const reaped: string[] = [];
    const inner: Executor = {
      kind: 'fake',
      run: async (request) => {
        seen.push(request);
        return { exitCode: 0, logError: null, outputTail: '' } as CommandResult;
      },
      reapOrphans: async (token) => {
        reaped.push(token);
        return 2;
      },
    };
    const executor = new IsolatingExecutor(inner, policy);
    await executor.run(request('run'));
    await executor.run(request('score'));
    expect(executor.kind).toBe('fake');
    expect(seen[0]!.sandbox).toBeDefined();
    expect(seen[1]!.sandbox).toBeUndefined();
    expect(await executor.reapOrphans('t')).toBe(2);
    expect(reaped).toEqual(['t']);
  });
});
