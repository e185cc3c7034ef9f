/**
 * The options of `executor: { kind: slurm, ... }`: the task file's keys (checked, with
 * the texts that the task file's JSON Schema shows), their defaults, and the options the
 * Slurm executor takes from them.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { durationSchema, sizeSchema } from '../../options/unit-schemas.ts';
import { CONTAINER_DESCRIPTION, containerOptionsSchema, toContainerOptions, type ContainerOptions } from '../shared/container-options.ts';

/** Default time between two polls of the Slurm queue. */
export const DEFAULT_SLURM_POLL_INTERVAL_MS = 5_000;

/** Phases that may run as Slurm jobs (`phases:`); the others run on the machine that drives the study. */
export const SLURM_PHASES = ['setup', 'legality', 'preflight', 'run', 'score'] as const;
export type SlurmPhase = (typeof SLURM_PHASES)[number];

/** What one job asks Slurm for. */
export interface SlurmResourceOptions {
  partition?: string;
  account?: string;
  /** `--gres=gpu:<gpus>`: a count (`2`) or `type:count` (`a100:2`); Slurm then sets `CUDA_VISIBLE_DEVICES` in the job. */
  gpus?: string;
  /** `--cpus-per-task`. */
  cpusPerTrial?: number;
  /** `--mem` per job in bytes (sent in MiB, rounded up); default the request's `memoryBytes`, else the cluster default. */
  memoryBytes?: number;
  /** `--time` per job; default the request's timeout plus 10% and 5 minutes (autolab enforces the timeout itself). */
  timeLimitMs?: number;
  /** `--nodes`. */
  nodes?: number;
  /** `--ntasks`. */
  ntasks?: number;
  /** `--ntasks-per-node`. */
  ntasksPerNode?: number;
  /** More sbatch options, as written (`--qos=high`, `--constraint=a100`). */
  extraArgs: readonly string[];
}

/** The signal a job's command gets before its time runs out, so it can write a checkpoint. */
export interface CheckpointSignal {
  /** A signal name without `SIG` (`USR1`). */
  name: string;
  /** How long before autolab's budget (and Slurm's `--time`) it comes. */
  beforeMs: number;
}

/** What each job asks Slurm for, how it runs on the node, and how the queue is polled. */
export interface SlurmJobOptions extends SlurmResourceOptions {
  /** Time between two polls of the queue (one `squeue` for all jobs). */
  pollIntervalMs: number;
  /** Resources of one phase that differ from the others (e.g. a one-GPU score). */
  byPhase: Partial<Record<SlurmPhase, Partial<SlurmResourceOptions>>>;
  /** Shell lines run in the job right before each command, in its environment (`module load cuda/12.1`). */
  prologue: readonly string[];
  /** Let Slurm requeue a preempted job or one whose node failed (`--requeue`); it resumes from `$AUTOLAB_CHECKPOINT_DIR`. */
  requeue: boolean;
  /** A signal sent to the command before its time runs out. */
  signal?: CheckpointSignal;
  /** Node-local folder to stage the worktree and artifacts in (shell variables such as `$TMPDIR` expand on the node). */
  scratch?: string;
  /** `srun`: the command is started with srun (one task per `ntasks`, each in its own sandbox); `direct`: run by the batch script. */
  launch: 'direct' | 'srun';
  /** Repeats of one trial go to Slurm as one job array. */
  arrayRepeats: boolean;
}

/** The options of the Slurm kind: the jobs' options, the shared folder, the phases sent to Slurm, the container. */
export interface SlurmKindOptions extends SlurmJobOptions {
  /** Absolute folder shared by the driver and the compute nodes; the study folder must lie inside it. */
  sharedDir?: string;
  /** The phases sent to Slurm (default `[run]`); the others run on the driver's machine. */
  phases: SlurmPhase[];
  /** The container every trial phase runs in (see `container-options.ts`). */
  container?: ContainerOptions;
}

const duration = durationSchema();

/** A Slurm name (partition, account): no spaces, nothing a shell or `#SBATCH` line would misread. */
const slurmName = z.string().regex(/^[A-Za-z0-9._:+-]+$/, { error: 'expected a Slurm name: letters, digits, `.`, `_`, `:`, `+` and `-`' });

/** `2`, `"2"` or `"a100:2"`: a GPU count, optionally with its type. */
const gpuSchema = z
  .union([z.number().int().min(0), z.string().regex(/^(?:[A-Za-z0-9_.-]+:)?\d+$/, { error: 'expected a GPU count (2) or type:count (a100:2)' })])
  .transform((value) => String(value));

/** The keys that say what one job asks for; also the keys of each `by_phase` entry. */
const resourceShape = {
  partition: slurmName.optional().describe('`--partition`; default: the cluster default partition.'),
  account: slurmName.optional().describe('`--account` to charge; default: your default account.'),
  gpus: gpuSchema.optional().describe('GPUs per job: a count (2) or type:count (a100:2), sent as `--gres=gpu:[type:]count`; Slurm sets CUDA_VISIBLE_DEVICES in the job. Default: none.'),
  gpus_per_trial: z.number().int().min(0).optional().describe('The same as `gpus` with a count only (kept for older task files).'),
  cpus_per_trial: z.number().int().min(1).optional().describe('`--cpus-per-task`. Default: the cluster default (1).'),
  mem: sizeSchema.optional().describe('Memory per job (`--mem`, e.g. 64GB). Default: run.memory if set, else the cluster default.'),
  time_limit: duration
    .optional()
    .describe("Slurm's `--time` for each job. Default: the phase's timeout plus 10% and 5 minutes (autolab enforces the timeout itself; this is the backstop)."),
  nodes: z.number().int().min(1).optional().describe('`--nodes` per job (multi-node trials: start the command with `launch: srun`, or call srun in it).'),
  ntasks: z.number().int().min(1).optional().describe('`--ntasks` per job.'),
  ntasks_per_node: z.number().int().min(1).optional().describe('`--ntasks-per-node` per job.'),
  extra_args: z
    .array(z.string().regex(/^-/, { error: 'expected an sbatch option starting with `-`, e.g. --qos=high' }))
    .optional()
    .describe('More sbatch options, one per item, e.g. ["--qos=high", "--constraint=a100"].'),
};

const resourceSchema = z.strictObject(resourceShape);
type ResourceKeys = z.output<typeof resourceSchema>;

/** A signal name as `kill -s` takes it. */
const signalName = z
  .string()
  .transform((name) => name.toUpperCase().replace(/^SIG/, ''))
  .pipe(z.enum(['USR1', 'USR2', 'TERM', 'INT', 'HUP', 'URG', 'ALRM'], { error: 'expected one of USR1, USR2, TERM, INT, HUP, URG, ALRM' }));

/** The task file's keys beside `kind: slurm`. */
export const slurmOptionsSchema = z.strictObject({
  ...resourceShape,
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
    .describe('Phases sent to Slurm as jobs, any of setup, legality, preflight, run, score. Default [run]; the others run on the machine that drives the study.'),
  by_phase: z
    .partialRecord(z.enum(SLURM_PHASES), resourceSchema)
    .optional()
    .describe('Resources of one phase that differ from the keys above, e.g. { score: { gpus: 1, time_limit: 30m } }.'),
  prologue: z
    .array(z.string().min(1))
    .default([])
    .describe('Shell lines (bash) run in each job right before its command, in the phase environment: e.g. ["source /etc/profile.d/lmod.sh", "module load cuda/12.1"]. What they export reaches the command.'),
  requeue: z
    .boolean()
    .default(false)
    .describe('Let Slurm requeue a preempted job or one whose node failed (--requeue); the command finds what it saved in $AUTOLAB_CHECKPOINT_DIR. Default false: such a job ends as infra_error and autolab retries the trial.'),
  signal: z
    .strictObject({ name: signalName.default('USR1').describe('The signal, e.g. USR1 (default).'), before: duration.describe('How long before the time runs out.') })
    .optional()
    .describe("A signal sent to the command before autolab's budget (and Slurm's --time) runs out, to write a checkpoint: { name: USR1, before: 5m }."),
  scratch: z
    .string()
    .regex(/^[A-Za-z0-9_./${}-]+$/, { error: 'expected a folder path; $VARIABLES (e.g. $TMPDIR) expand on the node' })
    .optional()
    .describe('Node-local folder (e.g. $TMPDIR or /local/scratch): the worktree is copied there and the artifacts written there, then copied back to the shared filesystem when the command ends.'),
  launch: z
    .enum(['direct', 'srun'])
    .default('direct')
    .describe('direct: the batch script runs the command; srun: it starts the command with srun, one task per --ntasks (each in its own sandbox). Default direct.'),
  array_repeats: z.boolean().default(true).describe("Submit a trial's repeats as one job array (default true)."),
  container: containerOptionsSchema.optional().describe(CONTAINER_DESCRIPTION),
});

/** The job resources named by one set of keys (the top-level ones, or one `by_phase` entry). */
function toResources(keys: ResourceKeys): Partial<SlurmResourceOptions> {
  const gpus = keys.gpus ?? (keys.gpus_per_trial !== undefined ? String(keys.gpus_per_trial) : undefined);
  return {
    ...(keys.partition !== undefined && { partition: keys.partition }),
    ...(keys.account !== undefined && { account: keys.account }),
    ...(gpus !== undefined && { gpus }),
    ...(keys.cpus_per_trial !== undefined && { cpusPerTrial: keys.cpus_per_trial }),
    ...(keys.mem !== undefined && { memoryBytes: keys.mem }),
    ...(keys.time_limit !== undefined && { timeLimitMs: keys.time_limit }),
    ...(keys.nodes !== undefined && { nodes: keys.nodes }),
    ...(keys.ntasks !== undefined && { ntasks: keys.ntasks }),
    ...(keys.ntasks_per_node !== undefined && { ntasksPerNode: keys.ntasks_per_node }),
    ...(keys.extra_args !== undefined && { extraArgs: keys.extra_args }),
  };
}

/**
 * The Slurm kind's options from its checked task-file keys: defaults filled in, names
 * as the executor spells them (the one place that maps them).
 *
 * @example toSlurmOptions(slurmOptionsSchema.parse({ partition: 'gpu', mem: '64GB' })) // { partition: 'gpu', memoryBytes: 64e9, extraArgs: [], pollIntervalMs: 5000, phases: ['run'], ... }
 */
export function toSlurmOptions(keys: z.output<typeof slurmOptionsSchema>): SlurmKindOptions {
  const byPhase: SlurmJobOptions['byPhase'] = {};
  for (const [phase, entry] of Object.entries(keys.by_phase ?? {})) if (entry) byPhase[phase as SlurmPhase] = toResources(entry);
  return {
    ...toResources(keys),
    extraArgs: keys.extra_args ?? [],
    pollIntervalMs: keys.poll_interval ?? DEFAULT_SLURM_POLL_INTERVAL_MS,
    ...(keys.shared_dir !== undefined && { sharedDir: keys.shared_dir }),
    phases: [...new Set(keys.phases)],
    byPhase,
    prologue: keys.prologue,
    requeue: keys.requeue,
    ...(keys.signal !== undefined && { signal: { name: keys.signal.name, beforeMs: keys.signal.before } }),
    ...(keys.scratch !== undefined && { scratch: keys.scratch }),
    launch: keys.launch,
    arrayRepeats: keys.array_repeats,
    ...(keys.container !== undefined && { container: toContainerOptions(keys.container) }),
  };
}

/**
 * The resources of one phase's jobs: the top-level keys with that phase's `by_phase`
 * entry laid over them.
 *
 * @example resourcesOfPhase({ gpus: 'a100:4', extraArgs: [], byPhase: { score: { gpus: '1' } } }, 'score').gpus // '1'
 */
export function resourcesOfPhase(options: Partial<SlurmJobOptions>, phase: string | undefined): SlurmResourceOptions {
  const base: SlurmResourceOptions = {
    ...(options.partition !== undefined && { partition: options.partition }),
    ...(options.account !== undefined && { account: options.account }),
    ...(options.gpus !== undefined && { gpus: options.gpus }),
    ...(options.cpusPerTrial !== undefined && { cpusPerTrial: options.cpusPerTrial }),
    ...(options.memoryBytes !== undefined && { memoryBytes: options.memoryBytes }),
    ...(options.timeLimitMs !== undefined && { timeLimitMs: options.timeLimitMs }),
    ...(options.nodes !== undefined && { nodes: options.nodes }),
    ...(options.ntasks !== undefined && { ntasks: options.ntasks }),
    ...(options.ntasksPerNode !== undefined && { ntasksPerNode: options.ntasksPerNode }),
    extraArgs: options.extraArgs ?? [],
  };
  const override = phase === undefined ? undefined : options.byPhase?.[phase as SlurmPhase];
  return override === undefined ? base : { ...base, ...override };
}

function isKeyRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The keys of a fidelity level whose run holds `slots` execution slots: the run phase's
 * GPU count (`by_phase.run.gpus`, else `gpus` / `gpus_per_trial`) times `slots`, set as
 * `by_phase.run.gpus` so the run's job asks `--gres` for every GPU the level needs and the
 * other phases keep theirs; unchanged when the run asks for no GPU (CPU jobs: `slots` then
 * only counts toward `parallel`) or when the level's own keys name its GPUs.
 *
 * @example slurmKeysForSlots({ partition: 'gpu', gpus: 'a100:1' }, 2) // { partition: 'gpu', gpus: 'a100:1', by_phase: { run: { gpus: 'a100:2' } } }
 */
export function slurmKeysForSlots(keys: Record<string, unknown>, slots: number): Record<string, unknown> {
  const byPhase = isKeyRecord(keys.by_phase) ? keys.by_phase : {};
  const run = isKeyRecord(byPhase.run) ? byPhase.run : {};
  const gpus = run.gpus ?? run.gpus_per_trial ?? keys.gpus ?? keys.gpus_per_trial;
  const match = /^(?:(.+):)?(\d+)$/.exec(typeof gpus === 'number' || typeof gpus === 'string' ? String(gpus) : '');
  if (slots <= 1 || match === null || Number(match[2]) === 0) return keys;
  const { gpus_per_trial: _legacy, ...runKeys } = run;
  const scaled = `${match[1] !== undefined ? `${match[1]}:` : ''}${Number(match[2]) * slots}`;
  return { ...keys, by_phase: { ...byPhase, run: { ...runKeys, gpus: scaled } } };
}
