import { relative, resolve, isAbsolute } from 'node:path';
import { AutolabError } from '../core/errors.ts';
import type { CommandRequest, CommandResult, Executor } from '../core/executor.ts';
import type { SlurmExecutorSpec, TaskSpec } from '../core/task.ts';
import { LocalExecutor } from '../executors/local/local-executor.ts';
import { SlurmExecutor } from '../executors/slurm/slurm-executor.ts';

/**
 * Sends each phase command to one of two executors by its phase (the request's
 * `AUTOLAB_PHASE`, which every phase environment carries): the phases in `phases` go to
 * `cluster`, all others (setup, score, legality, ...) to `local`. Orphans are reaped on both.
 *
 * @example
 * const executor = new PhaseRoutedExecutor(new LocalExecutor(), new SlurmExecutor({ partition: 'gpu' }), ['run']);
 */
export class PhaseRoutedExecutor implements Executor {
  readonly kind: string;
  private readonly phases: ReadonlySet<string>;

  constructor(
    private readonly local: Executor,
    private readonly cluster: Executor,
    phases: readonly string[],
  ) {
    this.kind = cluster.kind;
    this.phases = new Set(phases);
  }

  /** The executor that runs a request of this phase. */
  executorFor(phase: string | undefined): Executor {
    return phase !== undefined && this.phases.has(phase) ? this.cluster : this.local;
  }

  run(request: CommandRequest): Promise<CommandResult> {
    return this.executorFor(request.env.AUTOLAB_PHASE).run(request);
  }

  async reapOrphans(token: string): Promise<number> {
    const [local, cluster] = await Promise.all([this.local.reapOrphans(token), this.cluster.reapOrphans(token)]);
    return local + cluster;
  }
}

export interface TaskExecutorOptions {
  /** Told about Slurm commands that fail (the poller retries with backoff). */
  onWarning?: (message: string) => void;
}

/**
 * The executor a task's `executor:` key asks for. Without it (or `{ kind: local }`): the
 * local executor for every phase. With `{ kind: slurm }`: the phases in `executor.phases`
 * (default `run`) become sbatch jobs; setup and score always run on the driver's machine,
 * where the held-out data and the evaluator checkout are (score reads the run's artifacts
 * on the shared filesystem). Refuses a study folder outside `shared_dir`.
 *
 * @example
 * const executor = executorForTask(task, { onWarning: (message) => events.emit('warning', { code: 'slurm', message }) });
 */
export function executorForTask(task: TaskSpec, options: TaskExecutorOptions = {}): Executor {
  const spec = task.executor;
  const local = new LocalExecutor();
  if (spec === undefined || spec.kind === 'local') return local;
  checkSharedDir(task, spec);
  if ((task.gpus?.length ?? 0) > 0) {
    options.onWarning?.(
      `gpus: [${task.gpus.join(', ')}] are this machine's GPU slots; Slurm jobs get theirs from executor.gpus_per_trial (--gres), and the GPUs Slurm binds replace the slot's CUDA_VISIBLE_DEVICES. Remove gpus: from the task file when every run goes to Slurm`,
    );
  }
  const slurm = new SlurmExecutor({
    ...(spec.partition !== undefined && { partition: spec.partition }),
    ...(spec.account !== undefined && { account: spec.account }),
    ...(spec.gpusPerTrial !== undefined && { gpusPerTrial: spec.gpusPerTrial }),
    ...(spec.cpusPerTrial !== undefined && { cpusPerTrial: spec.cpusPerTrial }),
    ...(spec.memoryBytes !== undefined && { memoryBytes: spec.memoryBytes }),
    ...(spec.timeLimitMs !== undefined && { timeLimitMs: spec.timeLimitMs }),
    extraArgs: spec.extraArgs,
    pollIntervalMs: spec.pollIntervalMs,
    ...(options.onWarning !== undefined && { onWarning: options.onWarning }),
  });
  return new PhaseRoutedExecutor(local, slurm, spec.phases);
}

/** The study folder (`<task folder>/.autolab`: worktrees, logs, artifacts) must be where the nodes see it. */
function checkSharedDir(task: TaskSpec, spec: SlurmExecutorSpec): void {
  if (spec.sharedDir === undefined) return;
  const state = resolve(task.root, '.autolab');
  const inside = relative(resolve(spec.sharedDir), state);
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new AutolabError(
      'TaskFileError',
      `executor.shared_dir is ${spec.sharedDir}, but the study folder ${state} lies outside it: Slurm jobs could not see their worktrees and logs`,
      { hint: `move the task file (and its .autolab folder) under ${spec.sharedDir}, or correct shared_dir` },
    );
  }
}
