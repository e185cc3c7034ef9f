import { execFile } from 'node:child_process';

/** What one Slurm client command (`sbatch`, `squeue`, `sacct`, `scancel`, `scontrol`) answered. */
export interface SlurmCommandOutput {
  /** The exit code; null when it could not be started or was killed (its own timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one Slurm client command. The executor and its poller talk to Slurm only through
 * this, so tests can answer for Slurm (see `job-poller.test.ts`). Must never reject:
 * failures are answered as a null or non-zero `code` with the reason in `stderr`.
 */
export type SlurmCommandRunner = (program: string, args: readonly string[]) => Promise<SlurmCommandOutput>;

export interface ExecSlurmOptions {
  /** Kills a client command that hangs (an unreachable controller); default 30 s. */
  timeoutMs?: number;
  /** Environment of the client commands; default the driver's. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The real runner: `execFile` with a timeout, no shell. Slurm's clients read
 * `SLURM_CONF` and the like from the environment, so the driver's is passed on.
 *
 * @example
 * const run = execSlurmCommand({ timeoutMs: 10_000 });
 * const { code, stdout } = await run('squeue', ['-h', '--me', '-o', '%i %T']);
 */
export function execSlurmCommand(options: ExecSlurmOptions = {}): SlurmCommandRunner {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return (program, args) =>
    new Promise((resolve) => {
      execFile(
        program,
        [...args],
        { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20, env: options.env ?? process.env, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error === null) return resolve({ code: 0, stdout, stderr });
          const failure = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
          if (typeof failure.code === 'number') return resolve({ code: failure.code, stdout, stderr });
          const why = failure.killed ? `${program} did not answer within ${timeoutMs} ms` : `${program} could not be run: ${failure.message}`;
          resolve({ code: null, stdout, stderr: `${stderr}${stderr && !stderr.endsWith('\n') ? '\n' : ''}${why}` });
        },
      );
    });
}

/** One line saying why a Slurm command failed, for messages and warnings. */
export function describeCommandFailure(program: string, output: SlurmCommandOutput): string {
  const text = (output.stderr.trim() || output.stdout.trim()).split('\n').slice(-3).join(' | ');
  return `${program} failed${output.code === null ? '' : ` (exit ${output.code})`}${text ? `: ${text}` : ''}`;
}
