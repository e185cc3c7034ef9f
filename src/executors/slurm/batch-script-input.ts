/** What a batch script is made of (see `batchScript`): the job's elements, its resources, how its commands run on the node. */
import type { SandboxSpec } from '../../core/executor.ts';
import type { ShellLimits } from '../shared/resource-limits.ts';
import type { CheckpointSignal } from './slurm-options.ts';

/** What Slurm is asked for, per job. */
export interface SlurmResources {
  partition?: string;
  account?: string;
  /** `--gres=gpu:<gpus>`: `2` or `a100:2`. */
  gpus?: string;
  cpus?: number;
  memoryBytes?: number;
  timeLimitMs: number;
  nodes?: number;
  ntasks?: number;
  ntasksPerNode?: number;
  /** More sbatch options, as written in the task file. */
  extraArgs: readonly string[];
}

/** One command of a job (a job has one; a job array one per element, in index order). */
export interface JobElement extends ShellLimits {
  /** The phase's log: the command's stdout and stderr, cut at `outputCapBytes` while the job runs. */
  logFile: string;
  /** The script writes `started …`, `output …`, then `exited <code> …` (or why the command could not start) here. */
  statusFile: string;
  /** The last 64 KiB of everything the command wrote, kept when the output went past the cap. */
  tailFile: string;
  cwd: string;
  /** The command's whole environment (Slurm's own `SLURM_*` variables and GPU binding are added). */
  env: Readonly<Record<string, string>>;
  command: string;
  outputCapBytes: number;
  /** autolab's budget, for the checkpoint signal's timer. */
  timeoutMs: number;
  /** Run under bubblewrap on the node with this view (the job fails as the machine's fault where bwrap does not work). */
  sandbox?: SandboxSpec;
  /** Run where the command ran once it ended, however it ended (see `CommandRequest.cleanupCommand`). */
  cleanup?: string;
}

/** One batch script: the job's elements, what the job asks for, and how its commands run on the node. */
export interface BatchScriptInput {
  /** `--job-name`; autolab's names start with `autolab-<token8>-` so orphans can be found. */
  jobName: string;
  /** Slurm's own messages (`--output`; `%a` is the array index): a memory kill, a cancel, the time limit. */
  slurmOutputFile: string;
  /** One element: a job; several: a job array (`--array=0-<n-1>`), element i runs `elements[i]`. */
  elements: readonly JobElement[];
  resources: SlurmResources;
  /** Bash lines run right before each command, in its environment (`module load cuda/12.1`). */
  prologue?: readonly string[];
  /** Let Slurm requeue the job (`--requeue`) instead of `--no-requeue`. */
  requeue?: boolean;
  /** Sent to the command before the budget or Slurm's `--time` runs out. */
  signal?: CheckpointSignal;
  /** Node-local folder the worktree and artifacts are staged in (shell variables expand on the node). */
  scratch?: string;
  /** `srun`: the command starts with srun (one task per `--ntasks`). */
  launch?: 'direct' | 'srun';
}

