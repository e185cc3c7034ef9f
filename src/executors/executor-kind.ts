/**
 * What one kind of executor (`executor: { kind: <kind>, ... }` in the task file) brings:
 * its options schema, its defaults and how it builds its executor. The registry
 * (`registry.ts`) lists the kinds; the core knows only `{ kind, options }`.
 */
import type { z } from 'zod';
import type { Executor } from '../core/executor.ts';
import type { TaskSpec } from '../core/task.ts';
import type { ContainerOptions } from './shared/container-options.ts';

/** What a kind is told when it builds the executor of a study. */
export interface ExecutorContext {
  /** The task whose `executor:` key names the kind (its root, its `gpus`, ...). */
  task: TaskSpec;
  /** Told about non-fatal problems: a setting that does not apply, a cluster command that failed and is retried. */
  onWarning?: (message: string) => void;
}

/**
 * One executor kind. Its options live in the task file beside `kind`, are checked by
 * `optionsSchema` when the task file is loaded (with file:line:col errors and the
 * `.describe()` texts in the task file's JSON Schema), and reach `create` as `Options`.
 *
 * @example
 * export const localExecutorKind = defineExecutorKind({
 *   kind: 'local',
 *   summary: 'local: every phase runs on this machine (the default).',
 *   optionsSchema: z.strictObject({}),
 *   toOptions: () => ({}),
 *   create: () => new LocalExecutor(),
 * });
 */
export interface ExecutorKind<Schema extends z.ZodObject = z.ZodObject, Options extends object = object> {
  /** The value of `kind:` in the task file. */
  readonly kind: string;
  /** One line for the task file's JSON Schema: what this kind does. */
  readonly summary: string;
  /** The task file's keys beside `kind`, each with its `.describe()` text; strict (an unknown key is an error). */
  readonly optionsSchema: Schema;
  /** The options `create` gets, from the checked keys: defaults filled in, names as the executor spells them. Must be JSON (the task is stored as JSON). */
  toOptions(parsed: z.output<Schema>): Options;
  /**
   * The phases (`AUTOLAB_PHASE`) this kind runs; the others run on this machine (setup
   * and score, next to the held-out data). Absent: every phase.
   */
  phases?(options: Options): readonly string[];
  /** Whether the kind submits the repeats of a trial together (a job array): then they all start at once. Absent: no. */
  repeatsTogether?(options: Options): boolean;
  /** The container the phases run in (the kind's `container:` key), on whichever machine runs them. Absent: none. */
  container?(options: Options): ContainerOptions | undefined;
  /**
   * The task file's keys (beside \`kind\`) of a fidelity level whose run holds \`slots\`
   * execution slots, when the level's own \`executor:\` keys do not say its resources
   * (Slurm: the run's \`--gres\` GPU count times \`slots\`). Absent: the keys as they are.
   */
  keysForSlots?(keys: Record<string, unknown>, slots: number): Record<string, unknown>;
  /** The executor of one study. Throws an `AutolabError` for settings that cannot work with this task. */
  create(options: Options, context: ExecutorContext): Executor;
}

/**
 * Declares an executor kind with its types checked against each other (the schema's
 * output feeds `toOptions`, whose result feeds `create`).
 *
 * @example export const slurmExecutorKind = defineExecutorKind({ kind: 'slurm', summary, optionsSchema, toOptions, phases, create });
 */
export function defineExecutorKind<Schema extends z.ZodObject, Options extends object>(kind: ExecutorKind<Schema, Options>): ExecutorKind<Schema, Options> {
  return kind;
}
