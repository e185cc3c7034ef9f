/**
 * The options of `executor: { kind: slurm, ... }`: the task file's keys (checked, with
 * the texts that the task file's JSON Schema shows), their defaults, and the options the
 * Slurm executor takes from them.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { durationSchema, sizeSchema } from '../../options/unit-schemas.ts';

/** Default time between two polls of the Slurm queue. */
export const DEFAULT_SLURM_POLL_INTERVAL_MS = 5_000;

/** Phases that Slurm may take over; setup, score and legality always run on the driver's machine. */
export const SLURM_PHASES = ['preflight', 'run'] as const;
export type SlurmPhase = (typeof SLURM_PHASES)[number];

/** What each job asks Slurm for, and how the queue is polled. */
export interface SlurmJobOptions {
  partition?: string;
  account?: string;
  /** `--gres=gpu:N` per job; Slurm then sets `CUDA_VISIBLE_DEVICES` in the job. */
  gpusPerTrial?: number;
  /** `--cpus-per-task`. */
  cpusPerTrial?: number;
  /** `--mem` per job in bytes (sent in MiB, rounded up); default the request's `memoryBytes`, else the cluster default. */
  memoryBytes?: number;
  /** `--time` per job; default the request's timeout plus 10% and 5 minutes (autolab enforces the timeout itself). */
  timeLimitMs?: number;
  /** More sbatch options, as written (`--qos=high`, `--constraint=a100`). */
  extraArgs: readonly string[];
  /** Time between two polls of the queue (one `squeue` for all jobs). */
  pollIntervalMs: number;
}

/** The options of the Slurm kind: the jobs' options, the shared folder and the phases sent to Slurm. */
export interface SlurmKindOptions extends SlurmJobOptions {
  /** Absolute folder shared by the driver and the compute nodes; the study folder must lie inside it. */
  sharedDir?: string;
  /** The phases sent to Slurm (default `[run]`); the others run on the driver's machine. */
  phases: SlurmPhase[];
}

const duration = durationSchema();

/** A Slurm name (partition, account): no spaces, nothing a shell or `#SBATCH` line would misread. */
const slurmName = z.string().regex(/^[A-Za-z0-9._:+-]+$/, { error: 'expected a Slurm name: letters, digits, `.`, `_`, `:`, `+` and `-`' });

/** The task file's keys beside `kind: slurm`. */
export const slurmOptionsSchema = z.strictObject({
  partition: slurmName.optional().describe('`--partition`; default: the cluster default partition.'),
  account: slurmName.optional().describe('`--account` to charge; default: your default account.'),
  gpus_per_trial: z.number().int().min(0).optional().describe('GPUs per job (`--gres=gpu:N`); Slurm sets CUDA_VISIBLE_DEVICES in the job. Default: none.'),
  cpus_per_trial: z.number().int().min(1).optional().describe('`--cpus-per-task`. Default: the cluster default (1).'),
  mem: sizeSchema.optional().describe('Memory per job (`--mem`, e.g. 64GB). Default: the cluster default.'),
  time_limit: duration
    .optional()
    .describe("Slurm's `--time` for each job. Default: the phase's timeout plus 10% and 5 minutes (autolab enforces the timeout itself; this is the backstop)."),
  extra_args: z
    .array(z.string().regex(/^-/, { error: 'expected an sbatch option starting with `-`, e.g. --qos=high' }))
    .default([])
    .describe('More sbatch options, one per item, e.g. ["--qos=high", "--constraint=a100"].'),
  poll_interval: duration.optional().describe('Time between two polls of the queue (one squeue for all jobs). Default 5s.'),
  shared_dir: z
    .string()
    .refine((path) => isAbsolute(path), { error: 'expected an absolute path (a folder the compute nodes see at the same path)' })
    .optional()
    .describe('A folder the driver and the compute nodes share at the same path; autolab refuses to start when the study folder (.autolab) lies outside it.'),
  phases: z
    .array(z.enum(SLURM_PHASES))
    .min(1)
    .default(['run'])
    .describe('Phases sent to Slurm. Default [run]; setup and score always run on the machine that drives the study.'),
});

/**
 * The Slurm kind's options from its checked task-file keys: defaults filled in, names
 * as the executor spells them (the one place that maps them).
 *
 * @example toSlurmOptions(slurmOptionsSchema.parse({ partition: 'gpu', mem: '64GB' })) // { partition: 'gpu', memoryBytes: 64e9, extraArgs: [], pollIntervalMs: 5000, phases: ['run'] }
 */
export function toSlurmOptions(keys: z.output<typeof slurmOptionsSchema>): SlurmKindOptions {
  return {
    ...(keys.partition !== undefined && { partition: keys.partition }),
    ...(keys.account !== undefined && { account: keys.account }),
    ...(keys.gpus_per_trial !== undefined && { gpusPerTrial: keys.gpus_per_trial }),
    ...(keys.cpus_per_trial !== undefined && { cpusPerTrial: keys.cpus_per_trial }),
    ...(keys.mem !== undefined && { memoryBytes: keys.mem }),
    ...(keys.time_limit !== undefined && { timeLimitMs: keys.time_limit }),
    extraArgs: keys.extra_args,
    pollIntervalMs: keys.poll_interval ?? DEFAULT_SLURM_POLL_INTERVAL_MS,
    ...(keys.shared_dir !== undefined && { sharedDir: keys.shared_dir }),
    phases: [...new Set(keys.phases)],
  };
}
