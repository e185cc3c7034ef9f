import { closeSync, openSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { CommandRequest, CommandResult, Executor, SandboxSpec } from '../core/executor.ts';
import type { SandboxMode, TaskSpec } from '../core/task.ts';
import { diskFullFault } from './disk-full.ts';
import type { StudyPaths } from '../layout/autolab-layout.ts';
import { exposedPaths, homesOf, secretFilesIn, toolchainPaths, userGitEntry } from './sandbox-view.ts';

/** Limits of trial-code commands when the task file sets none (threads count as processes). */
export const DEFAULT_TRIAL_PROCESS_LIMITS = {
  maxProcesses: 8192,
  maxFileBytes: 64 * 1024 ** 3,
} as const;

/** The phases whose command runs the trial's own code, in its worktree. */
export const TRIAL_CODE_PHASES: readonly string[] = ['preflight', 'smoke', 'run', 'profile'];

/**
 * The evaluator's own phases that read what a trial made: the legality command (the
 * trial's tree and diff) and the score (its artifacts). They run the evaluator's code
 * from the baseline's checkout, but on untrusted input, so they are sandboxed too.
 */
export const UNTRUSTED_INPUT_PHASES: readonly string[] = ['legality', 'score'];

/**
 * Files and folders under the user's home that hold credentials. The whole home is
 * hidden from sandboxed commands; these stay hidden even inside a folder the task file
 * exposes (a trial's output reaches the model through log excerpts, so whatever it can
 * read it can leak).
 */
export const CREDENTIAL_PATHS: readonly string[] = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.config/gh',
  '.config/hub',
  '.config/git/credentials',
  '.config/rclone',
  '.docker',
  '.kube',
  '.netrc',
  '.git-credentials',
  '.npmrc',
  '.pypirc',
  '.pgpass',
  '.vault-token',
  '.s3cfg',
  '.kaggle',
  '.huggingface',
  '.cache/huggingface/token',
  '.config/huggingface',
  '.wandb',
  '.netrc-wandb',
  '.config/autolab',
  '.anthropic',
  '.openai',
  '.codex',
  '.claude',
  '.claude.json',
  '.bash_history',
  '.zsh_history',
  '.python_history',
  '.node_repl_history',
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
  /** Home folders hidden (default: this user's and the command's `HOME`). */
  homes?: string[];
  /** `.env`-style files of the task and recipe folders and the `.git` of the user's repository, hidden (found once per policy when absent). */
  secretFiles?: string[];
}

/** What every sandbox hides, and what it shows of the hidden home again (read-only). */
function baseView(policy: TrialIsolationPolicy, env: Record<string, string>): { hidden: string[]; readOnly: string[] } {
  const homes = homesOf(env, policy.homes);
  policy.secretFiles ??= [
    ...new Set(
      [policy.task.root, policy.task.repo].flatMap((folder) => {
        const git = userGitEntry(folder);
        return git === null ? secretFilesIn(folder) : [...secretFilesIn(folder), git];
      }),
    ),
  ];
  const hidden = [policy.paths.state, ...PRIVATE_HOST_FOLDERS, ...homes, ...policy.secretFiles];
  for (const home of homes) for (const path of CREDENTIAL_PATHS) hidden.push(join(home, path));
  return { hidden, readOnly: [...toolchainPaths(env, homes), ...exposedPaths(policy.task.expose)] };
}

/**
 * The sandbox of one command that runs trial code (preflight, run): the host read-only,
 * the user's home and the study's state folder (`.autolab`: store, held-out data,
 * evaluator checkout, other trials) hidden, what the task file exposes and the
 * toolchain read-only, the task's data and the private repo read-only, the worktree
 * writable, the run's artifacts folder and metrics file writable, `/tmp` and the other
 * shared folders private and empty, `.env` files and credentials hidden, and no network.
 *
 * @example
 * const sandbox = trialSandboxSpec(policy, { phase: 'run', cwd: worktree, env: request.env });
 */
export function trialSandboxSpec(policy: TrialIsolationPolicy, command: { phase: string; cwd: string; env: Record<string, string> }): SandboxSpec {
  const { hidden, readOnly } = baseView(policy, command.env);
  readOnly.push(policy.paths.data);
  if (policy.gitDir) readOnly.push(policy.gitDir);
  // A continued ladder's run: its own artifacts of the level below, read-only.
  if (command.phase === 'run') readOnly.push(...absolute([command.env.AUTOLAB_RESUME_FROM]));
  const writable = [command.cwd];
  if (command.phase === 'run' || command.phase === 'smoke') writable.push(...absolute([command.env.AUTOLAB_ARTIFACTS, command.env.AUTOLAB_METRICS_FILE, command.env.AUTOLAB_CHECKPOINT_DIR]));
  return { readOnly, writable, hidden, network: false };
}

/**
 * The sandbox of the evaluator's phases that read what a trial made: as a run's, but
 * with the evaluator's checkout (its cwd) read-only and nothing of the study visible
 * except their input, read-only: the score sees the held-out data and the artifacts and
 * writes only to `$AUTOLAB_SCORE_DIR`; the legality command sees the trial's worktree
 * and its diff and writes nowhere but its private `/tmp`.
 *
 * @example
 * const sandbox = evaluatorSandboxSpec(policy, { phase: 'score', cwd: evaluatorDir, env: request.env });
 */
export function evaluatorSandboxSpec(policy: TrialIsolationPolicy, command: { phase: string; cwd: string; env: Record<string, string> }): SandboxSpec {
  const { hidden, readOnly } = baseView(policy, command.env);
  readOnly.push(command.cwd);
  const writable: string[] = [];
  if (command.phase === 'score') {
    readOnly.push(...absolute([command.env.AUTOLAB_HOLDOUT, command.env.AUTOLAB_ARTIFACTS]));
    writable.push(...absolute([command.env.AUTOLAB_SCORE_DIR]));
  } else {
    readOnly.push(...absolute([command.env.AUTOLAB_WORKTREE, command.env.AUTOLAB_DIFF]));
  }
  return { readOnly, writable, hidden, network: false };
}

function absolute(paths: ReadonlyArray<string | undefined>): string[] {
  return paths.filter((path): path is string => path !== undefined && isAbsolute(path));
}

/**
 * Adds the study's isolation to the requests of the phases that run trial code
 * (preflight, run) or read what it made (legality, score), told apart by
 * `AUTOLAB_PHASE`: process and file-size limits always, the sandbox when the policy
 * says `bwrap` (then `TMPDIR` is `/tmp`, the sandbox's private one). Setup, the
 * evaluator's own command on the user's files, passes unchanged. Requests that already
 * carry a sandbox are left as they are.
 */
export function isolateTrialRequest(policy: TrialIsolationPolicy, request: CommandRequest): CommandRequest {
  const phase = request.env.AUTOLAB_PHASE ?? '';
  const trialCode = TRIAL_CODE_PHASES.includes(phase);
  if (!trialCode && !UNTRUSTED_INPUT_PHASES.includes(phase)) return request;
  const isolated: CommandRequest = { ...request };
  isolated.maxProcesses ??= policy.task.run.maxProcesses ?? DEFAULT_TRIAL_PROCESS_LIMITS.maxProcesses;
  isolated.maxFileBytes ??= policy.task.run.maxFileBytes ?? DEFAULT_TRIAL_PROCESS_LIMITS.maxFileBytes;
  if (policy.sandbox === 'bwrap' && isolated.sandbox === undefined) {
    isolated.env = { ...request.env, TMPDIR: '/tmp' };
    const command = { phase, cwd: request.cwd, env: request.env };
    isolated.sandbox = trialCode ? trialSandboxSpec(policy, command) : evaluatorSandboxSpec(policy, command);
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
    if (!TRIAL_CODE_PHASES.includes(request.env.AUTOLAB_PHASE ?? '') || result.machineFault) return result;
    const fault = await diskFullFault(isolated, result, this.policy.task.limits.maxArtifactBytes);
    return fault === null ? result : { ...result, machineFault: fault };
  }

  reapOrphans(token: string): Promise<number> {
    return this.inner.reapOrphans(token);
  }
}
