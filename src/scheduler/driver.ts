/**
 * What the scheduler's steps share while a study is driven: the study's runtime, the
 * specialists and their chooser, the slots, the driver's state, and the wake-up the main
 * loop sleeps on. Built once per `driveStudy` by `openDriver`.
 */
import type { Specialist, SpecialistWorkspace } from '../core/specialist.ts';
import type { SessionLimits } from '../core/stop-rules.ts';
import type { Store, TrialSummary } from '../core/store.ts';
import type { TrialRecord } from '../core/trial.ts';
import { LineageIndex } from '../core/lineage-index.ts';
import { RECENT_TRIALS } from '../core/trial-history.ts';
import { seededRandom } from '../core/random.ts';
import type { LevelOutcome } from '../evaluator/evaluate-level.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';
import { specialistWorkspace } from './specialist-workspace.ts';
import { resumeDriverState, type DriverState } from './driver-state.ts';
import { refreshLineageIndex } from './lineage-refresh.ts';
import { SlotPool } from './slot-pool.ts';
import { RoundRobinChooser, type SpecialistChooser } from './specialist-chooser.ts';

/** Waits for trials recorded by `autolab worker`s instead of evaluating them here. */
export interface RemoteTrials {
  awaitTrial(trial: TrialRecord, kill: AbortSignal): Promise<TrialRecord>;
  /**
   * On a fidelity ladder: queues `trial` for a worker to run at fidelity `level` (a new
   * trial is queued at the first level already) and waits until the worker recorded the
   * level: the trial finished there, or measured and handed back to this driver (which
   * then owns it, pending, for the promotion rule).
   */
  awaitLevel?(trial: TrialRecord, level: number, kill: AbortSignal): Promise<LevelOutcome>;
}

export interface DriveOptions extends SessionLimits {
  /** Aborted: stop creating trials, let running ones finish (first Ctrl-C). */
  stop: AbortSignal;
  /** Aborted: kill running trials; they are recorded as `interrupted` (second Ctrl-C). */
  kill: AbortSignal;
  /** Gives specialists only the incumbent's score (the control arm). */
  noLineage?: boolean;
  /** Proposals ready and waiting for a slot, at most (default: `parallel`). */
  maxWaiting?: number;
  /** Who proposes next (default: round robin). */
  chooser?: SpecialistChooser;
  /**
   * Trials run on `autolab worker`s (`autolab run --remote`): each trial is queued
   * (pending, no owner) for a worker to claim, and `awaitTrial` waits for its record;
   * `parallel` then bounds the trials in flight. This driver only proposes.
   */
  remote?: RemoteTrials;
  /**
   * Trials of a dead driver this one takes over (recovery claimed them: their jobs are
   * still queued, running or finished). They occupy slots like any running trial, so no
   * more than `parallel` trials are in flight, theirs included.
   */
  adopt?: readonly TrialRecord[];
}

/** Resolves a waiting `wait()`; a wake with nobody waiting is kept for the next `wait()`. */
export class Wakeup {
  private resolve: (() => void) | null = null;
  private pending = false;

  wake(): void {
    const resolve = this.resolve;
    this.resolve = null;
    if (resolve) resolve();
    else this.pending = true;
  }

  wait(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.resolve = resolve));
  }
}

export interface Driver {
  runtime: StudyRuntime;
  specialists: readonly Specialist[];
  options: DriveOptions;
  chooser: SpecialistChooser;
  slots: SlotPool;
  maxWaiting: number;
  state: DriverState;
  /** Aborted when the driver stops: sessions in progress end without a proposal. */
  proposalAbort: AbortController;
  /** The study's trials as the last proposal saw them: each proposal reads only what changed since. */
  lineageIndex: LineageIndex;
  /** The specialists' file tools (one for the whole drive). */
  workspace: SpecialistWorkspace;
  /** Seeded from the task's seed and the trials so far, so a resumed study replays. */
  random: () => number;
  wakeup: Wakeup;
  /** `performance.now()` when driving started. */
  startedAt: number;
  /** Milliseconds the study was driven before. */
  priorElapsedMs: number;
  baseline: TrialRecord;
}

/**
 * Reads where the study stands and builds the driver. Nothing here holds the study's
 * trials: the counts, spend and the chooser's payoffs come from aggregate queries
 * (`Store.summarizeTrials`, `listTrialResults`), and the lineage index reads the study a
 * page at a time, keeping its bounded window; so a driver starts on 100,000 trials in
 * the memory it starts on 1,000 with.
 */
export async function openDriver(runtime: StudyRuntime, specialists: readonly Specialist[], options: DriveOptions): Promise<Driver> {
  const { store, studyId, task } = runtime;
  const startedAt = performance.now();
  const chooser = options.chooser ?? new RoundRobinChooser(specialists);
  const summary = await store.summarizeTrials(studyId);
  await resumeChooser(store, studyId, chooser, summary);
  const lineageIndex = new LineageIndex({ retainRecent: RECENT_TRIALS });
  await refreshLineageIndex(store, studyId, lineageIndex);
  const priorElapsedMs = (await store.listStudies()).find((study) => study.id === studyId)?.elapsedMs ?? 0;
  return {
    runtime,
    specialists,
    options,
    chooser,
    slots: new SlotPool(task.parallel, task.gpus),
    maxWaiting: options.maxWaiting ?? task.parallel,
    state: resumeDriverState(summary),
    proposalAbort: new AbortController(),
    lineageIndex,
    workspace: specialistWorkspace(runtime),
    random: seededRandom(task.seed * 1_000_003 + summary.trials),
    wakeup: new Wakeup(),
    startedAt,
    priorElapsedMs,
    baseline: lineageIndex.baseline() ?? (await store.getTrial(studyId, 0))!,
  };
}

/** Trials read per query when a chooser without `resume` is given the study's finished trials. */
const RECORD_PAGE = 2000;

/**
 * The study's finished trials into the chooser: its `resume` from the totals and results,
 * or (a chooser without it) `record` of every finished trial, a page at a time.
 *
 * @example
 * await resumeChooser(store, studyId, chooser, await store.summarizeTrials(studyId));
 */
export async function resumeChooser(store: Pick<Store, 'listTrialResults' | 'listTrials'>, studyId: number, chooser: SpecialistChooser, summary: TrialSummary): Promise<void> {
  if (chooser.resume) return chooser.resume({ summary, results: (filter) => store.listTrialResults(studyId, filter) });
  for (let afterId = -1; ; ) {
    const page = await store.listTrials(studyId, { afterId, limit: RECORD_PAGE });
    for (const trial of page) if (trial.finishedAt !== null) chooser.record(trial);
    if (page.length < RECORD_PAGE) return;
    afterId = page.at(-1)!.id;
  }
}

/** The user asked to stop (first or second Ctrl-C). */
export function stopRequested(driver: Driver): boolean {
  return driver.options.stop.aborted || driver.options.kill.aborted;
}
