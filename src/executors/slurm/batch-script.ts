/**
 * The batch script autolab hands to `sbatch` for one phase command (or, as a job array,
 * for the repeats of one trial), and the status file that script leaves behind. The
 * script carries every option as an `#SBATCH` line, so `sbatch run.sbatch` runs the same
 * job again by hand.
 */
import { elementLines, jobBodyLines } from './batch-script-body.ts';
import type { BatchScriptInput, SlurmResources } from './batch-script-input.ts';

export type { BatchScriptInput, JobElement, SlurmResources } from './batch-script-input.ts';

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

/** Whether a `gpus` value asks for any GPU (`0` and `a100:0` do not). */
function wantsGpus(gpus: string | undefined): gpus is string {
  return gpus !== undefined && !/(^|:)0+$/.test(gpus);
}

/** The `sbatch` options for the resources, one per `#SBATCH` line. */
export function sbatchOptions(resources: SlurmResources): string[] {
  const options: string[] = [];
  if (resources.partition !== undefined) options.push(`--partition=${resources.partition}`);
  if (resources.account !== undefined) options.push(`--account=${resources.account}`);
  if (resources.nodes !== undefined) options.push(`--nodes=${resources.nodes}`);
  if (resources.ntasks !== undefined) options.push(`--ntasks=${resources.ntasks}`);
  if (resources.ntasksPerNode !== undefined) options.push(`--ntasks-per-node=${resources.ntasksPerNode}`);
  if (wantsGpus(resources.gpus)) options.push(`--gres=gpu:${resources.gpus}`);
  if (resources.cpus !== undefined) options.push(`--cpus-per-task=${resources.cpus}`);
  if (resources.memoryBytes !== undefined) options.push(`--mem=${Math.ceil(resources.memoryBytes / (1024 * 1024))}M`);
  options.push(`--time=${slurmTimeLimit(resources.timeLimitMs)}`);
  options.push(...resources.extraArgs);
  return options;
}

function headerLines(input: BatchScriptInput): string[] {
  const array = input.elements.length > 1;
  const signal = input.signal;
  return [
    '#!/bin/bash',
    `#SBATCH --job-name=${input.jobName}`,
    `#SBATCH --output=${sbatchValue(input.slurmOutputFile)}`,
    '#SBATCH --open-mode=append',
    '#SBATCH --export=NONE',
    input.requeue ? '#SBATCH --requeue' : '#SBATCH --no-requeue',
    ...(array ? [`#SBATCH --array=0-${input.elements.length - 1}`] : []),
    ...(signal ? [`#SBATCH --signal=B:${signal.name}@${Math.max(1, Math.round(signal.beforeMs / 1000))}`] : []),
    ...sbatchOptions(input.resources).map((option) => `#SBATCH ${option}`),
    '# Written by autolab: one phase command of one trial (a job array: one element per repeat).',
    '# `sbatch` this file to run it again by hand.',
  ];
}

/**
 * The batch script (bash). Element `$SLURM_ARRAY_TASK_ID` (0 for a plain job) records its
 * start, enters its working directory (or records `cwd-missing`: the folder must be on a
 * filesystem the node shares), stages it to node-local scratch if asked, checks that
 * bubblewrap works on the node when the command has a sandbox (else `sandbox-missing`),
 * then runs the command with exactly its environment plus Slurm's `SLURM_*` variables and
 * GPU binding (`env -i`), under its `ulimit` limits, in a process group of its own, its
 * output cut at the cap as it is written (the rest counted, its tail kept). It forwards
 * the checkpoint signal to the command (and sends it itself before the budget), kills
 * whatever of the group is left when the command returns or the job gets SIGTERM (scancel,
 * the time limit), copies the staged artifacts back, and records the exit code. A job
 * killed by Slurm never records one; its end is then read from `sacct`.
 *
 * @example
 * await writeFile(`${trialDir}/run.sbatch`, batchScript({ jobName: 'autolab-1a2b3c4d-7-run', slurmOutputFile: `${trialDir}/run.slurm.log`, elements: [element], resources: { timeLimitMs: 3_900_000, extraArgs: [] } }));
 */
export function batchScript(input: BatchScriptInput): string {
  const lines = [...headerLines(input), 'set +m', 'autolab_i="${SLURM_ARRAY_TASK_ID:-0}"', 'case "$autolab_i" in'];
  input.elements.forEach((element, index) => lines.push(...elementLines(index, element, input)));
  lines.push('*) echo "[autolab: this job has no element $autolab_i]" >&2; exit 1 ;;', 'esac');
  lines.push(...jobBodyLines(input));
  return [...lines, ''].join('\n');
}

/** What the batch script recorded in its status file. */
export interface JobStatusRecord {
  /** Nanoseconds since the epoch, on the node's clock, when the script (last) started. */
  startedNs: bigint | null;
  /** The node the script ran on. */
  host: string | null;
  /** How many times the script started (more than one: Slurm requeued the job). */
  starts: number;
  /** The command's exit code, when it returned (a shell reports a signal as 128+n). */
  exitCode: number | null;
  endedNs: bigint | null;
  /** The working directory was not visible on the node. */
  cwdMissing: boolean;
  /** Why the command could not start on the node (no working bubblewrap, staging failed), or null. */
  nodeProblem: string | null;
  /** Bytes of output past the cap (counted, not kept); null when the script did not say. */
  droppedBytes: number | null;
}

/** Reads a status file's text; a missing or partial file gives nulls. The last `started` line counts. */
export function parseStatusFile(text: string): JobStatusRecord {
  const record: JobStatusRecord = { startedNs: null, host: null, starts: 0, exitCode: null, endedNs: null, cwdMissing: false, nodeProblem: null, droppedBytes: null };
  for (const line of text.split('\n')) {
    const [word, first, second] = line.trim().split(/\s+/);
    const rest = line.trim().split(/\s+/).slice(2).join(' ');
    if (word === 'started') {
      Object.assign(record, { startedNs: nanoseconds(first), host: second ?? null, starts: record.starts + 1, exitCode: null, endedNs: null, cwdMissing: false, nodeProblem: null, droppedBytes: null });
    } else if (word === 'exited' && first !== undefined && /^\d+$/.test(first)) {
      record.exitCode = Number(first);
      record.endedNs = nanoseconds(second);
    } else if (word === 'cwd-missing') {
      record.cwdMissing = true;
      record.host = first ?? record.host;
    } else if (word === 'sandbox-missing' || word === 'stage-failed') {
      record.host = first ?? record.host;
      const what = word === 'sandbox-missing' ? 'bubblewrap cannot build the sandbox' : 'the worktree could not be staged to node-local scratch';
      record.nodeProblem = `${what} on node ${record.host ?? '?'}${rest ? ` (${rest})` : ''}`;
    } else if (word === 'output' && first !== undefined && /^\d+$/.test(first)) {
      record.droppedBytes = Number(first);
    }
  }
  return record;
}

function nanoseconds(text: string | undefined): bigint | null {
  return text !== undefined && /^\d{10,}$/.test(text) ? BigInt(text) : null;
}
