/**
 * The batch script autolab hands to `sbatch` for one phase command, and the status file
 * that script leaves behind. The script carries every option as an `#SBATCH` line, so
 * `sbatch run.sbatch` runs the same job again by hand.
 */

import { ulimitLines, type ShellLimits } from '../shared/resource-limits.ts';

/** What Slurm is asked for, per job. */
export interface SlurmResources {
  partition?: string;
  account?: string;
  gpus?: number;
  cpus?: number;
  memoryBytes?: number;
  timeLimitMs: number;
  /** More sbatch options, as written in the task file. */
  extraArgs: readonly string[];
}

/** One batch script; its `ulimit` limits (`memoryBytes`, `maxFileBytes`, `maxProcesses`) apply before the command, as locally. */
export interface BatchScriptInput extends ShellLimits {
  /** `--job-name`; autolab's names start with `autolab-<token8>-` so orphans can be found. */
  jobName: string;
  /** Slurm writes the job's combined stdout and stderr here (the log file). */
  outputFile: string;
  /** The script writes `started …`, then `exited <code> …` (or `cwd-missing`) here. */
  statusFile: string;
  cwd: string;
  /** The command's whole environment (Slurm's own `SLURM_*` variables and GPU binding are added). */
  env: Readonly<Record<string, string>>;
  command: string;
  resources: SlurmResources;
  /**
   * A job array (`--array=<indices>`, e.g. `0-4`): every element runs the same command;
   * its output and status files get `.<index>`, and `AUTOLAB_ARRAY_INDEX` tells it which
   * one it is. (Repeats of a trial will use it.)
   */
  array?: { indices: string };
}

/** Variables Slurm sets in a job that the command keeps, beside `SLURM_*` (minus `SLURM_EXPORT_ENV`). */
const SLURM_GPU_VARIABLES = ['CUDA_VISIBLE_DEVICES', 'GPU_DEVICE_ORDINAL', 'ROCR_VISIBLE_DEVICES'];

/** Single-quotes a word for /bin/sh. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A value on an `#SBATCH` line: double-quoted when it holds whitespace (Slurm's parser honours the quotes). */
function sbatchValue(value: string): string {
  return /[\s"]/.test(value) ? `"${value.replace(/"/g, '\\"')}"` : value;
}

/** Slurm's `--time` in whole minutes, rounded up (Slurm's resolution). */
export function slurmTimeLimit(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 60_000)));
}

/** The `sbatch` options for the resources, one per `#SBATCH` line. */
export function sbatchOptions(resources: SlurmResources): string[] {
  const options: string[] = [];
  if (resources.partition !== undefined) options.push(`--partition=${resources.partition}`);
  if (resources.account !== undefined) options.push(`--account=${resources.account}`);
  if (resources.gpus !== undefined && resources.gpus > 0) options.push(`--gres=gpu:${resources.gpus}`);
  if (resources.cpus !== undefined) options.push(`--cpus-per-task=${resources.cpus}`);
  if (resources.memoryBytes !== undefined) options.push(`--mem=${Math.ceil(resources.memoryBytes / (1024 * 1024))}M`);
  options.push(`--time=${slurmTimeLimit(resources.timeLimitMs)}`);
  options.push(...resources.extraArgs);
  return options;
}

/**
 * The batch script. It records its start, enters the working directory (or records
 * `cwd-missing`: the folder must be on a filesystem the node shares), applies the
 * `ulimit` limits, runs the command with exactly `env` plus Slurm's `SLURM_*` variables
 * and GPU binding (`env -i`) in a process group of its own, kills whatever of that group
 * is left when the command returns (or the job gets SIGTERM: scancel, the time limit),
 * as the local executor does, then records the exit code. A job killed by Slurm (scancel, time
 * limit, memory) never records one; its end is then read from `sacct`.
 * The job does not inherit the submitter's environment (`--export=NONE`) and is not
 * requeued by Slurm (`--no-requeue`): autolab retries the machine's faults itself.
 *
 * @example
 * await writeFile(`${trialDir}/run.sbatch`, batchScript({ jobName: 'autolab-1a2b3c4d-7-run', outputFile: `${trialDir}/run.log`, statusFile: `${trialDir}/run.status`, cwd: worktree, env, command: 'python train.py', resources: { timeLimitMs: 3_900_000, extraArgs: [] } }));
 */
export function batchScript(input: BatchScriptInput): string {
  const array = input.array;
  const indexSuffix = array ? '.%a' : '';
  const lines = [
    '#!/bin/sh',
    `#SBATCH --job-name=${input.jobName}`,
    `#SBATCH --output=${sbatchValue(input.outputFile + indexSuffix)}`,
    '#SBATCH --open-mode=truncate',
    '#SBATCH --export=NONE',
    '#SBATCH --no-requeue',
    ...(array ? [`#SBATCH --array=${array.indices}`] : []),
    ...sbatchOptions(input.resources).map((option) => `#SBATCH ${option}`),
    '# Written by autolab: one phase command of one trial. `sbatch` this file to run it again by hand.',
    `autolab_status=${shellQuote(input.statusFile)}${array ? '.$SLURM_ARRAY_TASK_ID' : ''}`,
    `printf 'started %s %s\\n' "$(date +%s%N)" "$(hostname)" > "$autolab_status"`,
    `if ! cd ${shellQuote(input.cwd)} 2>/dev/null; then`,
    `  printf 'cwd-missing %s\\n' "$(hostname)" >> "$autolab_status"`,
    `  echo "[autolab: the working directory ${input.cwd.replace(/["$`\\]/g, '\\$&')} is not visible on $(hostname): it must be on a filesystem the nodes share with the driver]" >&2`,
    '  exit 1',
    'fi',
  ];
  lines.push(...ulimitLines(input));
  lines.push(
    '# Slurm\'s own variables and GPU binding are kept; nothing else of the node\'s environment.',
    'set --',
    `for autolab_name in $(/usr/bin/env | sed -n 's/^\\(SLURM_[A-Za-z0-9_]*\\)=.*/\\1/p; ${SLURM_GPU_VARIABLES.map((name) => `s/^\\(${name}\\)=.*/\\1/p`).join('; ')}'); do`,
    '  [ "$autolab_name" = SLURM_EXPORT_ENV ] && continue',
    '  eval "autolab_value=\\${$autolab_name}"',
    '  set -- "$@" "$autolab_name=$autolab_value"',
    'done',
    ...(array ? ['set -- "$@" "AUTOLAB_ARRAY_INDEX=$SLURM_ARRAY_TASK_ID"'] : []),
    '# The command gets a process group of its own (setsid, where the node has it). What it leaves',
    '# behind when it returns, or when the job is cancelled, is killed: the node keeps nothing of a trial.',
    'set +m',
    'autolab_group=',
    'trap \'[ -n "$autolab_group" ] && kill -KILL -"$autolab_group" 2>/dev/null; exit 143\' TERM',
    'autolab_setsid=',
    'command -v setsid >/dev/null 2>&1 && autolab_setsid=setsid',
    '$autolab_setsid /usr/bin/env -i \\',
    ...Object.entries(input.env).map(([name, value]) => `  ${shellQuote(`${name}=${value}`)} \\`),
    `  "$@" /bin/sh -c ${shellQuote(input.command)} &`,
    'autolab_group=$!',
    'wait "$autolab_group"',
    'autolab_code=$?',
    'kill -KILL -"$autolab_group" 2>/dev/null',
    `printf 'exited %s %s\\n' "$autolab_code" "$(date +%s%N)" >> "$autolab_status"`,
    'exit $autolab_code',
    '',
  );
  return lines.join('\n');
}

/** What the batch script recorded in its status file. */
export interface JobStatusRecord {
  /** Nanoseconds since the epoch, on the node's clock, when the script started. */
  startedNs: bigint | null;
  /** The node the script ran on. */
  host: string | null;
  /** The command's exit code, when it returned (a shell reports a signal as 128+n). */
  exitCode: number | null;
  endedNs: bigint | null;
  /** The working directory was not visible on the node. */
  cwdMissing: boolean;
}

/** Reads a status file's text; a missing or partial file gives nulls. The last `started` line counts. */
export function parseStatusFile(text: string): JobStatusRecord {
  const record: JobStatusRecord = { startedNs: null, host: null, exitCode: null, endedNs: null, cwdMissing: false };
  for (const line of text.split('\n')) {
    const [word, first, second] = line.trim().split(/\s+/);
    if (word === 'started') {
      Object.assign(record, { startedNs: nanoseconds(first), host: second ?? null, exitCode: null, endedNs: null, cwdMissing: false });
    } else if (word === 'exited' && first !== undefined && /^\d+$/.test(first)) {
      record.exitCode = Number(first);
      record.endedNs = nanoseconds(second);
    } else if (word === 'cwd-missing') {
      record.cwdMissing = true;
      record.host = first ?? record.host;
    }
  }
  return record;
}

function nanoseconds(text: string | undefined): bigint | null {
  return text !== undefined && /^\d{10,}$/.test(text) ? BigInt(text) : null;
}
