/**
 * The Store port over SQL, written once for every database: each method validates its
 * input (store-rules.ts), then runs one operation of `src/store/sql/` either as a
 * single statement or in a study transaction of the adapter's driver (driver.ts).
 *
 * Concurrency, in one rule: every transaction that changes a study or appends to its
 * audit log first takes that study's write lock (`driver.lockStudy`) and holds it until
 * it commits, and reads the database clock once it holds it. So, per study:
 * - trial numbers (`MAX(id) + 1`) are allocated one transaction at a time;
 * - `finishTrial` decides against the incumbent as committed at that instant;
 * - event ids are allocated in commit order, so `listEvents({ afterId })` never skips
 *   an event that commits after a later-numbered one was read.
 * The only writes that skip the lock are heartbeats and lease renewals (single-row
 * stamps that append no event). The study lock is always a transaction's first lock,
 * so lock order is fixed and transactions cannot deadlock on it.
 *
 * Write-behind progress (`updateTrial(..., { writeBehind: true })`, progress-queue.ts)
 * is committed inside the next study transaction of this store, after the lock and
 * before that transaction's own statements, so it keeps the rule above; reads of this
 * store that could see a queued write commit it first.
 *
 * Group commit (commit-group.ts): recording writes (a trial created, its progress, its
 * outcome) that arrive while a transaction of their study runs in this store wait and
 * share the next transaction, in arrival order; each caller settles once it commits.
 */
import { AutolabError } from '../../core/errors.ts';
import { AUDIT_EVENT_TYPES, type AuditEventMap, type AuditEventType } from '../../core/audit-events.ts';
import type { AcceptanceDecision, AncestorLink, EventFilter, ProgressWriteOptions, Store, StudyEvent, TrialDiffRow, TrialDraft, TrialFilter, TrialListFilter, TrialOutcome, TrialProgress, TrialProgressEvent, TrialResult, TrialResultFilter, TrialSummary, StudyAggregates, StudyAggregateOptions } from '../../core/store.ts';
import type { StudyRecord } from '../../core/study.ts';
import type { TrialLevelRecord } from '../../core/fidelity.ts';
import type { TrialOwner, TrialRecord } from '../../core/trial.ts';
import { studyFromRow } from '../rows.ts';
import { validateDraft, validateOutcome, validateTimings } from '../store-rules.ts';
import { createTrial } from './create-trial.ts';
import { firstRow, workSession, type SqlDriver, type SqlSession, type SqlStatement, type TransactionOptions } from './driver.ts';
import { appendEvent, listEvents } from './events.ts';
import { finishTrial, type SeenIncumbent } from './finish-trial.ts';
import { canFinishAgainstSeen, finishAgainstSeen } from './finish-against-seen.ts';
import { LeaseQueue, renewLease, requireLease } from './lease-queue.ts';
import { SqlResearchMemory } from './research-memory.ts';
import { countTrials, getIncumbent, getTrial, listAncestors, listTrialDiffs, listTrials, stateAndIncumbentRead } from './read-trials.ts';
import * as studies from './studies.ts';
import { listTrialLevels, recordTrialLevel, validateLevelDraft, type TrialLevelDraft } from './trial-levels.ts';
import { applyQueuedProgress, heartbeat, updateTrial } from './update-trial.ts';
import { ProgressQueue } from './progress-queue.ts';
import { CommitGroups } from './commit-group.ts';
import { reopenFailedBaseline } from './reopen-baseline.ts';
import { listTrialResults, summarizeTrials } from './trial-summary.ts';
import { aggregateTrials } from './study-aggregates.ts';

/** What a write in a study transaction gets: the session, the database clock under the lock, the study read under it. */
interface StudyWork {
  tx: SqlSession;
  at: string;
  study: () => Promise<StudyRecord>;
  /** The rows of the write's first read when the transaction sent it with its lock (`studyTransaction`'s `first`); else the write reads itself. */
  first?: unknown[];
}

/**
 * The shared implementation the SQLite and PostgreSQL adapters extend with their driver.
 *
 * @example
 * // An adapter: its driver (connection, transactions, study lock, dialect) and nothing more.
 * export class SqliteStore extends SqlStore {
 *   static async open(file: string): Promise<SqliteStore> {
 *     const store = new SqliteStore(new SqliteDriver(await openSqliteDatabase(file), file), file);
 *     await store.migrate();
 *     return store;
 *   }
 * }
 */
export abstract class SqlStore implements Store {
  private readonly queue = new LeaseQueue();
  /** Write-behind progress writes (a trial started), committed with the next transaction. */
  private readonly progress = new ProgressQueue(() => void this.flushProgress().catch(() => undefined));
  /** Recording writes that arrive while a transaction of their study runs wait and commit together (commit-group.ts). */
  private readonly groups = new CommitGroups<StudyWork>({
    // Alone in its transaction, a write may end it with its last statement (SqlSession.final: the COMMIT in the same round trip).
    alone: (studyId, write) =>
      this.studyTransaction(studyId, write.action, (tx, at, study, first) => write.run({ tx, at, study, ...(first === undefined ? {} : { first }) }), { durable: write.durable, reusePlans: true }, true, write.first as SqlStatement | undefined),
    together: (studyId, writes, runAll) =>
      this.studyTransaction(studyId, `${writes[0]!.action} (with ${writes.length - 1} more writes of the study, committed together)`, (tx, at, study) => runAll({ tx, at, study }), {
        durable: writes.some((write) => write.durable),
        reusePlans: true,
      }),
  });
  /**
   * Per study, the incumbent as this store's last recorded outcome saw it under the lock
   * (SeenIncumbent). Only a guess: the next outcome is decided against it in a statement
   * that changes nothing unless it still is the incumbent, checked under the lock
   * (finish-against-seen.ts); a wrong guess costs the usual way's round trip, never a
   * wrong verdict.
   */
  private readonly incumbents = new Map<number, SeenIncumbent>();
  private closed = false;

  protected constructor(protected readonly driver: SqlDriver) {}

  migrate(): Promise<void> {
    return this.driver.migrate();
  }

  // ---- studies -------------------------------------------------------------------

  openStudy(init: { name: string; taskHash: string; taskJson: string }): Promise<{ study: StudyRecord; created: boolean }> {
    return this.driver.transaction(`open study ${init.name}`, (tx) => studies.openStudy(tx, init));
  }

  getStudy(name: string): Promise<StudyRecord | null> {
    return studies.getStudy(this.reader('read a study'), name);
  }

  listStudies(): Promise<StudyRecord[]> {
    return studies.listStudies(this.reader('list studies'));
  }

  async setBaselineCommit(studyId: number, commit: string): Promise<void> {
    await this.studyTransaction(studyId, 'record the baseline commit', (tx, at) => studies.setBaselineCommit(tx, at, studyId, commit));
  }

  async setTask(studyId: number, taskHash: string, taskJson: string): Promise<void> {
    await this.studyTransaction(studyId, 'replace the study task', async (tx, at, before) => studies.setTask(tx, at, await before(), taskHash, taskJson));
  }

  async addElapsed(studyId: number, ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new AutolabError('StoreError', `addElapsed needs a non-negative number of milliseconds, got ${ms}`);
    const rounded = Math.round(ms);
    await this.studyTransaction(studyId, 'add elapsed time', async (tx, at, before) => studies.addElapsed(tx, at, await before(), rounded));
  }

  async renameStudy(studyId: number, newName: string): Promise<void> {
    if (newName.trim().length === 0) throw new AutolabError('StoreError', 'A study name cannot be empty');
    await this.studyTransaction(studyId, `rename study ${studyId}`, async (tx, at, before) => studies.renameStudy(tx, at, await before(), newName));
  }

  // ---- trials --------------------------------------------------------------------

  async createTrial(studyId: number, draft: TrialDraft): Promise<TrialRecord> {
    validateDraft(studyId, draft);
    // Committed (every process sees it; a killed autolab process cannot lose it) without
    // waiting for the disk: durable with the study's next durable commit, at the latest its
    // outcome's (TransactionOptions.durable; docs/performance.md, "Durability").
    return this.recordingTransaction(studyId, 'create a trial', false, ({ tx, at }) => createTrial(tx, at, studyId, draft));
  }

  async updateTrial(studyId: number, trialId: number, progress: TrialProgress, event?: TrialProgressEvent, options?: ProgressWriteOptions): Promise<void> {
    if (progress.timings) validateTimings(progress.timings, `Cannot update trial ${trialId}`);
    if (options?.writeBehind === true) {
      if (this.closed) throw new AutolabError('StoreError', `Cannot update trial ${trialId}: the store ${this.driver.display} is closed`);
      this.progress.add({ studyId, trialId, progress, event, attempts: 0 });
      return;
    }
    // Progress, not an outcome: durable with the trial's outcome, not at its own commit (TransactionOptions).
    await this.recordingTransaction(studyId, `update trial ${trialId}`, false, ({ tx, at }) => updateTrial(tx, at, studyId, trialId, progress, event));
  }

  reopenFailedBaseline(studyId: number, owner: TrialOwner | null): Promise<boolean> {
    return this.studyTransaction(studyId, 'reopen the baseline', (tx, at) => reopenFailedBaseline(tx, at, studyId, owner));
  }

  heartbeat(studyId: number, trialIds: number[]): Promise<void> {
    return heartbeat(this.reader('record heartbeats'), studyId, trialIds);
  }

  async finishTrial(studyId: number, trialId: number, outcome: TrialOutcome, decide: AcceptanceDecision): Promise<TrialRecord> {
    validateOutcome(studyId, trialId, outcome);
    const action = `record the outcome of trial ${trialId}`;
    const seen = this.incumbents.get(studyId);
    // What the usual way read under the lock, kept where the next outcome can use it.
    const note = this.driver.pipelines === true ? (incumbent: SeenIncumbent) => this.incumbents.set(studyId, incumbent) : undefined;
    // Where statements pipeline (PostgreSQL): decided against the incumbent this store saw
    // last, in one statement that checks it still is, sent behind the lock with its COMMIT
    // (one round trip); a failed outcome needs no incumbent (finish-against-seen.ts).
    if (this.driver.pipelines === true && canFinishAgainstSeen(outcome, decide) && (seen !== undefined || outcome.status === 'failed')) {
      const recorded = await this.recordingTransaction(studyId, action, true, async ({ tx, at }) => {
        const fast = await finishAgainstSeen(tx, at, studyId, trialId, outcome, decide, seen ?? null);
        if (fast !== undefined) return fast;
        // Changed nothing. Committed already (alone in its transaction): the usual way below, in
        // another; in a group, the usual way here.
        if (tx.final !== undefined) return undefined;
        return { trial: await finishTrial(tx, at, studyId, trialId, outcome, decide, undefined, note), incumbent: undefined };
      });
      if (recorded !== undefined) {
        if (recorded.incumbent !== undefined) this.incumbents.set(studyId, recorded.incumbent);
        return recorded.trial;
      }
    }
    // Its first read (the trial's state and the incumbent) may go with the study lock (one round trip on PostgreSQL).
    return this.recordingTransaction(studyId, action, true, ({ tx, at, first }) => finishTrial(tx, at, studyId, trialId, outcome, decide, first, note), stateAndIncumbentRead(studyId, trialId));
  }

  async getTrial(studyId: number, trialId: number): Promise<TrialRecord | null> {
    if (this.progress.holds(studyId, [trialId])) await this.commitBeforeRead();
    return getTrial(this.reader(`read trial ${trialId}`), studyId, trialId);
  }

  /** Trials in id order (newest first with `descending`). An empty `status` list matches nothing. */
  async listTrials(studyId: number, filter: TrialListFilter = {}): Promise<TrialRecord[]> {
    // A queued write may decide which trials match (their status, their tree): committed first.
    const decides = [...(filter.status === undefined ? [] : (['status'] as const)), ...(filter.tree === undefined ? [] : (['tree'] as const))];
    if (decides.length > 0 && this.progress.changes(studyId, decides)) await this.commitBeforeRead();
    return this.readSeeingProgress(studyId, () => listTrials(this.reader('list trials'), studyId, filter));
  }

  /** The stored diffs of `ids`, projected to `id, diff` (the dashboard's diff between trials). */
  listTrialDiffs(studyId: number, ids: readonly number[]): Promise<TrialDiffRow[]> {
    return this.readSeeingProgress(studyId, () => listTrialDiffs(this.reader('read stored diffs'), studyId, ids));
  }

  /** The chain from `trialId` up to the baseline, `trialId` first, in one query. */
  listAncestors(studyId: number, trialId: number): Promise<AncestorLink[]> {
    // Progress never changes a parent, so which trials are in the chain is known without committing.
    return this.readSeeingProgress(studyId, () => listAncestors(this.reader('read a lineage'), studyId, trialId));
  }

  getIncumbent(studyId: number): Promise<TrialRecord | null> {
    return getIncumbent(this.reader('read the incumbent'), studyId);
  }

  /** An empty `status` list counts nothing. */
  async countTrials(studyId: number, filter: Pick<TrialFilter, 'status'> = {}): Promise<number> {
    if (!this.progress.idle) await this.commitBeforeRead();
    return countTrials(this.reader('count trials'), studyId, filter);
  }

  /** The study's counts and sums, by aggregate queries (trial-summary.ts). */
  async summarizeTrials(studyId: number): Promise<TrialSummary> {
    if (!this.progress.idle) await this.commitBeforeRead(); // a queued start changes a status
    return summarizeTrials(this.reader('summarize trials'), studyId);
  }

  /** Finished trials other than the baseline, projected to their results, in finishing order. */
  listTrialResults(studyId: number, filter: TrialResultFilter = {}): Promise<TrialResult[]> {
    // Progress never finishes a trial: a queued write cannot change a finished trial's result.
    return listTrialResults(this.reader('list trial results'), studyId, filter);
  }

  /** The study's overview by aggregate queries (study-aggregates.ts). */
  async aggregateTrials(studyId: number, options: StudyAggregateOptions = {}): Promise<StudyAggregates> {
    if (!this.progress.idle) await this.commitBeforeRead(); // a queued start changes a status
    return aggregateTrials(this.reader('aggregate trials'), studyId, options);
  }

  // ---- fidelity levels (trial-levels.ts) -------------------------------------------

  /** Records the unfinished trial's measurement at one fidelity level (replacing an earlier one at that level). */
  async recordTrialLevel(studyId: number, trialId: number, draft: TrialLevelDraft): Promise<TrialLevelRecord> {
    validateLevelDraft(trialId, draft);
    return this.studyTransaction(studyId, `record a level of trial ${trialId}`, (tx, at) => recordTrialLevel(tx, at, studyId, trialId, draft));
  }

  /** The study's per-level measurements (of the listed trials only, when given), by trial then level. */
  listTrialLevels(studyId: number, trialIds?: readonly number[]): Promise<TrialLevelRecord[]> {
    return listTrialLevels(this.reader('list trial levels'), studyId, trialIds);
  }

  // ---- work queue (lease-queue.ts) -----------------------------------------------

  /**
   * Claims the oldest queued trial of the study (pending, no owner) for `worker`, or
   * returns null; recovers expired leases first (re-queued once, then `interrupted`).
   */
  async claimTrial(studyId: number, worker: TrialOwner, leaseMs: number): Promise<TrialRecord | null> {
    requireLease(leaseMs);
    return this.studyTransaction(studyId, 'claim a trial', (tx, at) => this.queue.claim(tx, at, studyId, worker, leaseMs));
  }

  /** Renews `worker`'s leases on the listed trials; returns the ids it still holds. */
  renewLease(studyId: number, trialIds: number[], worker: TrialOwner): Promise<number[]> {
    return renewLease(this.reader('renew leases'), studyId, trialIds, worker);
  }

  // ---- audit log -----------------------------------------------------------------

  async appendEvent<K extends AuditEventType>(studyId: number, trialId: number | null, type: K, data: AuditEventMap[K]): Promise<void> {
    if (!AUDIT_EVENT_TYPES.includes(type)) throw new AutolabError('StoreError', `Cannot log event '${String(type)}': it is not in the audit log's vocabulary (AuditEventMap, docs/events.md)`);
    // An event about a trial is that trial's progress (its cost predicted, feedback, a level
    // queued): committed without waiting for the disk, durable with the study's next durable
    // commit (the trial's outcome at the latest). An event about the study waits for the disk.
    await this.studyTransaction(studyId, `append event ${type}`, (tx, at) => appendEvent(tx, at, studyId, trialId, type, data), { durable: trialId === null, reusePlans: true }, true);
  }

  async listEvents(studyId: number, options: EventFilter = {}): Promise<StudyEvent[]> {
    if (!this.progress.idle) await this.commitBeforeRead(); // a queued write's event
    return listEvents(this.reader('list events'), studyId, options);
  }

  // ---- research memory (research-memory.ts) ---------------------------------------

  /** The session archive, notes, technique cards and knob observations in this database. */
  researchMemory(): SqlResearchMemory {
    return new SqlResearchMemory(this.driver);
  }

  /**
   * Commits every queued progress write now (one transaction per study) and waits for
   * the transactions already carrying some. Reads that could see a queued write, the
   * timer of the queue and `close` call it.
   */
  async flushProgress(): Promise<void> {
    for (const studyId of this.progress.studies()) {
      await this.studyTransaction(studyId, 'record the progress of trials', async () => undefined, { durable: false, reusePlans: true });
    }
    await this.progress.settled();
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.progress.stop();
      await this.groups.settled();
      await this.flushProgress().catch(() => undefined); // what is left is progress only: the trials' next run recovers them
    }
    return this.driver.close();
  }

  // ---- internals -----------------------------------------------------------------

  /**
   * `read`, run again after committing the queued writes when it returned a trial one of
   * them is about (used where a queued write cannot change which rows match, only what
   * they hold).
   */
  private async readSeeingProgress<T extends Array<{ id: number }>>(studyId: number, read: () => Promise<T>): Promise<T> {
    if (this.progress.idle) return read();
    const rows = await read();
    if (!this.progress.holds(studyId, rows.map((row) => row.id))) return rows;
    await this.commitBeforeRead();
    return read();
  }

  /**
   * `flushProgress` before a read that could see queued writes. A failed commit puts them
   * back in the queue (progress-queue.ts) and the read goes on: it sees that progress
   * later, and the read's own error, if the database is at fault, says why.
   */
  private commitBeforeRead(): Promise<void> {
    return this.flushProgress().catch(() => undefined);
  }

  /**
   * A recording write (a trial created, its progress, its outcome) in a study
   * transaction, committed together with the study's other recording writes that arrive
   * while one of its transactions runs (commit-group.ts); settles once committed.
   * `durable` as TransactionOptions.durable.
   */
  private recordingTransaction<T>(studyId: number, action: string, durable: boolean, work: (context: StudyWork) => Promise<T>, first?: SqlStatement): Promise<T> {
    return this.groups.submit(studyId, action, durable, work, first);
  }

  /** The error for a study that does not exist. */
  private missingStudy(studyId: number): AutolabError {
    return new AutolabError('StoreError', `Study ${studyId} does not exist in ${this.driver.display}`);
  }

  /** A session whose statements each run on their own (`driver.query`), named `action` in errors. */
  private reader(action: string): SqlSession {
    return { dialect: this.driver.dialect, all: (sql, params) => this.driver.query(action, sql, params) };
  }

  /**
   * A transaction that first takes the study's lock and reads the database clock (a
   * StoreError when the study does not exist). `work` reads the study itself with
   * `study()` when it needs it: in a statement after the lock, so that on PostgreSQL it
   * sees every write committed before the lock was granted.
   *
   * Where the driver pipelines (PostgreSQL), statements go out without waiting for the
   * answers before them, in the order they would run one by one: the carried progress
   * writes and `first` (the write's first read) right behind the lock, each with the
   * clock as the lock keeps it (`SqlDriver.deferredClock`); and, for a write that may end
   * early whose clock is only a value it stores (no `first`: a new trial, progress, an
   * event), `work`'s statements too, so such a write is one round trip with its COMMIT.
   * `mayEndEarly`: `work` is one write alone, which may commit with its last statement
   * (`SqlSession.final`).
   */
  private async studyTransaction<T>(
    studyId: number,
    action: string,
    work: (tx: SqlSession, at: string, study: () => Promise<StudyRecord>, first: unknown[] | undefined) => Promise<T>,
    options?: TransactionOptions,
    mayEndEarly = false,
    first?: SqlStatement,
  ): Promise<T> {
    // Queued writes land in the order they were made: a transaction that carries some and
    // has not taken the lock yet (another connection) goes first.
    if (this.progress.carrying(studyId)) await this.progress.settled();
    // The study's queued progress rides in this transaction, after the lock, before `work`.
    const carried = this.progress.take(studyId);
    const pipelines = this.driver.pipelines === true;
    const clock = pipelines ? this.driver.deferredClock : undefined;
    let committedEarly = false;
    const commit = this.driver.transaction(action, async (tx) => {
      const locked = this.driver.lockStudy(tx, studyId);
      locked.catch(() => undefined); // awaited below
      let applied: Promise<unknown> = Promise.resolve();
      let read: Promise<unknown[]> | undefined;
      if (clock !== undefined) {
        // Behind the lock, without its answer: the database runs them once the lock is held.
        applied = applyQueuedProgress(tx, clock, studyId, carried);
        applied.catch(() => undefined); // awaited below
        if (first !== undefined) read = tx.all(first.sql, first.params);
      } else if (pipelines && first !== undefined && carried.length === 0) {
        read = tx.all(first.sql, first.params); // sent behind the lock: it runs once the lock is held, in a snapshot taken then
      }
      read?.catch(() => undefined); // awaited below, unless the lock failed first
      // The clock as a stand-in: `work` sends its statements now too (it only stores the clock).
      const deferred = clock !== undefined && mayEndEarly && first === undefined;
      const at = deferred ? clock : await locked;
      if (at === null) throw this.missingStudy(studyId);
      if (clock === undefined && pipelines) {
        applied = applyQueuedProgress(tx, at, studyId, carried);
        applied.catch(() => undefined); // awaited below
      } else if (clock === undefined) {
        await applyQueuedProgress(tx, at, studyId, carried);
      }
      const session = workSession(tx, mayEndEarly, () => (committedEarly = true));
      try {
        const result = await work(session, at, async () => studyFromRow(await firstRow(tx, 'SELECT * FROM studies WHERE id = ?', [studyId])), read === undefined ? undefined : await read);
        await applied;
        if (deferred && (await locked) === null) throw this.missingStudy(studyId);
        return result;
      } catch (error) {
        // What went wrong first says why: the lock (or a missing study), then a carried write.
        if (deferred && (await locked) === null) throw this.missingStudy(studyId);
        await applied;
        throw error;
      }
    }, options);
    // A write refused after its transaction committed early leaves the carried writes committed.
    return this.progress.carry(commit, carried, () => committedEarly);
  }
}
