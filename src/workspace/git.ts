/**
 * A small promise wrapper over the `git` CLI (git >= 2.38), the only way this folder
 * talks to git. Every call runs with autolab's identity, without hooks, fsmonitor,
 * signing or the system config, and never prompts; calls into the private repo also
 * without the user's global config and attributes (so no filter or textconv program
 * is named from there; the repo's own config is verified on open, see
 * `private-repo-config.ts`). A failure becomes a {@link GitError} carrying git's stderr.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AutolabError } from '../core/errors.ts';

/** Options of every git call. */
export interface GitOptions {
  /** Working directory of the call (`git -C`). */
  cwd?: string;
  /** `--git-dir` (the private bare repo). */
  gitDir?: string;
  /** `--work-tree`, with {@link GitOptions.gitDir}. */
  workTree?: string;
  /** Bytes or text written to git's stdin. */
  input?: string | Buffer;
  /** Extra environment (e.g. `GIT_INDEX_FILE`). */
  env?: Record<string, string>;
  /**
   * `private` (default): the user's global config is not read either, so nothing in
   * `~/.gitconfig` changes what autolab's own repo does. `user`: a call into the user's
   * repository, which keeps the user's global config (e.g. `safe.directory`).
   */
  profile?: 'private' | 'user';
  /** The git executable (tests use it to simulate a missing git). */
  executable?: string;
}

/** The outcome of a call that may legitimately exit non-zero. */
export interface GitResult {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/** A git command that failed; `stderr` is git's own explanation. */
export class GitError extends AutolabError {
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(args: readonly string[], exitCode: number | null, stderr: string, options: { cause?: unknown; hint?: string } = {}) {
    const detail = stderr.trim() || `exit code ${exitCode ?? 'unknown'}`;
    super('GitError', `git ${args[0] ?? ''} failed: ${detail}`, options);
    this.args = args;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/**
 * The null object id of the same hash format as `oid` (sha1 or sha256): as the expected
 * old value of `git update-ref`, it means "this ref must not exist yet".
 */
export function zeroOidLike(oid: string): string {
  return '0'.repeat(oid.length);
}

const CONFIG_ARGS = [
  '-c', 'user.name=autolab',
  '-c', 'user.email=autolab@localhost',
  '-c', 'commit.gpgsign=false',
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.fsmonitor=false',
];

/** More settings of calls into the private repo: no attributes file from the user's config folder. */
const PRIVATE_CONFIG_ARGS = ['-c', 'core.attributesFile=/dev/null'];

/** Largest output buffered from one call (diffs of big binary files). */
const MAX_BUFFER = 1024 * 1024 * 1024;

/** The inherited environment minus every `GIT_*` variable a caller or hook may have left. */
function inheritedEnv(): Record<string, string> {
  const keep = new Set(['GIT_EXEC_PATH', 'GIT_CEILING_DIRECTORIES']);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (key.startsWith('GIT_') && !keep.has(key)) continue;
    env[key] = value;
  }
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_TERMINAL_PROMPT = '0';
  // Reads (status, diff) must never rewrite the user's index as a side effect.
  env.GIT_OPTIONAL_LOCKS = '0';
  env.LC_ALL = 'C';
  return env;
}

function commandLine(args: readonly string[], options: GitOptions): { file: string; argv: string[]; env: Record<string, string> } {
  const isPrivate = (options.profile ?? 'private') === 'private';
  const argv = [...CONFIG_ARGS, ...(isPrivate ? PRIVATE_CONFIG_ARGS : [])];
  if (options.gitDir !== undefined) argv.push(`--git-dir=${options.gitDir}`);
  if (options.workTree !== undefined) argv.push(`--work-tree=${options.workTree}`);
  argv.push(...args);
  const env = { ...inheritedEnv(), ...options.env };
  if (isPrivate) {
    env.GIT_CONFIG_GLOBAL = '/dev/null';
    env.GIT_ATTR_NOSYSTEM = '1';
  }
  return { file: options.executable ?? 'git', argv, env };
}

/** ENOENT from spawn: either git is missing or the working directory is (Node cannot tell). */
function spawnFailure(args: readonly string[], options: GitOptions, cause: unknown): GitError {
  if (options.cwd !== undefined && !existsSync(options.cwd)) {
    return new GitError(args, null, `working directory ${options.cwd} does not exist`, { cause });
  }
  return missingGit(args, cause);
}

function missingGit(args: readonly string[], cause: unknown): GitError {
  return new GitError(args, null, 'git was not found on PATH; install git (2.38 or newer)', {
    cause,
    hint: 'autolab needs the git CLI (2.38 or newer): install git (e.g. `apt-get install git`, `brew install git`) and make sure `git --version` works',
  });
}

/** git processes started by this process, by subcommand, and the milliseconds they took (for bench:overhead's profile). */
const tally = new Map<string, { calls: number; ms: number }>();

/**
 * How many git processes this process started, per subcommand, with their wall time
 * (a copy; `reset` starts counting again).
 *
 * @example
 * gitCallTally({ reset: true }); await study.run({ trials: 10 }); console.log(gitCallTally());
 */
export function gitCallTally(options: { reset?: boolean } = {}): Record<string, { calls: number; ms: number }> {
  const copy = Object.fromEntries([...tally].map(([name, entry]) => [name, { ...entry }]));
  if (options.reset) tally.clear();
  return copy;
}

function counted<T>(args: readonly string[], work: Promise<T>): Promise<T> {
  const started = performance.now();
  const name = args[0] ?? '';
  const settle = () => {
    const entry = tally.get(name) ?? { calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += performance.now() - started;
    tally.set(name, entry);
  };
  work.then(settle, settle);
  return work;
}

/**
 * Runs git and resolves with its exit code and output, whatever the exit code; rejects
 * only when git cannot be started.
 */
export function gitResult(args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  return counted(args, runGit(args, options));
}

function runGit(args: readonly string[], options: GitOptions): Promise<GitResult> {
  const { file, argv, env } = commandLine(args, options);
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      argv,
      { cwd: options.cwd, env, encoding: 'buffer', maxBuffer: MAX_BUFFER, windowsHide: true },
      (error, stdout, stderr) => {
        const code: unknown = error ? (error as { code?: unknown }).code : 0;
        if (code === 'ENOENT') {
          reject(spawnFailure(args, options, error));
          return;
        }
        if (error && typeof code !== 'number') {
          reject(new GitError(args, null, `${stderr.toString()}${error.message}`, { cause: error }));
          return;
        }
        resolve({ exitCode: typeof code === 'number' ? code : 0, stdout, stderr: stderr.toString() });
      },
    );
    child.stdin?.on('error', () => {
      // git may exit before reading all of stdin; its exit status tells the story.
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/**
 * Runs git and resolves with its stdout as text (or rejects with a {@link GitError}).
 *
 * @example
 * const head = (await git(['rev-parse', 'HEAD'], { cwd: repo })).trim();
 */
export async function git(args: readonly string[], options: GitOptions = {}): Promise<string> {
  return (await gitBuffer(args, options)).toString('utf8');
}

/** Like {@link git}, with stdout as raw bytes. */
export async function gitBuffer(args: readonly string[], options: GitOptions = {}): Promise<Buffer> {
  const result = await gitResult(args, options);
  if (result.exitCode !== 0) throw new GitError(args, result.exitCode, result.stderr);
  return result.stdout;
}

/**
 * Starts a long-lived git process with autolab's settings (the same command line and
 * environment as every other call); the caller owns it (`cat-file-batch.ts`).
 */
export function spawnGit(args: readonly string[], options: GitOptions = {}): ChildProcessWithoutNullStreams {
  const { file, argv, env } = commandLine(args, options);
  const counting = tally.get(args[0] ?? '') ?? { calls: 0, ms: 0 };
  counting.calls++;
  tally.set(args[0] ?? '', counting);
  return spawn(file, argv, { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
}

/**
 * Streams the stdout of one git command into the stdin of another (e.g. `pack-objects`
 * into `index-pack`) without buffering it; resolves with the consumer's stdout.
 */
export function gitPipe(
  producer: { args: readonly string[]; options?: GitOptions },
  consumer: { args: readonly string[]; options?: GitOptions },
): Promise<string> {
  const from = commandLine(producer.args, producer.options ?? {});
  const to = commandLine(consumer.args, consumer.options ?? {});
  return new Promise((resolve, reject) => {
    const source = spawn(from.file, from.argv, { cwd: producer.options?.cwd, env: from.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const sink = spawn(to.file, to.argv, { cwd: consumer.options?.cwd, env: to.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let sourceErr = '';
    let sinkErr = '';
    let sinkOut = '';
    let pending = 2;
    let failure: Error | undefined;
    const finish = (): void => {
      pending -= 1;
      if (pending > 0) return;
      if (failure) reject(failure);
      else resolve(sinkOut);
    };
    const fail = (error: Error): void => {
      failure ??= error;
    };
    source.stderr.on('data', (chunk: Buffer) => (sourceErr += chunk.toString()));
    sink.stderr.on('data', (chunk: Buffer) => (sinkErr += chunk.toString()));
    sink.stdout.on('data', (chunk: Buffer) => (sinkOut += chunk.toString()));
    sink.stdin.on('error', () => {});
    source.stdin.on('error', () => {});
    source.stdout.pipe(sink.stdin);
    for (const [child, args, options, stderr] of [
      [source, producer.args, producer.options ?? {}, () => sourceErr],
      [sink, consumer.args, consumer.options ?? {}, () => sinkErr],
    ] as const) {
      let done = false;
      child.on('error', (error: NodeJS.ErrnoException) => {
        fail(error.code === 'ENOENT' ? spawnFailure(args, options, error) : new GitError(args, null, error.message, { cause: error }));
        if (!done) {
          done = true;
          finish();
        }
      });
      child.on('close', (code) => {
        if (code !== 0) fail(new GitError(args, code, stderr()));
        if (!done) {
          done = true;
          finish();
        }
      });
    }
    if (producer.options?.input !== undefined) source.stdin.end(producer.options.input);
    else source.stdin.end();
  });
}
