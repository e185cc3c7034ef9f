/**
 * Trials: one submitted proposal and its measured outcome. Immutable once finished.
 */

/**
 * The closed set of reasons a trial did not produce a valid score (DESIGN.md).
 * The precedence among them, when several apply, is fixed in `outcome.ts`.
 */
export const FAILURE_LABELS = [
  'interrupted',
  'infra_error',
  'apply_failed',
  'illegal_edit',
  'size_exceeded',
  'duplicate',
  'preflight_failed',
  'smoke_failed',
  'run_timeout',
  'oom',
  'crash',
  'score_timeout',
  'metric_missing',
  'gate_miss',
  'pruned',
  'not_significant',
] as const;

export type FailureLabel = (typeof FAILURE_LABELS)[number];

/**
 * `pending`: recorded, not yet running. `running`: in the lifecycle.
 * `kept`: a valid score that the acceptance rule kept (it became the incumbent).
 * `discarded`: a valid score that was not better. `failed`: carries a failure label.
 */
export type TrialStatus = 'pending' | 'running' | 'kept' | 'discarded' | 'failed';

export const FINISHED_STATUSES: ReadonlySet<TrialStatus> = new Set(['kept', 'discarded', 'failed']);

export type TrialPhase =
  | 'propose'
  | 'materialise'
  | 'legality'
  | 'preflight'
  | 'smoke'
  | 'run'
  | 'score'
  | 'verify'
  | 'gates'
  | 'accept'
  | 'record';

export type Metrics = Record<string, number>;

/** Milliseconds spent in each phase; the engine's own overhead is total minus commands. */
export interface TrialTimings {
  proposeMs?: number;
  materialiseMs?: number;
  legalityMs?: number;
  preflightMs?: number;
  /** The smoke run (`smoke:` in the task file). */
  smokeMs?: number;
  runMs?: number;
  scoreMs?: number;
  recordMs?: number;
  totalMs?: number;
}

export interface TrialCost {
  usd: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

/** One measured repeat of a trial (a run and its score with one `AUTOLAB_SEED`). */
export interface RepeatRecord {
  repeat: number;
  seed: number;
  /** The score command's metrics plus autolab's own (`run_seconds`, ...). */
  metrics: Metrics;
  /** Wall time of this repeat's run phase, measured by autolab. */
  runMs: number;
  /** Repeats run to verify a would-be incumbent are marked. */
  verification: boolean;
}

/** One point of an intermediate metric the run reported (`{"step": 100, "val_loss": 2.31}`). */
export interface CurvePoint {
  repeat: number;
  step: number;
  name: string;
  value: number;
}

/** A code edit against the parent's commit. */
export type Edit =
  /** A unified diff (as `git diff` prints it) against the parent commit. */
  | { kind: 'patch'; patch: string }
  /** Whole-file contents by path (relative to the recipe root); null deletes the file. */
  | { kind: 'files'; files: Record<string, string | null> };

/** What a specialist submits: a hypothesis plus an executable edit. */
export interface Proposal {
  specialist: string;
  /** The trial whose commit the edit applies to (0: the baseline). */
  parent: number;
  hypothesis: string;
  expectedDelta?: number;
  edit: Edit;
  notes?: string;
  cost?: TrialCost;
}

/** Owner of a running trial: the process that drives it. */
export interface TrialOwner {
  host: string;
  pid: number;
  /** Random per driver process; a run's processes carry it so orphans can be found. */
  token: string;
}

/** The recipe's own frame where a failure happened (`model.py:66` and its source line). */
export interface FailureFrame {
  /** Relative to the recipe root where it lies in one. */
  file: string;
  line: number;
  source: string | null;
}

/**
 * The failure signature stored with a failed trial (`extractFailureSignature` in
 * failure-signature.ts computes it): `signature` is equal for equal causes, `summary` names
 * the cause on one line, `frame` is the recipe's innermost frame (or null).
 *
 * @example
 * { signature: 'crash AssertionError at model.py: assert d_model % n_heads == <n>',
 *   summary: 'crash AssertionError at model.py:66 assert d_model % n_heads == 0',
 *   frame: { file: 'model.py', line: 66, source: 'assert d_model % n_heads == 0' } }
 */
export interface TrialFailure {
  signature: string;
  summary: string;
  frame: FailureFrame | null;
}

export interface TrialRecord {
  studyId: number;
  /** Per-study number; 0 is the baseline. */
  id: number;
  specialist: string;
  parent: number | null;
  hypothesis: string;
  notes: string;
  expectedDelta: number | null;
  status: TrialStatus;
  label: FailureLabel | null;
  /** The raw detail beside the label (an error message, which gate missed by how much). */
  labelDetail: string | null;
  /** The trial's commit in the private repo (null before materialise or when apply failed). */
  commit: string | null;
  tree: string | null;
  /** Unified diff against the parent commit, recomputed from git. */
  diff: string | null;
  metrics: Metrics;
  /** The objective metric's value, when the trial produced a valid score. */
  score: number | null;
  seed: number;
  timings: TrialTimings;
  cost: TrialCost | null;
  /** Last lines of the run's (or the failing phase's) output. */
  logExcerpt: string;
  /**
   * The failure signature of a failed trial (null otherwise). Trials recorded before it was
   * stored read back with one derived from their label, detail and log excerpt.
   */
  failure: TrialFailure | null;
  /** Every measured repeat (one for a plain trial); metrics above are their aggregate. */
  repeats: RepeatRecord[];
  /** Intermediate metrics the run reported, for pruning and plots. */
  curve: CurvePoint[];
  /** The edit as proposed, kept for audit; the stored diff is what counts. */
  edit: Edit | null;
  owner: TrialOwner | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  heartbeatAt: string | null;
}

/** JSON shape of a trial for `--json` output; stable, documented in docs/json.md. */
export interface TrialJson {
  id: number;
  specialist: string;
  parent: number | null;
  status: TrialStatus;
  label: FailureLabel | null;
  labelDetail: string | null;
  /** The failure signature of a failed trial, else null (docs/failure-labels.md). */
  failure: TrialFailure | null;
  metrics: Metrics;
  score: number | null;
  commit: string | null;
  hypothesis: string;
  notes: string;
  expectedDelta: number | null;
  seed: number;
  timings: TrialTimings;
  cost: TrialCost | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function trialToJson(trial: TrialRecord): TrialJson {
  return {
    id: trial.id,
    specialist: trial.specialist,
    parent: trial.parent,
    status: trial.status,
    label: trial.label,
    labelDetail: trial.labelDetail,
    failure: trial.failure === null ? null : { signature: trial.failure.signature, summary: trial.failure.summary, frame: trial.failure.frame },
    metrics: trial.metrics,
    score: trial.score,
    commit: trial.commit,
    hypothesis: trial.hypothesis,
    notes: trial.notes,
    expectedDelta: trial.expectedDelta,
    seed: trial.seed,
    timings: trial.timings,
    cost: trial.cost,
    createdAt: trial.createdAt,
    startedAt: trial.startedAt,
    finishedAt: trial.finishedAt,
  };
}

export function isFinished(trial: Pick<TrialRecord, 'status'>): boolean {
  return FINISHED_STATUSES.has(trial.status);
}
