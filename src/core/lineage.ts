import type { TrialFeedback } from './trial-feedback.ts';
import type { LineageFailureCause } from './lineage-failures.ts';
import type { TrialCounts } from './trial-counts.ts';
import type { Direction } from './task.ts';
import type { FailureLabel, TrialStatus } from './trial.ts';

/** One row of the digest a specialist sees about a past trial. */
export interface LineageEntry {
  id: number;
  parent: number | null;
  specialist: string;
  hypothesis: string;
  status: TrialStatus;
  label: FailureLabel | null;
  score: number | null;
  /** Score minus the parent's score (or the baseline's when the parent has none). */
  delta: number | null;
  /** A short excerpt: a crash's last lines, which gate missed and by how much. */
  excerpt: string;
  /** A failed trial's cause on one line (its failure signature's summary), else null. */
  cause: string | null;
  /** A failed trial's failure signature (the key of its block in `failures`), else null. */
  signature: string | null;
  /**
   * With a fidelity ladder: the trial's scores by level, the predicted full-level score
   * and, flagged, a gain over its parent that shrinks with scale (`ladderNote`).
   */
  fidelity?: string;
}

/** The lineage feedback: the digest of the lineage a specialist sees before proposing. */
export interface LineageFeedback {
  study: string;
  objective: { metric: string; direction: Direction };
  /** The baseline's score and, when it was calibrated with repeats, its measured noise (σ). */
  baseline: { id: 0; score: number | null; noise?: number; repeats?: number };
  incumbent: { id: number; score: number | null; deltaVsBaseline: number | null };
  /** Kept trials, best first. */
  leaderboard: LineageEntry[];
  /** Baseline -> incumbent, each step with its hypothesis and delta. */
  chain: LineageEntry[];
  /** Most recent trials of all specialists, newest first. */
  recent: LineageEntry[];
  /** Failed trials grouped by cause (failure signature), most frequent first: one block each, the traceback once. */
  failures: LineageFailureCause[];
  /**
   * The viewing specialist's own recent trials, newest first, and whether it has saturated:
   * its last trials moved the score by less than the noise, or all failed with one cause
   * (`repeatedFailure`).
   */
  own: {
    specialist: string;
    recent: LineageEntry[];
    saturated: boolean;
    repeatedFailure: { signature: string; summary: string; count: number } | null;
    saturationNote: string | null;
  } | null;
  /** The trials, the baseline not counted (`countTrials`). */
  counts: TrialCounts;
  /** True in the `--no-lineage` control arm: only the incumbent's score is shown. */
  controlArm: boolean;
  /** The trial this proposal starts from when the specialist has a parent strategy (`parents:`), and why. */
  parent?: { id: number; score: number | null; strategy: string; reason: string; island?: number };
  /**
   * What runs left beyond their score (the task's `feedback:`: files and a profile), for the
   * incumbent and the latest trials; absent when the task declares none.
   */
  runFeedback?: Array<{ trialId: number; feedback: TrialFeedback }>;
}
