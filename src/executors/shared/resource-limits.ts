/**
 * The `ulimit` lines that put a command under the Executor port's limits
 * (`CommandRequest.memoryBytes`, `maxFileBytes`, `maxProcesses`), shared by the local
 * executor's shell wrapper and the Slurm batch script.
 */

/** The limits a `/bin/sh` applies to itself before it runs the command. */
export interface ShellLimits {
  /** `ulimit -v` (address space), bytes. */
  memoryBytes?: number;
  /** `ulimit -f` (largest file written), bytes. */
  maxFileBytes?: number;
  /** `ulimit -u` (dash: `-p`), processes of the user. */
  maxProcesses?: number;
}

/**
 * The `/bin/sh` lines that apply `limits`, in the order memory, file size, processes.
 * A limit that the OS refuses leaves a note on stderr (`[autolab: could not set ...]`)
 * and the run goes on.
 *
 * @example
 * ulimitLines({ memoryBytes: 1 << 30 }) // ['ulimit -v 1048576 2>/dev/null || echo "[autolab: could not set the memory limit (ulimit -v 1048576)]" >&2']
 */
export function ulimitLines(limits: ShellLimits): string[] {
  const lines: string[] = [];
  if (limits.memoryBytes !== undefined) {
    const kib = Math.ceil(limits.memoryBytes / 1024);
    lines.push(`ulimit -v ${kib} 2>/dev/null || echo "[autolab: could not set the memory limit (ulimit -v ${kib})]" >&2`);
  }
  if (limits.maxFileBytes !== undefined) {
    const blocks = Math.max(1, Math.floor(limits.maxFileBytes / 512)); // POSIX ulimit -f counts 512-byte blocks
    lines.push(`ulimit -f ${blocks} 2>/dev/null || echo "[autolab: could not set the file size limit (ulimit -f ${blocks})]" >&2`);
  }
  if (limits.maxProcesses !== undefined) {
    const count = Math.max(1, Math.floor(limits.maxProcesses));
    // bash spells the process limit -u, dash -p.
    lines.push(`{ ulimit -u ${count} || ulimit -p ${count}; } 2>/dev/null || echo "[autolab: could not set the process limit (ulimit -u ${count})]" >&2`);
  }
  return lines;
}
