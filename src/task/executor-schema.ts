import { isAbsolute } from 'node:path';
import { z } from 'zod';
import type { ExecutorSpec } from '../core/task.ts';
import { durationSchema, sizeSchema } from './unit-schemas.ts';

/** Default time between two polls of the Slurm queue. */
export const DEFAULT_SLURM_POLL_INTERVAL_MS = 5_000;

const duration = durationSchema();
const size = sizeSchema;

/** A Slurm name (partition, account): no spaces, nothing a shell or `#SBATCH` line would misread. */
const slurmName = z.string().regex(/^[A-Za-z0-9._:+-]+$/, { error: 'expected a Slurm name: letters, digits, `.`, `_`, `:`, `+` and `-`' });

const localSchema = z.strictObject({ kind: z.literal('local').describe('local: every phase runs on this machine (the default).') });

const slurmSchema = z
  .strictObject({
    kind: z.literal('slurm').describe('slurm: each run is an sbatch job on the cluster.'),
    partition: slurmName.optional().describe('`--partition`; default: the cluster default partition.'),
    account: slurmName.optional().describe('`--account` to charge; default: your default account.'),
    gpus_per_trial: z.number().int().min(0).optional().describe('GPUs per job (`--gres=gpu:N`); Slurm sets CUDA_VISIBLE_DEVICES in the job. Default: none.'),
    cpus_per_trial: z.number().int().min(1).optional().describe('`--cpus-per-task`. Default: the cluster default (1).'),
    mem: size.optional().describe('Memory per job (`--mem`, e.g. 64GB). Default: the cluster default.'),
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
      .array(z.enum(['preflight', 'run']))
      .min(1)
      .default(['run'])
      .describe('Phases sent to Slurm. Default [run]; setup and score always run on the machine that drives the study.'),
  });

function toExecutorSpec(value: z.output<typeof slurmSchema> | z.output<typeof localSchema>): ExecutorSpec {
  if (value.kind === 'local') return { kind: 'local' };
  return {
    kind: 'slurm',
    ...(value.partition !== undefined && { partition: value.partition }),
    ...(value.account !== undefined && { account: value.account }),
    ...(value.gpus_per_trial !== undefined && { gpusPerTrial: value.gpus_per_trial }),
    ...(value.cpus_per_trial !== undefined && { cpusPerTrial: value.cpus_per_trial }),
    ...(value.mem !== undefined && { memoryBytes: value.mem }),
    ...(value.time_limit !== undefined && { timeLimitMs: value.time_limit }),
    extraArgs: value.extra_args,
    pollIntervalMs: value.poll_interval ?? DEFAULT_SLURM_POLL_INTERVAL_MS,
    ...(value.shared_dir !== undefined && { sharedDir: value.shared_dir }),
    phases: [...new Set(value.phases)],
  };
}

/** The `executor:` key of the task file: where phase commands run. */
export const executorSchema = z
  .discriminatedUnion('kind', [localSchema, slurmSchema], { error: 'expected { kind: local } or { kind: slurm, partition, ... }' })
  .transform(toExecutorSpec)
  .describe('Where phase commands run: { kind: local } (default) or { kind: slurm, partition, account, gpus_per_trial, cpus_per_trial, mem, time_limit, extra_args, poll_interval, shared_dir, phases }.');
