import type { TrialLevelRecord } from './fidelity.ts';
import type { AuditEventInput, AuditEventMap, AuditEventType, StudyEvent } from './audit-events.ts';
import type { SessionArchive } from './session-archive.ts';
import type { StudyRecord } from './study.ts';
import type { MemoryStore } from './technique-card.ts';
import type {
  CurvePoint,
  RepeatRecord,
  Edit,
  FailureLabel,
  Metrics,
  TrialCost,
  TrialFailure,
  TrialOwner,
  TrialRecord,
  TrialStatus,
  TrialTimings,
} from './trial.ts';

/** What is recorded when a trial is created. Its number is allocated by the store. */
export interface TrialDraft {
  specialist: string;
  parent: number | null;
  hypothesis: string;
  notes?: string;
  expectedDelta?: number | null;
  seed: number;
  edit: Edit | null;
  cost?: TrialCost | null;
  owner: TrialOwner | null;
  /** Force a number (only the baseline uses this: 0). */
  id?: number;
}

/** Fields that may change while a trial is not finished. */
export interface TrialProgress {
  status?: Extract<TrialStatus, 'pending' | 'running'>;
  commit?: string | null;
  tree?: string | null;
  diff?: string | null;
  timings?: TrialTimings;
  owner?: TrialOwner | null;
  startedAt?: string;
  logExcerpt?: string;
}

/** The outcome of a trial before acceptance: a valid score, or a failure label. */
export interface TrialOutcome {
  status: Extract<TrialStatus, 'failed'> | 'scored';
  label: FailureLabel | null;
  labelDetail: string | null;
  metrics: Metrics;
  score: number | null;
  timings: TrialTimings;
  logExcerpt: string;
  commit?: string | null;
  tree?: string | null;
  diff?: string | null;
  cost?: TrialCost | null;
  repeats?: RepeatRecord[];
  curve?: CurvePoint[];
  /**
   * The failure signature of a failed outcome, computed by the evaluator (which knows the
   * recipe's paths and sources). Absent: the store derives one from the label, detail and
   * excerpt. Ignored for a scored outcome.
   */
  failure?: TrialFailure | null;
}

/**
 * What the acceptance rule decided: keep or not, and for a scored trial that is not kept
 * because the evidence was too weak, the label (`not_significant`) and its detail. Any
 * `metrics` given are merged into the recorded metrics (the evidence: p-value, n, ...).
 */
export interface AcceptanceVerdict {
  keep: boolean;
  label?: FailureLabel;
  detail?: string;
  metrics?: Metrics;
}

export type { StudyEvent } from './audit-events.ts';
export type { AncestorLink, TrialFilter } from './trial-filter.ts';
import type { AncestorLink, TrialFilter } from './trial-filter.ts';

/** The named events `Store.updateTrial` records beside progress (without one: `trial.updated`). */
export type TrialProgressEvent = AuditEventInput<'trial.started' | 'trial.materialised' | 'trial.adopted'>;

/** How `Store.updateTrial` writes a trial's progress. */
export interface ProgressWriteOptions {
  /**
   * Write-behind (a trial started): the call returns once the write is queued in this
   * process; the store commits it with its next write of the study (in the same
   * transaction, before that write's own statements), before any read of this process
   * that could see it, and at the latest a fraction of a second later. A queued write
   * that finds the trial finished or gone changes nothing (the trial's next write says
   * why); a process killed before the commit loses that progress only (the trial is
   * recovered as any unfinished trial of a dead driver). Stores without it write at once.
   */
  writeBehind?: boolean;
}


/** A `TrialFilter` for `Store.listTrials`, which may also leave the bulky columns out. */
export interface TrialListFilter extends TrialFilter {
  /**
   * Without the bulky columns (what tables and plots over many trials need): `diff` and
   * `edit` null, `logExcerpt` '' (kept for a failed trial whose signature was not stored,
   * so `failure` is derived as in a full read), `curve` and `repeats` empty. Read one
   * trial with `getTrial` for the rest. `'lineage'`: fewer columns still, what a
   * `LineageIndex` keeps of a trial outside its window (ids, specialist, parent, status,
   * label, score, notes, times, the failure: signature, else detail and log); the
   * hypothesis '', metrics, timings and seed empty, the rest null.
   */
  light?: boolean | 'lineage';
}

/**
 * One trial's stored diff (`Store.listTrialDiffs`), e.g.
 * `{ id: 7, diff: 'diff --git a/train.py b/train.py\n...' }`; null when none was recorded.
 */
export interface TrialDiffRow {
  id: number;
  diff: string | null;
}

/** Which events `Store.listEvents` returns. */
export interface EventFilter {
  /** Only events with id above this. */
  afterId?: number;
  limit?: number;
  /** Only the events about this trial (indexed). */
  trialId?: number;
  /** Only events of these types (an empty list matches nothing; legacy names are matched too). */
  types?: readonly AuditEventType[];
  /** Newest first when true (`{ descending: true, limit: 1 }`: the study's last event). */
  descending?: boolean;
}


/** A finished trial projected to its result (no edit, diff, log or metrics read), as `Store.listTrialResults` returns it. */
export interface TrialResult {
  id: number;
  specialist: string;
  status: Extract<TrialStatus, 'kept' | 'discarded' | 'failed'>;
  label: FailureLabel | null;
  score: number | null;
  finishedAt: string;
}

/** Which finished trials `Store.listTrialResults` returns. */
export interface TrialResultFilter {
  /** Only these statuses (an empty list matches nothing). */
  status?: Array<TrialResult['status']>;
  /** Not the trials failed with these labels. */
  excludeLabels?: FailureLabel[];
  /** Only the newest this many, in finishing order. */
  newest?: number;
}

/** One specialist's finished trials, summed by `Store.summarizeTrials` (the baseline not counted). */
export interface SpecialistTrialTotals {
  specialist: string;
  /** Its lowest finished trial's number. */
  firstId: number;
  /** Its finished trials (kept, discarded, failed). */
  finished: number;
  /** Of them, failed with `infra_error` (the machine's fault). */
  machineFaults: number;
  kept: number;
  /** Failed, machine faults not counted. */
  failed: number;
  /** USD of its finished trials (each trial's `cost.usd`). */
  costUsd: number;
  /** Its finished trials' `timings.totalMs`, machine faults not counted, milliseconds. */
  totalMs: number;
}

/**
 * What a driver starting on a study needs of its history, as aggregate queries give it
 * (`Store.summarizeTrials`): counts and sums, no trial record read, whatever the size of
 * the study.
 */
export interface TrialSummary {
  /** Trials in the study, the baseline included. */
  trials: number;
  /** The highest trial number; null in a study without trials. */
  lastId: number | null;
  /** Trials not finished (pending or running), in id order. */
  unfinishedIds: number[];
  /** Trials other than the baseline that the machine did not fail (`infra_error`): what `budget.trials` counts. */
  countedTrials: number;
  /** Finished trials other than the baseline, machine faults not counted, after the last kept one in finishing order (all of them when none was kept). */
  sinceLastKept: number;
  /**
   * USD spent in the study: every trial's `cost.usd`, plus the sessions that proposed
   * nothing (`proposal.none`) and the dropped proposals (`proposal.dropped`).
   */
  spentUsd: number;
  /** The finished trials summed by specialist, in order of `firstId`. */
  specialists: SpecialistTrialTotals[];
}

/** How `Store.aggregateTrials` thins the score plot (past these counts; default 2,000 each) and how many trials per cause it lists. */
export interface StudyAggregateOptions {
  maxPoints?: number;
  maxFailures?: number;
  /** The newest trials listed per failure cause (default 20). */
  causeTrials?: number;
}

/**
 * A study's overview by aggregate queries (`Store.aggregateTrials`): what the dashboard's
 * overview shows, with no trial record read and nothing held per trial.
 */
export interface StudyAggregates {
  /** Trials counted and summed by specialist, status and label; the baseline (trial 0) is its own group. */
  groups: Array<{ specialist: string; status: TrialStatus; label: FailureLabel | null; baseline: boolean; count: number; /** Of them, with a score. */ scored: number; costUsd: number; computeMs: number; firstId: number }>;
  /** The highest trial number (null without trials). */
  maxId: number | null;
  /** The most recently finished kept trial (finish time, then number), or null. */
  incumbent: number | null;
  /** Every kept trial [id, score], in id order. */
  kept: Array<[number, number | null]>;
  /**
   * Discarded trials [id, score] in id order: every one up to `maxPoints`, past it the
   * lowest and the highest score of each of `maxPoints / 2` stretches of ids (bucket
   * `floor(id * stretches / (maxId + 1))`; ties: the lowest id).
   */
  discarded: Array<[number, number]>;
  /** Failed trials [id, label ('crash' when none)] in id order: every one up to `maxFailures`, past it the lowest id of each label per stretch. */
  failed: Array<[number, FailureLabel]>;
  /** Pending and running trials, in id order. */
  unfinished: number[];
  /** Failed trials by stored failure signature; `underived`: failed trials without a stored one (the caller derives theirs). */
  causes: {
    stored: Array<{ signature: string; count: number; firstTrial: number; lastTrial: number; specialists: Record<string, number>; newest: number[] }>;
    underived: number[];
  };
}

/**
 * Decides, inside the store's recording transaction, whether a scored trial is kept.
 * The verdict recorded is the one against the incumbent as it is at that instant, so two
 * processes recording at once can never both crown a trial against a stale incumbent. It
 * may be asked more than once for one outcome (a store may first ask against the
 * incumbent it saw last, and ask again when that is no longer the incumbent), so it must
 * have no side effects.
 */
export type AcceptanceDecision = ((candidate: { score: number; metrics: Metrics }, incumbent: TrialRecord | null, kept?: readonly TrialRecord[]) => boolean | AcceptanceVerdict) & {
  /**
   * True for a decision against the front of a multi-objective study: the store then also
   * reads every kept trial inside the same transaction and passes them as `kept`.
   */
  readonly wantsKeptTrials?: boolean;
};

/**
 * Marks a decision that judges against every kept trial (a multi-objective study's front).
 *
 * @example
 * store.finishTrial(studyId, trialId, outcome, decisionOverKeptTrials((candidate, _incumbent, kept) => judge(candidate, kept ?? [])));
 */
export function decisionOverKeptTrials(decide: (candidate: { score: number; metrics: Metrics }, incumbent: TrialRecord | null, kept?: readonly TrialRecord[]) => boolean | AcceptanceVerdict): AcceptanceDecision {
  return Object.assign(decide, { wantsKeptTrials: true as const });
}

/**
 * The Store port: where studies, trials, metrics, costs and the audit log live.
 *
 * Guarantees every adapter gives:
 * - A finished trial (kept, discarded, failed) is immutable: `updateTrial` and
 *   `finishTrial` on it throw `StoreError` and change nothing.
 * - Trial numbers are allocated atomically per study: two processes creating trials
 *   at once never get the same number.
 * - `finishTrial` is one transaction: the outcome, the metrics rows, the cost row, the
 *   acceptance decision against the current incumbent, and the audit event land
 *   together or not at all.
 * - Every state change appends an event to the audit log.
 * - All methods are safe to call concurrently from several processes on one store.
 * - A write is reported done (its promise resolves) only once it is committed. The SQL
 *   stores may commit several concurrent recording writes of one study together (group
 *   commit, `src/store/sql/commit-group.ts`): each stays all-or-nothing, each caller
 *   gets its own result or error, and a failed shared commit rejects every caller in it.
 * - Durability: an outcome (`finishTrial`) is durable when its promise resolves (it
 *   survives a killed process, a database crash, a power loss), and so is everything the
 *   study committed before it. A new trial and progress are committed when theirs
 *   resolves (every process sees them; a killed autolab process cannot lose them) and
 *   durable at the latest with the study's next durable commit (PostgreSQL commits them
 *   without waiting for the disk: a database or OS crash in between may lose them).
 * The caller owns `close()`.
 */
export interface Store {
  /** Creates or upgrades the schema; safe when two processes start at once. */
  migrate(): Promise<void>;
  /** The study named `name`, created from `init` when absent. */
  openStudy(init: { name: string; taskHash: string; taskJson: string }): Promise<{ study: StudyRecord; created: boolean }>;
  getStudy(name: string): Promise<StudyRecord | null>;
  listStudies(): Promise<StudyRecord[]>;
  setBaselineCommit(studyId: number, commit: string): Promise<void>;
  /** Replaces the stored task (when the user changed non-judging parts) and its hash. */
  setTask(studyId: number, taskHash: string, taskJson: string): Promise<void>;
  addElapsed(studyId: number, ms: number): Promise<void>;
  /** Renames a study (used to archive it before a fresh start); its records are kept. */
  renameStudy(studyId: number, newName: string): Promise<void>;

  createTrial(studyId: number, draft: TrialDraft): Promise<TrialRecord>;
  updateTrial(studyId: number, trialId: number, progress: TrialProgress, event?: TrialProgressEvent, options?: ProgressWriteOptions): Promise<void>;
  /** Records the heartbeat of every listed unfinished trial owned by `owner`. */
  heartbeat(studyId: number, trialIds: number[]): Promise<void>;
  /**
   * Records a finished trial in one transaction. A scored outcome is `kept` when
   * `decide` says so (it then becomes the incumbent), else `discarded`.
   */
  finishTrial(studyId: number, trialId: number, outcome: TrialOutcome, decide: AcceptanceDecision): Promise<TrialRecord>;
  /**
   * The one exception to immutability: a baseline (trial 0) that failed through the
   * machine's fault (`infra_error`, `interrupted`: a wrong partition, a lost node) is set
   * back to `pending`, its outcome cleared and a `trial.reopened` event kept, so that it is
   * measured again (by `owner`, or queued for workers when null) instead of stopping the
   * study for good. False (nothing changed) for
   * any other baseline. Optional: stores without it leave such a baseline failed.
   */
  reopenFailedBaseline?(studyId: number, owner: TrialOwner | null): Promise<boolean>;

  /**
   * False when only the processes of one host can share this store (a SQLite file):
   * remote workers (`autolab worker`, `autolab run --remote`) refuse it even though it
   * has the work queue. True (PostgreSQL) or absent: processes on several hosts can.
   */
  readonly sharedAcrossHosts?: boolean;

  /**
   * Optional (both built-in stores have it): the research memory kept in the same
   * database: the session archive and notes of each study, and the technique cards and
   * knob observations every study of the store shares (src/core/session-archive.ts,
   * src/core/technique-card.ts).
   */
  researchMemory?(): SessionArchive & MemoryStore;

  /**
   * Optional (both built-in stores have it; remote workers use it unless
   * `sharedAcrossHosts` is false): the work queue of workers. A trial created `pending` with no
   * owner is queued. `claimTrial` hands the oldest queued trial to `worker` (it becomes
   * `running`, owned by the worker, and a `trial.claimed` event is logged) or returns
   * null; two workers never claim the same trial. The worker's lease on it lasts
   * `leaseMs` past each heartbeat; a trial whose lease expired is re-queued once
   * (`trial.requeued`), then recorded `interrupted`.
   */
  claimTrial?(studyId: number, worker: TrialOwner, leaseMs: number): Promise<TrialRecord | null>;
  /**
   * Optional, with `claimTrial`: renews `worker`'s leases on the listed trials (their
   * heartbeats); returns the ids it still holds, ascending.
   */
  renewLease?(studyId: number, trialIds: number[], worker: TrialOwner): Promise<number[]>;

  /**
   * Optional (both built-in stores have it; a task with a `fidelity:` ladder needs it):
   * records an unfinished trial's measurement at one fidelity level, replacing an earlier
   * one at that level, with a `trial.level_measured` event, in one transaction. A
   * finished trial is immutable here too (StoreError).
   */
  recordTrialLevel?(studyId: number, trialId: number, draft: Omit<TrialLevelRecord, 'trialId' | 'measuredAt'>): Promise<TrialLevelRecord>;
  /** Optional, with `recordTrialLevel`: the study's level records (of `trialIds` only, when given), by trial then level. */
  listTrialLevels?(studyId: number, trialIds?: readonly number[]): Promise<TrialLevelRecord[]>;

  getTrial(studyId: number, trialId: number): Promise<TrialRecord | null>;
  listTrials(studyId: number, filter?: TrialListFilter): Promise<TrialRecord[]>;
  /**
   * The study's counts and sums (`TrialSummary`): a handful of aggregate queries, no trial
   * record read, so a driver starts on a study of any size in the same memory.
   */
  summarizeTrials(studyId: number): Promise<TrialSummary>;
  /**
   * Finished trials other than the baseline, projected to their results
   * (`TrialResult`), in finishing order (finish time, then number); `newest` reads only
   * the last ones of that order.
   */
  listTrialResults(studyId: number, filter?: TrialResultFilter): Promise<TrialResult[]>;
  /**
   * Optional (both built-in stores have it): the study's overview by aggregate queries
   * (`StudyAggregates`), for the dashboard: a few statements, no trial record read, so the
   * overview of a study of any size costs the server the same memory.
   */
  aggregateTrials?(studyId: number, options?: StudyAggregateOptions): Promise<StudyAggregates>;
  /**
   * Optional (both built-in stores have it): the stored diff of each of `ids` that exists,
   * in id order, and nothing else of the record: what the dashboard's diff between two
   * trials reads along both lineages. Without it the full records are read.
   */
  listTrialDiffs?(studyId: number, ids: readonly number[]): Promise<TrialDiffRow[]>;
  /** The most recently kept trial (the baseline when nothing else was kept), or null. */
  getIncumbent(studyId: number): Promise<TrialRecord | null>;
  countTrials(studyId: number, filter?: Pick<TrialFilter, 'status'>): Promise<number>;
  /**
   * The chain from `trialId` up through its parents to the baseline (`trialId` first),
   * projected to what lineage rules read: one query however long the chain, no diff or
   * log read. Empty when `trialId` does not exist.
   */
  listAncestors(studyId: number, trialId: number): Promise<AncestorLink[]>;

  /** Appends an event of the vocabulary (`AuditEventMap`, src/core/audit-events.ts) about trial `trialId` (which must exist) or the study. */
  appendEvent<K extends AuditEventType>(studyId: number, trialId: number | null, type: K, data: AuditEventMap[K]): Promise<void>;
  /**
   * The study's events with id above `afterId`, in id order: names written by older
   * versions read back under their current name; a line outside the vocabulary is
   * returned as `unrecognised` (kept, never dropped). `options` narrows them (EventFilter).
   */
  listEvents(studyId: number, options?: EventFilter): Promise<StudyEvent[]>;

  close(): Promise<void>;
}
