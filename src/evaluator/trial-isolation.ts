import { closeSync, openSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { CommandRequest, CommandResult, Executor, SandboxSpec } from '../core/executor.ts';
import type { SandboxMode, TaskSpec } from '../core/task.ts';
import { diskFullFault } from './disk-full.ts';
import type { StudyPaths } from '../layout/autolab-layout.ts';

/** Limits of trial-code commands when the task file sets none (threads count as processes). */
export const DEFAULT_TRIAL_PROCESS_LIMITS = {
  maxProcesses: 8192,
  maxFileBytes: 64 * 1024 ** 3,
} as const;

/** The phases whose command runs the trial's own code, in its worktree. */
export const TRIAL_CODE_PHASES: readonly string[] = ['legality', 'preflight', 'run'];

/**
 * Files and folders under the user's home that hold credentials: hidden from sandboxed
 * trials even though the rest of the home folder stays readable (a trial's output
 * reaches the model through log excerpts, so whatever it can read it can leak).
 */
export const CREDENTIAL_PATHS: readonly string[] = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.config/gh',
  '.config/hub',
  '.docker',
  '.kube',
  '.netrc',
  '.git-credentials',
  '.npmrc',
  '.pypirc',
  '.huggingface',
  '.cache/huggingface/token',
  '.config/huggingface',
  '.wandb',
  '.netrc-wandb',
  '.config/autolab',
  '.anthropic',
  '.openai',
];

/** Folders of the host that are shared between processes (sockets, temp files); each sandbox gets its own empty copy. */
export const PRIVATE_HOST_FOLDERS: readonly string[] = ['/tmp', '/var/tmp', '/run', '/var/run', '/dev/shm'];

export interface TrialIsolationPolicy {
  task: TaskSpec;
  paths: StudyPaths;
  /** The private repository (read-only inside the sandbox, so `git rev-parse HEAD` works). */
  gitDir?: string;
  /** `bwrap`: trial commands run in a sandbox; `none`: limits and environment only. */
  sandbox: SandboxMode;
  /** Home folders whose credentials are hidden (default: this user's and the command's `HOME`). */
  homes?: string[];
}

/**
 * The sandbox of one command that runs trial code: the host read-only, the study's state
 * folder (`.autolab`: store, held-out data, evaluator checkout, other trials) hidden,
 * the task's data read-only, the private repo read-only, the worktree writable, the
 * run's artifacts folder and metrics file writable, `/tmp` and the other shared folders
 * private and empty, credentials under the home folder hidden, and no network.
 *
 * @example
 * const sandbox = trialSandboxSpec(policy, { phase: 'run', cwd: worktree, env: request.env });
 */
export function trialSandboxSpec(policy: TrialIsolationPolicy, command: { phase: string; cwd: string; env: Record<string, string> }): SandboxSpec {
  const homes = new Set(policy.homes ?? [homedir(), command.env.HOME ?? ''].filter((home) => isAbsolute(home) && home !== '/'));
  const hidden = [policy.paths.state, ...PRIVATE_HOST_FOLDERS];
  for (const home of homes) for (const path of CREDENTIAL_PATHS) hidden.push(join(home, path));
  const readOnly = [policy.paths.data];
  if (policy.gitDir) readOnly.push(policy.gitDir);
  const writable = [command.cwd];
  if (command.phase === 'run') {
    const artifacts = command.env.AUTOLAB_ARTIFACTS;
    const metricsFile = command.env.AUTOLAB_METRICS_FILE;
    const checkpoints = command.env.AUTOLAB_CHECKPOINT_DIR;
    if (artifacts && isAbsolute(artifacts)) writable.push(artifacts);
    if (checkpoints && isAbsolute(checkpoints)) writable.push(checkpoints);
    if (metricsFile && isAbsolute(metricsFile)) writable.push(metricsFile);
  }
  return { readOnly, writable, hidden, network: false };
}

/**
 * Adds the study's isolation to the requests of trial-code phases (legality, preflight,
 * run; told apart by `AUTOLAB_PHASE`): process and file-size limits always, the
 * sandbox when the policy says `bwrap` (then `TMPDIR` is `/tmp`, the sandbox's private
 * one). Setup and score, the evaluator's own commands, pass unchanged. Requests that
 * already carry a sandbox are left as they are.
 */
export function isolateTrialRequest(policy: TrialIsolationPolicy, request: CommandRequest): CommandRequest {
  const phase = request.env.AUTOLAB_PHASE ?? '';
  if (!TRIAL_CODE_PHASES.includes(phase)) return request;
  const isolated: CommandRequest = { ...request };
  isolated.maxProcesses ??= policy.task.run.maxProcesses ?? DEFAULT_TRIAL_PROCESS_LIMITS.maxProcesses;
  isolated.maxFileBytes ??= policy.task.run.maxFileBytes ?? DEFAULT_TRIAL_PROCESS_LIMITS.maxFileBytes;
  if (policy.sandbox === 'bwrap' && isolated.sandbox === undefined) {
    isolated.env = { ...request.env, TMPDIR: '/tmp' };
    isolated.sandbox = trialSandboxSpec(policy, { phase, cwd: request.cwd, env: request.env });
    const metricsFile = request.env.AUTOLAB_METRICS_FILE;
    if (phase === 'run' && metricsFile && isAbsolute(metricsFile)) touch(metricsFile); // a file is bound only if it exists
  }
  return isolated;
}

function touch(file: string): void {
  try {
    closeSync(openSync(file, 'a'));
  } catch {
    // its folder is missing: the run could not write it without a sandbox either
  }
}

/**
 * An Executor that isolates trial code: every request goes through `isolateTrialRequest`
 * on its way to `inner`, and a trial-code command that failed on a full disk comes back
 * with `machineFault` set (see `diskFullFault`). The engine wraps its executor with it once per study, so the
 * evaluator needs no knowledge of sandboxes.
 *
 * @example
 * const executor = new IsolatingExecutor(new LocalExecutor(), { task, paths, gitDir, sandbox: 'bwrap' });
 */
export class IsolatingExecutor implements Executor {
  readonly kind: string;

  constructor(
    private readonly inner: Executor,
    readonly policy: TrialIsolationPolicy,
  ) {
    this.kind = inner.kind;
  }

  /** Runs the isolated request; a trial-code command that failed because the disk is full is reported as the machine's fault. */
  async run(request: CommandRequest): Promise<CommandResult> {
    const isolated = isolateTrialRequest(this.policy, request);
    const result = await this.inner.run(isolated);
    if (isolated === request || result.machineFault) return result;
    const fault = await diskFullFault(isolated, result, this.policy.task.limits.maxArtifactBytes);
    return fault === null ? result : { ...result, machineFault: fault };
  }

  reapOrphans(token: string): Promise<number> {
    return this.inner.reapOrphans(token);
  }
}
