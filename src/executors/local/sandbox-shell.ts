/** What the `/bin/sh` wrapper around a command sets up before it `exec`s the command. */
export interface ShellWrapperInput {
  command: string;
  /** `ulimit -v` (address space), bytes. */
  memoryBytes?: number;
  /** `ulimit -f` (largest file written), bytes. */
  maxFileBytes?: number;
  /** `ulimit -u` (dash: `-p`), processes; only used when `cgroupProcsFile` is absent. */
  maxProcesses?: number;
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
  if (input.memoryBytes !== undefined) {
    const kib = Math.ceil(input.memoryBytes / 1024);
    lines.push(`ulimit -v ${kib} 2>/dev/null || echo "[autolab: could not set the memory limit (ulimit -v ${kib})]" >&2`);
  }
  if (input.maxFileBytes !== undefined) {
    const blocks = Math.max(1, Math.floor(input.maxFileBytes / 512)); // POSIX ulimit -f counts 512-byte blocks
    lines.push(`ulimit -f ${blocks} 2>/dev/null || echo "[autolab: could not set the file size limit (ulimit -f ${blocks})]" >&2`);
  }
  if (input.maxProcesses !== undefined && cgroup === null) {
    const count = Math.max(1, Math.floor(input.maxProcesses));
    // bash spells the process limit -u, dash -p.
    lines.push(`{ ulimit -u ${count} || ulimit -p ${count}; } 2>/dev/null || echo "[autolab: could not set the process limit (ulimit -u ${count})]" >&2`);
  }
  const launcher = input.launcher ?? null;
  if (lines.length === 0 && launcher === null) return ['-c', input.command];
  lines.push('command_text=$1', 'shift 2');
  lines.push(launcher === null ? 'exec /bin/sh -c "$command_text"' : 'exec "$@" /bin/sh -c "$command_text"');
  return ['-c', lines.join('\n'), 'autolab-run', input.command, cgroup ?? '', ...(launcher ?? [])];
}
