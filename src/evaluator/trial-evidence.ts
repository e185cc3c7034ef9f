/**
 * What evaluating one trial has found out so far. Each step of the lifecycle takes the
 * evidence and returns a new one (nothing is shared or mutated between steps), so the
 * state of a trial under evaluation is always this one value.
 */
import type { TrialFacts } from '../core/outcome.ts';
import type { TrialPhase, TrialRecord, TrialTimings } from '../core/trial.ts';
import type { ChangedPath } from '../workspace/changed-paths.ts';
import type { Measured } from './measure-repeats.ts';
import type { SlotInfo, StudyRuntime } from './study-runtime.ts';

/** One trial being evaluated: what every step reads and none changes. */
export interface TrialJob {
  runtime: StudyRuntime;
  trial: TrialRecord;
  slot: SlotInfo;
  /** Aborted: stop the trial's commands (it is recorded `interrupted`). */
  signal: AbortSignal;
  /**
   * The trial was started by a driver that died and is adopted by this one: its worktree
   * and its recorded commit are used as they are, and its phase commands wait for the
   * jobs the dead driver submitted (`CommandRequest.adopt`) instead of starting again.
   */
  adopt?: boolean;
}

export interface TrialEvidence {
  /** The trial's worktree once made; removed when the evaluation ends. */
  worktree: string | null;
  /** The commit the worktree was made at (the parent's; the baseline's own for trial 0). */
  parentCommit: string | null;
  commit: string | null;
  tree: string | null;
  diff: string | null;
  /** The paths the edit changed, once applied (null for the baseline and unapplied edits). */
  changed: readonly ChangedPath[] | null;
  /** What `classifyOutcome` reads: apply error, legality, preflight, interruptions, machine faults. */
  facts: TrialFacts;
  /** The run and score phases (every repeat), once run. */
  measured: Measured | null;
  logExcerpt: string;
  timings: TrialTimings;
}

/** The evidence before any step: what the trial record already holds. */
export function startingEvidence(trial: TrialRecord): TrialEvidence {
  return { worktree: null, parentCommit: null, commit: trial.commit, tree: trial.tree, diff: trial.diff, changed: null, facts: {}, measured: null, logExcerpt: '', timings: { ...trial.timings } };
}

/** True once a fact rules out running the trial (apply error, illegal, too big, duplicate, interrupted). */
export function isBlocked(facts: TrialFacts): boolean {
  return (
    facts.applyError !== undefined ||
    (facts.illegal?.length ?? 0) > 0 ||
    (facts.sizeExceeded?.length ?? 0) > 0 ||
    facts.duplicateOf !== undefined ||
    facts.interrupted !== undefined
  );
}

/** `evidence` with `more` facts added. */
export function withFacts(evidence: TrialEvidence, more: TrialFacts): TrialEvidence {
  return { ...evidence, facts: { ...evidence.facts, ...more } };
}

/** `evidence` with `more` timings added. */
export function withTimings(evidence: TrialEvidence, more: TrialTimings): TrialEvidence {
  return { ...evidence, timings: { ...evidence.timings, ...more } };
}

/** Tells the progress display (and the dashboard) which phase the trial is in. */
export function enterPhase(job: TrialJob, phase: TrialPhase): void {
  job.runtime.events.emit('trial.phase', { trialId: job.trial.id, phase });
}

/** Milliseconds since `t0` (a `performance.now()`), rounded. */
export function msSince(t0: number): number {
  return Math.round(performance.now() - t0);
}
