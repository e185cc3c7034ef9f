import type { Specialist } from '../core/specialist.ts';
import type { SessionLimits } from '../core/stop-rules.ts';
import type { TaskSpec } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import { BanditChooser } from '../scheduler/bandit-chooser.ts';
import type { DriveOptions, RemoteTrials } from '../scheduler/drive-study.ts';
import { RoundRobinChooser, type SpecialistChooser } from '../scheduler/specialist-chooser.ts';
import type { RecoveryReport } from './recovery.ts';

/** What `study.run()` takes; every key is optional. */
export interface StudyRunOptions extends SessionLimits {
  /** Aborted: no new trials, running ones finish (first Ctrl-C). Default: never. */
  stop?: AbortSignal;
  /** Aborted: running trials are killed and recorded `interrupted` (second Ctrl-C). Default: never. */
  kill?: AbortSignal;
  /** Who proposes next: `bandit` (default, payoff-driven, AUC bandit) or `round-robin`. */
  scheduler?: 'bandit' | 'round-robin';
  /** A chooser of your own (overrides `scheduler`). */
  chooser?: SpecialistChooser;
  /** The specialists that propose (default: the task file's, built by the registry). */
  specialists?: Specialist[];
  /** The control arm: specialists see only the incumbent's score, no lineage. */
  noLineage?: boolean;
  /** Trials are queued for `autolab worker`s on other hosts (a PostgreSQL store); this process only proposes. */
  remote?: boolean;
  /** With `remote`: the workers are processes of this host, so a SQLite store's queue serves too (default: a store hosts share). */
  sameHost?: boolean;
  /** Proposals ready and waiting for a slot, at most (default: `parallel`). */
  maxWaiting?: number;
  /** Warm-start from earlier studies' memory (overrides the task's `memory.use`; `--memory`). */
  memory?: boolean;
  /** Called once the study is prepared, before the first proposal (e.g. to show the baseline). */
  onReady?: (ready: { baseline: TrialRecord; incumbent: TrialRecord | null; recovery: RecoveryReport }) => void;
}

/** The chooser `study.run()` uses: the given one, round robin, or (default) the AUC bandit. */
export function chooserFor(task: TaskSpec, specialists: readonly Specialist[], options: Pick<StudyRunOptions, 'chooser' | 'scheduler'>): SpecialistChooser {
  if (options.chooser) return options.chooser;
  return options.scheduler === 'round-robin' ? new RoundRobinChooser(specialists) : new BanditChooser(specialists, { objective: task.objective });
}

/** The driver's options for a `study.run()` call. */
export function driveOptionsFor(task: TaskSpec, specialists: readonly Specialist[], options: StudyRunOptions, remote: RemoteTrials | null): DriveOptions {
  const never = new AbortController().signal;
  return {
    stop: options.stop ?? never,
    kill: options.kill ?? never,
    chooser: chooserFor(task, specialists, options),
    noLineage: options.noLineage ?? false,
    ...(remote ? { remote } : {}),
    ...(options.maxWaiting !== undefined ? { maxWaiting: options.maxWaiting } : {}),
    ...(options.trials !== undefined ? { trials: options.trials } : {}),
    ...(options.hours !== undefined ? { hours: options.hours } : {}),
    ...(options.patience !== undefined ? { patience: options.patience } : {}),
  };
}
