/**
 * The study's runtime: what evaluating trials (and the driver above it) needs of an
 * opened, prepared study. `Study.prepare` builds one per process; the evaluator, the
 * scheduler and the worker receive it. It is typed against small interfaces (the ports
 * of `src/core`, the slice of the workspace trials use, a slot lender), so nothing here
 * reaches up into the scheduler or the engine.
 */
import type { StudyEventMap, TypedEmitter } from '../core/events.ts';
import type { Executor } from '../core/executor.ts';
import type { Store } from '../core/store.ts';
import type { TaskSpec } from '../core/task.ts';
import type { StudyMemory } from '../core/technique-card.ts';
import type { TrialOwner } from '../core/trial.ts';
import type { StudyPaths } from '../layout/autolab-layout.ts';
import type { Workspace } from '../workspace/workspace.ts';
import type { ResumeSource } from './level-resume.ts';

/** The execution slot a trial (or one of its repeats) runs in. */
export interface SlotInfo {
  /** 0-based slot number. */
  index: number;
  /** The GPU of the slot (`CUDA_VISIBLE_DEVICES`), or null. */
  gpu: string | null;
}

/** A slot lent by a `SlotLender`; `release()` it exactly when its command is over. */
export interface LentSlot extends SlotInfo {
  release(): void;
}

/**
 * Lends free slots without waiting: a trial with several repeats borrows idle slots to
 * run them in parallel. The scheduler's `SlotPool` is one.
 */
export interface SlotLender {
  /** A free slot now, or null (never waits). */
  tryAcquire(): LentSlot | null;
}

/** The part of the private workspace trials and specialists use. */
export type StudyWorkspace = Pick<Workspace, 'createWorktree' | 'removeWorktree' | 'worktreePath' | 'treeOf' | 'materialise' | 'symlinkEscapes' | 'readFileAt' | 'diffBetween' | 'changesBetween'>;

/** Where lifecycle events go (the CLI's progress display, the dashboard). */
export type StudyEvents = Pick<TypedEmitter<StudyEventMap>, 'emit'>;

/**
 * One prepared study in one process.
 *
 * @example
 * const { runtime } = await study.prepare(signal);
 * const recorded = await evaluateTrial(runtime, trial, { index: 0, gpu: null }, signal);
 */
export interface StudyRuntime {
  task: TaskSpec;
  store: Store;
  studyId: number;
  studyName: string;
  workspace: StudyWorkspace;
  executor: Executor;
  /** This process, as the owner of the trials it runs. */
  owner: TrialOwner;
  paths: StudyPaths;
  events: StudyEvents;
  /** The baseline's commit in the private repo. */
  baselineCommit: string;
  /** The baseline's evaluator checkout, where setup and score run. */
  evaluatorDir: string;
  /** The SQLite store file, when it is one: protected like `.autolab/` when it lies inside the recipe. */
  storeFile?: string;
  /**
   * With a fidelity ladder whose levels name their own executor keys (`levels[i].executor`):
   * the executor of each such level (null: the study's `executor`), by level index.
   */
  levelExecutors?: ReadonlyArray<Executor | null>;
  /** Free slots repeats may borrow to run in parallel (optional). */
  slots?: SlotLender;
  /** Memory across studies (technique cards, knob observations), when the store keeps one. */
  memory?: StudyMemory;
  /**
   * The executor submits the repeats of a trial together (a Slurm job array): they all
   * start at once, each in a worktree of its own, whatever the free slots.
   */
  repeatsTogether?: boolean;
  /**
   * A continued ladder's promoted level (`fidelity.continue`): the trial's artifacts of the
   * level below, which its runs see read-only as `$AUTOLAB_RESUME_FROM` (set per trial and
   * level by `evaluateTrialAtLevel`).
   */
  resumeFrom?: ResumeSource;
}
