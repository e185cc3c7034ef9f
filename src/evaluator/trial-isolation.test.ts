import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandRequest, CommandResult, Executor } from '../core/executor.ts';
import type { TaskSpec } from '../core/task.ts';
import { studyPaths } from '../layout/autolab-layout.ts';
import { DEFAULT_TRIAL_PROCESS_LIMITS, IsolatingExecutor, isolateTrialRequest, type TrialIsolationPolicy } from './trial-isolation.ts';

const paths = studyPaths('/work/recipe', 'demo');
const task = { root: '/work/recipe', repo: '/work/recipe', expose: ['~/.cache/torch'], run: { command: 'python train.py', timeoutMs: 1000, outputCapBytes: 1000, maxProcesses: 64 }, limits: { maxArtifactBytes: 1000 } } as unknown as TaskSpec;
const policy: TrialIsolationPolicy = { task, paths, gitDir: '/work/recipe/.autolab/repo.git', sandbox: 'bwrap', homes: ['/home/ada'], secretFiles: ['/work/recipe/.env'] };

function request(phase: string, extra: Record<string, string> = {}): CommandRequest {
  return {
    command: 'run it',
    cwd: '/work/recipe/.autolab/worktrees/demo+3',
    env: { PATH: '/home/ada/.local/bin:/usr/bin', TMPDIR: '/home/ada/tmp', AUTOLAB_PHASE: phase, AUTOLAB_ARTIFACTS: paths.artifacts(3), ...extra },
    timeoutMs: 1000,
    outputCapBytes: 1000,
    logFile: '/work/recipe/.autolab/studies/demo/trials/3/run.log',
  };
}

describe('isolateTrialRequest', () => {
  it('sandboxes the run: worktree and artifacts writable, data and the private repo read-only, state, tmp, the home and .env files hidden, no network', () => {
    const isolated = isolateTrialRequest(policy, request('run'));
    expect(isolated.sandbox).toEqual({
      // The home is hidden whole; the toolchain the PATH names and what the task exposes come back read-only.
      readOnly: ['/home/ada/.local/bin', '/home/ada/.local/lib', '/home/ada/.local/lib64', expect.stringMatching(/\/\.cache\/torch$/), paths.data, '/work/recipe/.autolab/repo.git'],
      writable: ['/work/recipe/.autolab/worktrees/demo+3', paths.artifacts(3)],
      hidden: expect.arrayContaining(['/work/recipe/.autolab', '/tmp', '/run', '/home/ada', '/work/recipe/.env', '/home/ada/.ssh', '/home/ada/.codex', '/home/ada/.claude']),
      network: false,
    });
    expect(isolated.sandbox!.hidden).not.toContain(paths.holdout); // hidden with all of .autolab, never re-exposed
    expect(isolated.sandbox!.readOnly.concat(isolated.sandbox!.writable).some((path) => path.includes('holdout') || path.includes('evaluators'))).toBe(false);
    expect(isolated.env.TMPDIR).toBe('/tmp');
    expect(isolated.maxProcesses).toBe(64);
    expect(isolated.maxFileBytes).toBe(DEFAULT_TRIAL_PROCESS_LIMITS.maxFileBytes);
  });

  it("gives a continued ladder's run the level below's artifacts read-only ($AUTOLAB_RESUME_FROM), never writable, and never to the score", () => {
    const resume = join(paths.levelArtifacts(3, 's'), 'artifacts');
    const run = isolateTrialRequest(policy, request('run', { AUTOLAB_RESUME_FROM: resume })).sandbox!;
    expect(run.readOnly.at(-1)).toBe(resume);
    expect(run.writable).not.toContain(resume);
    const score = isolateTrialRequest(policy, { ...request('score', { AUTOLAB_RESUME_FROM: resume, AUTOLAB_HOLDOUT: paths.holdout }), cwd: '/work/recipe/.autolab/evaluators/demo' }).sandbox!;
    expect([...score.readOnly, ...score.writable]).not.toContain(resume);
  });

  it('sandboxes preflight without the artifacts folder', () => {
    expect(isolateTrialRequest(policy, request('preflight')).sandbox!.writable).toEqual(['/work/recipe/.autolab/worktrees/demo+3']);
  });

  it('sandboxes the score: the evaluator checkout, the held-out data and the artifacts read-only, only its own folder writable', () => {
    const evaluator = '/work/recipe/.autolab/evaluators/demo';
    const scoreDir = paths.repeatFile(3, 0, 'score-out');
    const isolated = isolateTrialRequest(policy, { ...request('score', { AUTOLAB_HOLDOUT: paths.holdout, AUTOLAB_SCORE_DIR: scoreDir }), cwd: evaluator });
    expect(isolated.sandbox).toMatchObject({ writable: [scoreDir], network: false });
    expect(isolated.sandbox!.readOnly.slice(-3)).toEqual([evaluator, paths.holdout, paths.artifacts(3)]);
    expect(isolated.sandbox!.readOnly).not.toContain(paths.data);
    expect(isolated.sandbox!.hidden).toEqual(expect.arrayContaining(['/work/recipe/.autolab', '/home/ada', '/tmp']));
    expect(isolated.maxProcesses).toBe(64);
  });

  it('sandboxes the legality command: the evaluator checkout, the trial worktree and its diff read-only, nothing writable', () => {
    const evaluator = '/work/recipe/.autolab/evaluators/demo';
    const worktree = '/work/recipe/.autolab/worktrees/demo+3';
    const diff = '/work/recipe/.autolab/studies/demo/trials/3/legality.diff';
    const isolated = isolateTrialRequest(policy, { ...request('legality', { AUTOLAB_WORKTREE: worktree, AUTOLAB_DIFF: diff }), cwd: evaluator });
    expect(isolated.sandbox).toMatchObject({ writable: [], network: false });
    expect(isolated.sandbox!.readOnly.slice(-3)).toEqual([evaluator, worktree, diff]);
  });

  it("leaves the evaluator's setup alone", () => {
    const original = request('setup');
    expect(isolateTrialRequest(policy, original)).toBe(original);
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
    await executor.run(request('setup'));
    expect(executor.kind).toBe('fake');
    expect(seen[0]!.sandbox).toBeDefined();
    expect(seen[1]!.sandbox).toBeUndefined();
    expect(await executor.reapOrphans('t')).toBe(2);
    expect(reaped).toEqual(['t']);
  });
});
