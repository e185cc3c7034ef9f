import { ulimitLines, type ShellLimits } from '../shared/resource-limits.ts';

/**
 * What the `/bin/sh` wrapper around a command sets up before it `exec`s the command: its
 * `ulimit` limits (`maxProcesses` only when `cgroupProcsFile` is absent), the cgroup and
 * the sandbox launcher.
 */
export interface ShellWrapperInput extends ShellLimits {
  command: string;
  /** The wrapper writes its pid here first (a pids cgroup's `cgroup.procs`), so everything it starts is counted. */
  cgroupProcsFile?: string | null;
  /** A sandbox launcher and its arguments (e.g. `bwrap ... --`); the command runs as `<launcher...> /bin/sh -c <command>`. */
  launcher?: string[] | null;
}

/**
 * The arguments for `/bin/sh` that run `input.command` under its limits. With nothing to
 * set up it is plain `-c <command>`; otherwise a small script applies the limits (each
 * one that the OS refuses leaves a note on stderr and the run goes on) and `exec`s the
 * command, through the launcher when there is one. The command and the paths travel as
 * positional parameters, never spliced into the script.
 *
 * @example
 * spawn('/bin/sh', shellWrapperArguments({ command: 'python train.py', maxFileBytes: 1 << 30 }));
 */
export function shellWrapperArguments(input: ShellWrapperInput): string[] {
  const lines: string[] = [];
  const cgroup = input.cgroupProcsFile ?? null;
  if (cgroup !== null) {
    lines.push('echo $$ > "$2" 2>/dev/null || echo "[autolab: could not join the process-limit cgroup; processes are not limited]" >&2');
  }
  // With a cgroup the process limit is the cgroup's (ulimit -u is not enforced for root).
  lines.push(...ulimitLines({ ...input, maxProcesses: cgroup === null ? input.maxProcesses : undefined }));
  const launcher = input.launcher ?? null;
  if (lines.length === 0 && launcher === null) return ['-c', input.command];
  lines.push('command_text=$1', 'shift 2');
  lines.push(launcher === null ? 'exec /bin/sh -c "$command_text"' : 'exec "$@" /bin/sh -c "$command_text"');
  return ['-c', lines.join('\n'), 'autolab-run', input.command, cgroup ?? '', ...(launcher ?? [])];
}
