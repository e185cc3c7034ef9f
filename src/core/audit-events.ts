/**
 * The vocabulary of a study's events, in one typed map: each event's name and what it
 * records. The store's audit log (`Store.appendEvent`, `Store.listEvents`), the dashboard's
 * server-sent events, the study snapshot of the views and `autolab export --format jsonl`
 * all speak it, and the in-process event bus (`StudyEventMap`, ./events.ts) uses the same
 * names with the same payloads (plus the live records) for the events both carry.
 *
 * Names are `<subject>.<what happened>` (`trial.finished`). Names written by older
 * versions are read back under their current name (`LEGACY_AUDIT_EVENT_NAMES`), so old
 * databases keep their meaning. Documented for library users in docs/events.md.
 */
import type { SessionOutcome } from './session-archive.ts';
import type { TrialFeedback } from './trial-feedback.ts';
import type { FailureLabel, TrialCost, TrialPhase, TrialStatus } from './trial.ts';

/** Every event the audit log records, by name: the `data` stored with it. */
export interface AuditEventMap {
  /** A study was created (its first event). */
  'study.created': { name: string; taskHash: string };
  /** The baseline's commit was recorded. */
  'study.baseline_commit': { commit: string };
  /** The user changed non-judging parts of the task file; the stored task was replaced. */
  'study.task_changed': { previousTaskHash: string; taskHash: string };
  /** A driver added its running time to the study's elapsed time. */
  'study.elapsed': { addedMs: number; elapsedMs: number };
  /** The study was renamed (archived before a fresh start). */
  'study.renamed': { previousName: string; name: string };
  /** `autolab run --more N` extended the trial budget by `trials`. Stored as `budget_extended` before. */
  'study.budget_extended': { trials: number };
  /** A driver stopped the study, and why (a stop rule, the user). */
  'study.stopped': { reason: string };
  /** A trial was recorded `pending` (proposed by `specialist` on `parent`; null: the baseline). */
  'trial.created': { specialist: string; parent: number | null };
  /** A trial began running in a slot (its index and GPU, when known). */
  'trial.started': { slot?: number; gpu?: string | null };
  /** The trial's edit was committed; the commit, tree and diff are stored on the trial. */
  'trial.materialised': { commit: string | null };
  /** The trial entered a lifecycle phase. */
  'trial.phase': { phase: TrialPhase };
  /** Progress was recorded without a named event: the fields that changed. */
  'trial.updated': { status?: TrialStatus; fields: string[] };
  /** A worker claimed the queued trial under a lease of `leaseMs`. */
  'trial.claimed': { worker: string; token: string; leaseMs: number };
  /** A worker's lease expired; the trial went back to the queue. */
  'trial.requeued': { reason: string };
  /** The trial reruns trial `of`, which a machine fault ended (`infra_error`). */
  'trial.retry': { of: number; reason: string | null };
  /** A restarted driver took over a dead driver's trial (`from`: its owner) and waits for its jobs. */
  'trial.adopted': { from: string };
  /** The baseline a machine fault ended (`infra_error`, `interrupted`) goes back to pending, to be measured again. */
  'trial.reopened': { label: string | null; detail: string | null };
  /** The trial was measured at fidelity level `level` (`levelName`): its status there, label, score and run time (docs/fidelity.md). */
  'trial.level_measured': { level: number; levelName: string; status: 'scored' | 'failed'; label: FailureLabel | null; score: number | null; runMs: number };
  /**
   * The promotion rule moved the trial up the fidelity ladder, from level `from` to `to`
   * (names), and why; `expectedRunMs`: the cost model's run time of one run at `to`;
   * `gain_per_cost` and `predicted`: `expectedGain` over the incumbent, `chance` of beating it
   * and `expectedClimbMs`, the predicted cost of its climb.
   */
  'trial.promoted': { from: string; to: string; reason: string; expectedRunMs?: number | null; expectedGain?: number; chance?: number; expectedClimbMs?: number };
  /**
   * A continued ladder (`fidelity.continue`): the trial's run at `level` (`levelName`) resumes
   * from its artifacts of level `from`; `problem` (then nothing is offered, the run starts
   * over) when there were none or they were not plain data.
   */
  'trial.level_resumed': { level: number; levelName: string; from: string; problem: string | null };
  /**
   * A driver whose trials run on workers (`autolab run --remote`) queued the promoted trial
   * for a worker to run it at fidelity level `level` (`levelName`); the worker that claims it
   * runs that level (without such an event, the first).
   */
  'trial.level_queued': { level: number; levelName: string };
  /**
   * Before the trial starts: its predicted run time at each fidelity level (one level, `run`,
   * without a ladder), from its parent's run times times `factor`, the cost model's factor for
   * its diff (`terms`: each feature's value and learnt coefficient), fitted on `fittedOn` past
   * trials; `usd`: what its proposal cost (model-made ones), null when free.
   */
  'trial.cost_predicted': { levels: Array<{ level: number; levelName: string; expectedRunMs: number | null }>; factor: number; terms: Array<{ feature: string; value: number; coefficient: number }>; fittedOn: number; usd: number | null };
  /** The trial was recorded finished: its status, failure label and score. */
  'trial.finished': { status: FinishedTrialStatus; label: FailureLabel | null; score: number | null };
  /** What the run left for the specialists and what the profile command printed (task `feedback:`), redacted and capped; recorded before `trial.finished`. */
  'trial.feedback': TrialFeedback;
  /** A specialist's session ended without a proposal (and what it cost). */
  'proposal.none': { specialist: string; outcome: SessionOutcome; reason: string; cost: TrialCost; steps: number; toolCalls: number; retries: number };
  /** A proposal was dropped unevaluated (the study stopped first), and what it cost. */
  'proposal.dropped': { specialist: string; hypothesis: string; cost: TrialCost | null; reason: string | null };
}

/** A status a finished trial can have. */
export type FinishedTrialStatus = Extract<TrialStatus, 'kept' | 'discarded' | 'failed'>;

/** The name of an event of the audit log. */
export type AuditEventType = keyof AuditEventMap;

const AUDIT_EVENT_NAMES: Record<AuditEventType, true> = {
  'study.created': true,
  'study.baseline_commit': true,
  'study.task_changed': true,
  'study.elapsed': true,
  'study.renamed': true,
  'study.budget_extended': true,
  'study.stopped': true,
  'trial.created': true,
  'trial.started': true,
  'trial.materialised': true,
  'trial.phase': true,
  'trial.updated': true,
  'trial.claimed': true,
  'trial.requeued': true,
  'trial.retry': true,
  'trial.adopted': true,
  'trial.reopened': true,
  'trial.level_measured': true,
  'trial.promoted': true,
  'trial.level_resumed': true,
  'trial.level_queued': true,
  'trial.cost_predicted': true,
  'trial.finished': true,
  'trial.feedback': true,
  'proposal.none': true,
  'proposal.dropped': true,
};

/** Every name of the audit log's vocabulary, in the order of `AuditEventMap`. */
export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = Object.keys(AUDIT_EVENT_NAMES) as AuditEventType[];

/** Names older versions stored, and the current name each is read back as. */
export const LEGACY_AUDIT_EVENT_NAMES: Readonly<Record<string, AuditEventType>> = {
  budget_extended: 'study.budget_extended',
};

/**
 * The current name of a stored event type (a legacy name maps to its successor), or null
 * when it is not in the vocabulary (written by a newer version).
 *
 * @example auditEventTypeOf('budget_extended') // 'study.budget_extended'
 */
export function auditEventTypeOf(stored: string): AuditEventType | null {
  if (Object.hasOwn(AUDIT_EVENT_NAMES, stored)) return stored as AuditEventType;
  return Object.hasOwn(LEGACY_AUDIT_EVENT_NAMES, stored) ? LEGACY_AUDIT_EVENT_NAMES[stored]! : null;
}

interface AuditEventFields {
  id: number;
  studyId: number;
  /** The trial it is about, or null for the study. */
  trialId: number | null;
  /** When it happened (ISO 8601). */
  at: string;
}

/** One line of the audit log in the vocabulary: a union discriminated by `type`. */
export type AuditEvent = { [K in AuditEventType]: AuditEventFields & { type: K; data: AuditEventMap[K] } }[AuditEventType];

/** One line of the audit log whose type is `K`. */
export type AuditEventOf<K extends AuditEventType> = Extract<AuditEvent, { type: K }>;

/**
 * A stored line that is not in the vocabulary, or whose data does not have its type's
 * shape: kept as it was stored (`storedType`, `data`) with the `problem`, never dropped.
 */
export interface UnrecognisedAuditEvent extends AuditEventFields {
  type: 'unrecognised';
  storedType: string;
  data: Record<string, unknown>;
  problem: string;
}

/** One line of the append-only audit log, as `Store.listEvents` returns it. */
export type StudyEvent = AuditEvent | UnrecognisedAuditEvent;

/** An event to record: its type and data (what `Store.updateTrial` takes beside progress). */
export type AuditEventInput<K extends AuditEventType = AuditEventType> = { [T in K]: { type: T; data: AuditEventMap[T] } }[K];

/**
 * The type a stored line was written with (its current name; an unrecognised line's own).
 *
 * @example storedTypeOf(event) // 'trial.finished'
 */
export function storedTypeOf(event: StudyEvent): string {
  return event.type === 'unrecognised' ? event.storedType : event.type;
}

/**
 * Whether `event` is of type `type` (narrows its data).
 *
 * @example if (isAuditEventOf(event, 'trial.finished')) console.log(event.data.score);
 */
export function isAuditEventOf<K extends AuditEventType>(event: StudyEvent, type: K): event is AuditEventOf<K> {
  return event.type === type;
}

/**
 * The events of type `type`, in order, with their data typed.
 *
 * @example auditEventsOf(await store.listEvents(study.id), 'proposal.none').map((e) => e.data.reason)
 */
export function auditEventsOf<K extends AuditEventType>(events: readonly StudyEvent[], type: K): AuditEventOf<K>[] {
  return events.filter((event): event is AuditEventOf<K> => event.type === type);
}
