/**
 * The executor kinds of this version of autolab, and the executor a task asks for. The
 * one place that knows which kinds exist: the task file's `executor:` schema is built
 * from this list (src/task/executor-schema.ts), and `executorForTask` builds from it.
 * To add a kind, see docs/architecture.md ("Adding an executor kind").
 */
import { AutolabError } from '../core/errors.ts';
import type { Executor } from '../core/executor.ts';
import type { ExecutorSpec, TaskSpec } from '../core/task.ts';
import { closestMatch } from '../core/suggest.ts';
import { ContainerExecutor } from './container/container-executor.ts';
import type { ExecutorContext, ExecutorKind } from './executor-kind.ts';
import { LocalExecutor } from './local/local-executor.ts';
import { localExecutorKind } from './local/local-kind.ts';
import { PhaseRoutedExecutor } from './phase-routed-executor.ts';
import { slurmExecutorKind } from './slurm/slurm-kind.ts';

/** Every executor kind, the default (`local`) first. */
export const EXECUTOR_KINDS: readonly ExecutorKind[] = [localExecutorKind, slurmExecutorKind];

/** The kind used when the task file has no `executor:` key. */
export const DEFAULT_EXECUTOR_KIND = localExecutorKind.kind;

/**
 * The kind named `kind`. Throws a `TaskFileError` (with a did-you-mean) for a kind this
 * version does not have.
 *
 * @example executorKind('slurm').optionsSchema // the keys beside kind: slurm
 */
export function executorKind(kind: string): ExecutorKind {
  const found = EXECUTOR_KINDS.find((entry) => entry.kind === kind);
  if (found) return found;
  const names = EXECUTOR_KINDS.map((entry) => entry.kind);
  const suggestion = closestMatch(kind, names);
  throw new AutolabError('TaskFileError', `executor.kind: unknown executor kind '${kind}'${suggestion ? ` (did you mean ${suggestion}?)` : ''}`, {
    hint: `use one of: ${names.join(', ')} (docs/cluster.md)`,
  });
}

export interface TaskExecutorOptions {
  /** Told about non-fatal problems (a Slurm command that fails and is retried with backoff, settings that do not apply). */
  onWarning?: (message: string) => void;
}

/**
 * Whether the task's executor submits the repeats of a trial together (Slurm's job
 * arrays): the evaluator then starts them all at once instead of one per free slot.
 *
 * @example if (repeatsTogether(task)) runtime.repeatsTogether = true;
 */
export function repeatsTogether(task: TaskSpec): boolean {
  const spec: ExecutorSpec = task.executor ?? { kind: DEFAULT_EXECUTOR_KIND, options: {} };
  return executorKind(spec.kind).repeatsTogether?.(spec.options) ?? false;
}

/**
 * The executor a task's `executor:` key asks for. Without it (or `{ kind: local }`): the
 * local executor for every phase. With another kind: that kind's executor for the phases
 * it takes (e.g. Slurm's `phases`, default `run`), the local executor for the others
 * (setup and score stay next to the held-out data unless the kind takes them too); with
 * the kind's `container:`, the phases it names run in that container wherever they run.
 * Throws what the kind throws for settings that cannot work (a study folder outside
 * Slurm's `shared_dir`).
 *
 * @example
 * const executor = executorForTask(task, { onWarning: (message) => events.emit('warning', { code: 'executor', message }) });
 */
export function executorForTask(task: TaskSpec, options: TaskExecutorOptions = {}): Executor {
  const spec: ExecutorSpec = task.executor ?? { kind: DEFAULT_EXECUTOR_KIND, options: {} };
  const kind = executorKind(spec.kind);
  const context: ExecutorContext = { task, ...(options.onWarning !== undefined && { onWarning: options.onWarning }) };
  const executor = kind.create(spec.options, context);
  const phases = kind.phases?.(spec.options);
  const routed = phases === undefined ? executor : new PhaseRoutedExecutor(new LocalExecutor(), executor, phases);
  const container = kind.container?.(spec.options);
  return container === undefined ? routed : new ContainerExecutor(routed, container, task.root);
}
