/**
 * The PostgreSQL adapter of the Store port (beyond one machine): drivers, workers and
 * dashboards on several hosts share one study. Same tables and migrations as SQLite,
 * the same row validation (rows.ts) and the same SQL-free rules (store-rules.ts).
 *
 * Concurrency, in one rule: every transaction that changes a study or appends to its
 * audit log first takes that study's lock (a transaction-scoped advisory lock, keyed by
 * schema and study id) and holds it until it commits. So, per study:
 * - trial numbers (`MAX(id) + 1`) are allocated one transaction at a time;
 * - `finishTrial` decides against the incumbent as committed at that instant;
 * - event ids are allocated in commit order, so `listEvents({ afterId })` never skips
 *   an event that commits after a later-numbered one was read (a plain sequence would).
 * The only writes that skip the lock are heartbeats and lease renewals (single-row
 * stamps that append no event). The study lock is always a transaction's first lock,
 * so lock order is fixed and transactions cannot deadlock on it.
 *
 * Timestamps come from the database server's clock (`clock_timestamp()`, taken after
 * the lock), so hosts with skewed clocks still agree on heartbeats and leases.
 */
import type pg from 'pg';
import { AutolabError } from '../core/errors.ts';
import type { AcceptanceDecision, Store, StudyEvent, TrialDraft, TrialFilter, TrialOutcome, TrialProgress } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import type { TrialCost, TrialOwner, TrialRecord, TrialStatus } from '../core/trial.ts';
import { FINISHED_STATUSES } from '../core/trial.ts';
import { createPostgresPool, parsePostgresUrl, postgresStoreError, type PostgresLocation } from './postgres-connection.ts';
import { applyPostgresMigrations } from './postgres-migrate.ts';
import { eventFromRow, keptAtFromRow, studyFromRow, trialFromRow } from './rows.ts';
import { addCosts, decideOutcome, FINISHED_TRIAL_COLUMNS, finishedTrialValues, validateDraft, validateOutcome, validateTimings } from './store-rules.ts';

/** The server's clock as the ISO-8601 text every store writes (`2026-01-02T03:04:05.678Z`). */
const NOW_ISO = `to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The first key of autolab's per-study advisory locks ('au' 'st' as bytes), xor the schema's hash. */
const STUDY_LOCK_CLASS = 0x6175_7374;

/** Retries of a transaction that PostgreSQL aborted as a deadlock or serialisation failure. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;

/** How often, at most, a store looks for expired leases while claiming. */
const LEASE_CHECK_MS = 2_000;

type Tx = pg.PoolClient;

export interface PostgresStoreOptions {
  /** Connections in the pool (default 8). */
  maxConnections?: number;
}

/**
 * @example
 * const store = await PostgresStore.open('postgres://autolab:secret@db:5432/research?schema=golf');
 * const { study } = await store.openStudy({ name: 'golf', taskHash, taskJson });
 * await store.close();
 */
export class PostgresStore implements Store {
  private closed = false;
  /** When this store last looked for expired leases, per study (performance.now()). */
  private readonly leaseChecks = new Map<number, number>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly location: PostgresLocation,
    /** First key of this schema's study locks. */
    private readonly lockClass: number,
  ) {}

  /** Where the store is, password hidden. */
  get display(): string {
    return this.location.display;
  }

  /** Connects to `url`, creating the `?schema=` when absent, and migrates it to the newest schema. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const location = parsePostgresUrl(url);
    const pool = createPostgresPool(location, { max: options.maxConnections ?? 8 });
    try {
      const { rows } = await pool.query<{ key: number }>('SELECT hashtext($1) AS key', [location.schema ?? '']);
      const store = new PostgresStore(pool, location, (STUDY_LOCK_CLASS ^ rows[0]!.key) | 0);
      await store.migrate();
      return store;
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw postgresStoreError('open the study database', location.display, error);
    }
  }

  async migrate(): Promise<void> {
    const client = await this.connect('migrate the schema');
    try {
      await applyPostgresMigrations(client, this.location.schema);
    } catch (error) {
      throw postgresStoreError('migrate the schema', this.display, error);
    } finally {
      client.release();
    }
  }

  // ---- studies -------------------------------------------------------------------

  async openStudy(init: { name: string; taskHash: string; taskJson: string }): Promise<{ study: StudyRecord; created: boolean }> {
    return this.transaction(`open study ${init.name}`, async (tx) => {
      const existing = await tx.query('SELECT * FROM studies WHERE name = $1', [init.name]);
      if (existing.rows[0] !== undefined) return { study: studyFromRow(existing.rows[0]), created: false };
      // Two processes creating the same study at once: one inserts, the other waits for
      // its commit and then finds the row.
      const inserted = await tx.query(
        `INSERT INTO studies (name, task_hash, task_json, baseline_commit, elapsed_ms, created_at)
         VALUES ($1, $2, $3, NULL, 0, ${NOW_ISO}) ON CONFLICT (name) DO NOTHING RETURNING *`,
        [init.name, init.taskHash, init.taskJson],
      );
      if (inserted.rows[0] === undefined) {
        const winner = await tx.query('SELECT * FROM studies WHERE name = $1', [init.name]);
        return { study: studyFromRow(winner.rows[0]), created: false };
      }
      const study = studyFromRow(inserted.rows[0]);
      await this.insertEvent(tx, study.id, null, 'study.created', { name: init.name, taskHash: init.taskHash }, study.createdAt);
      return { study, created: true };
    });
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    const rows = await this.read('read a study', 'SELECT * FROM studies WHERE name = $1', [name]);
    return rows[0] === undefined ? null : studyFromRow(rows[0]);
  }

  async listStudies(): Promise<StudyRecord[]> {
    return (await this.read('list studies', 'SELECT * FROM studies ORDER BY id')).map(studyFromRow);
  }

  async setBaselineCommit(studyId: number, commit: string): Promise<void> {
    await this.studyTransaction(studyId, 'record the baseline commit', async (tx, at) => {
      await tx.query('UPDATE studies SET baseline_commit = $1 WHERE id = $2', [commit, studyId]);
      await this.insertEvent(tx, studyId, null, 'study.baseline_commit', { commit }, at);
    });
  }

  async setTask(studyId: number, taskHash: string, taskJson: string): Promise<void> {
    await this.studyTransaction(studyId, 'replace the study task', async (tx, at, before) => {
      await tx.query('UPDATE studies SET task_hash = $1, task_json = $2 WHERE id = $3', [taskHash, taskJson, studyId]);
      await this.insertEvent(tx, studyId, null, 'study.task_changed', { previousTaskHash: before.taskHash, taskHash }, at);
    });
  }

  async addElapsed(studyId: number, ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new AutolabError('StoreError', `addElapsed needs a non-negative number of milliseconds, got ${ms}`);
    const rounded = Math.round(ms);
    await this.studyTransaction(studyId, 'add elapsed time', async (tx, at, before) => {
      await tx.query('UPDATE studies SET elapsed_ms = elapsed_ms + $1 WHERE id = $2', [rounded, studyId]);
      await this.insertEvent(tx, studyId, null, 'study.elapsed', { addedMs: rounded, elapsedMs: before.elapsedMs + rounded }, at);
    });
  }

  async renameStudy(studyId: number, newName: string): Promise<void> {
    if (newName.trim().length === 0) throw new AutolabError('StoreError', 'A study name cannot be empty');
    await this.studyTransaction(studyId, `rename study ${studyId}`, async (tx, at, before) => {
      if (before.name === newName) return;
      const taken = await tx.query('SELECT 1 FROM studies WHERE name = $1', [newName]);
      if (taken.rows.length > 0) {
        throw new AutolabError('StoreError', `Cannot rename study ${before.name} to ${newName}: a study with that name exists`, {
          hint: 'choose another name, or archive the existing study first',
        });
      }
      await tx.query('UPDATE studies SET name = $1 WHERE id = $2', [newName, studyId]);
      await this.insertEvent(tx, studyId, null, 'study.renamed', { previousName: before.name, name: newName }, at);
    });
  }

  // ---- trials --------------------------------------------------------------------

  async createTrial(studyId: number, draft: TrialDraft): Promise<TrialRecord> {
    validateDraft(studyId, draft);
    return this.studyTransaction(studyId, 'create a trial', async (tx, at) => {
      let id: number;
      if (draft.id !== undefined) {
        if ((await this.trialRow(tx, studyId, draft.id)) !== undefined) throw new AutolabError('StoreError', `Trial ${draft.id} already exists in study ${studyId}`);
        id = draft.id;
      } else {
        const next = await tx.query<{ next: number }>('SELECT COALESCE(MAX(id), 0) + 1 AS next FROM trials WHERE study_id = $1', [studyId]);
        id = next.rows[0]!.next;
      }
      if (draft.parent !== null && (await this.trialRow(tx, studyId, draft.parent)) === undefined) {
        throw new AutolabError('StoreError', `Trial ${id} names parent ${draft.parent}, which does not exist in study ${studyId}`);
      }
      const inserted = await tx.query(
        `INSERT INTO trials (study_id, id, specialist, parent, hypothesis, notes, expected_delta, status, seed, cost_json, edit_json, owner_json, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11, $12) RETURNING *`,
        [
          studyId,
          id,
          draft.specialist,
          draft.parent,
          draft.hypothesis,
          draft.notes ?? '',
          draft.expectedDelta ?? null,
          draft.seed,
          draft.cost ? JSON.stringify(draft.cost) : null,
          draft.edit ? JSON.stringify(draft.edit) : null,
          draft.owner ? JSON.stringify(draft.owner) : null,
          at,
        ],
      );
      if (draft.cost) await this.insertCost(tx, studyId, id, draft.specialist, draft.cost, at);
      await this.insertEvent(tx, studyId, id, 'trial.created', { specialist: draft.specialist, parent: draft.parent }, at);
      return trialFromRow(inserted.rows[0]);
    });
  }

  async updateTrial(studyId: number, trialId: number, progress: TrialProgress, event?: { type: string; data?: Record<string, unknown> }): Promise<void> {
    if (progress.timings) validateTimings(progress.timings, `Cannot update trial ${trialId}`);
    await this.studyTransaction(studyId, `update trial ${trialId}`, async (tx, at) => {
      const trial = await this.requireUnfinishedTrial(tx, studyId, trialId);
      const sets: string[] = [];
      const values: unknown[] = [];
      const set = (column: string, value: unknown) => {
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      };
      if (progress.status !== undefined) set('status', progress.status);
      if (progress.commit !== undefined) set('commit_sha', progress.commit);
      if (progress.tree !== undefined) set('tree', progress.tree);
      if (progress.diff !== undefined) set('diff', progress.diff);
      if (progress.timings !== undefined) set('timings_json', JSON.stringify({ ...trial.timings, ...progress.timings }));
      if (progress.owner !== undefined) set('owner_json', progress.owner === null ? null : JSON.stringify(progress.owner));
      if (progress.startedAt !== undefined) set('started_at', progress.startedAt);
      else if (progress.status === 'running' && trial.startedAt === null) set('started_at', at);
      if (progress.logExcerpt !== undefined) set('log_excerpt', progress.logExcerpt);
      if (sets.length > 0) {
        values.push(studyId, trialId);
        await tx.query(`UPDATE trials SET ${sets.join(', ')} WHERE study_id = $${values.length - 1} AND id = $${values.length}`, values);
      }
      const data = event?.data ?? { ...(progress.status ? { status: progress.status } : {}), fields: Object.keys(progress) };
      await this.insertEvent(tx, studyId, trialId, event?.type ?? 'trial.updated', data, at);
    });
  }

  async heartbeat(studyId: number, trialIds: number[]): Promise<void> {
    if (trialIds.length === 0) return;
    await this.read(
      'record heartbeats',
      `UPDATE trials SET heartbeat_at = ${NOW_ISO} WHERE study_id = $1 AND id = ANY($2::bigint[]) AND status IN ('pending', 'running')`,
      [studyId, trialIds],
    );
  }

  async finishTrial(studyId: number, trialId: number, given: TrialOutcome, decide: AcceptanceDecision): Promise<TrialRecord> {
    validateOutcome(studyId, trialId, given);
    return this.studyTransaction(studyId, `record the outcome of trial ${trialId}`, async (tx, at) => {
      let outcome = given;
      const trial = await this.requireUnfinishedTrial(tx, studyId, trialId);
      // Under the study lock: no other transaction can crown a trial until this commits.
      const incumbentRow = outcome.status === 'scored' ? await this.incumbentRow(tx, studyId) : undefined;
      const decided = decideOutcome(
        outcome,
        decide,
        incumbentRow === undefined ? null : trialFromRow(incumbentRow),
        incumbentRow === undefined ? null : keptAtFromRow(incumbentRow),
        at,
      );
      const { status } = decided;
      outcome = decided.outcome;
      const cost = addCosts(trial.cost, outcome.cost ?? null);
      const values = finishedTrialValues(trial, outcome, status, cost, at, decided.keptAt);
      const updated = await tx.query(
        `UPDATE trials SET ${FINISHED_TRIAL_COLUMNS.map((column, index) => `${column} = $${index + 1}`).join(', ')}
         WHERE study_id = $${values.length + 1} AND id = $${values.length + 2} RETURNING *`,
        [...values, studyId, trialId],
      );
      const names = Object.keys(outcome.metrics);
      if (names.length > 0) {
        await tx.query(
          'INSERT INTO metrics (study_id, trial_id, name, value, step) SELECT $1, $2, name, value, NULL FROM unnest($3::text[], $4::double precision[]) AS m (name, value)',
          [studyId, trialId, names, names.map((name) => outcome.metrics[name])],
        );
      }
      if (outcome.cost) await this.insertCost(tx, studyId, trialId, trial.specialist, outcome.cost, at);
      await this.insertEvent(tx, studyId, trialId, 'trial.finished', { status, label: outcome.label, score: outcome.status === 'scored' ? outcome.score : null }, at);
      return trialFromRow(updated.rows[0]);
    });
  }

  async getTrial(studyId: number, trialId: number): Promise<TrialRecord | null> {
    const rows = await this.read(`read trial ${trialId}`, 'SELECT * FROM trials WHERE study_id = $1 AND id = $2', [studyId, trialId]);
    return rows[0] === undefined ? null : trialFromRow(rows[0]);
  }

  /** Trials in id order (newest first with `descending`). An empty `status` list matches nothing. */
  async listTrials(studyId: number, filter: TrialFilter = {}): Promise<TrialRecord[]> {
    if (filter.status?.length === 0) return [];
    if (filter.limit !== undefined && (!Number.isSafeInteger(filter.limit) || filter.limit < 0)) {
      throw new AutolabError('StoreError', `listTrials needs a non-negative integer limit, got ${filter.limit}`);
    }
    const { where, values } = trialWhere(studyId, filter);
    let sql = `SELECT * FROM trials WHERE ${where} ORDER BY id ${filter.descending ? 'DESC' : 'ASC'}`;
    if (filter.limit !== undefined) {
      values.push(filter.limit);
      sql += ` LIMIT $${values.length}`;
    }
    return (await this.read('list trials', sql, values)).map(trialFromRow);
  }

  async getIncumbent(studyId: number): Promise<TrialRecord | null> {
    const rows = await this.read('read the incumbent', INCUMBENT_SQL, [studyId]);
    return rows[0] === undefined ? null : trialFromRow(rows[0]);
  }

  /** An empty `status` list counts nothing. */
  async countTrials(studyId: number, filter: Pick<TrialFilter, 'status'> = {}): Promise<number> {
    if (filter.status?.length === 0) return 0;
    const { where, values } = trialWhere(studyId, filter);
    const rows = await this.read('count trials', `SELECT COUNT(*) AS n FROM trials WHERE ${where}`, values);
    return (rows[0] as { n: number }).n;
  }

  // ---- work queue (remote workers) -------------------------------------------------

  /**
   * Claims the oldest queued trial of the study (pending, no owner) for `worker`: it
   * becomes `running`, owned by the worker, with a fresh heartbeat; its lease lasts
   * `leaseMs` past each heartbeat. Returns null when nothing is queued. Before
   * claiming (at most every 2 s per store, at least twice per lease length), trials whose
   * lease expired (claimed through the queue, running, last heartbeat older than
   * `leaseMs`) are recovered: re-queued the first time, then recorded `interrupted`. `FOR UPDATE SKIP LOCKED` never waits on a row another
   * transaction holds (a heartbeat, a driver recording it).
   */
  async claimTrial(studyId: number, worker: TrialOwner, leaseMs: number): Promise<TrialRecord | null> {
    requireLease(leaseMs);
    return this.studyTransaction(studyId, 'claim a trial', async (tx, at) => {
      // Looking for expired leases costs a query; do it at most every few seconds (and
      // at least twice per lease length) per store, not on every claim.
      const last = this.leaseChecks.get(studyId) ?? -Infinity;
      if (performance.now() - last >= Math.min(leaseMs / 2, LEASE_CHECK_MS)) {
        await this.recoverExpiredLeases(tx, studyId, leaseMs, at);
        this.leaseChecks.set(studyId, performance.now());
      }
      // The claim and its audit event in one statement (one round trip under the lock).
      const claimed = await tx.query(
        `WITH claimed AS (
           UPDATE trials SET status = 'running', owner_json = $2, heartbeat_at = $3
           WHERE (study_id, id) = (
             SELECT study_id, id FROM trials
             WHERE study_id = $1 AND status = 'pending' AND owner_json IS NULL
             ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING *),
         logged AS (
           INSERT INTO events (study_id, trial_id, at, type, data_json)
           SELECT study_id, id, $3, 'trial.claimed', $4 FROM claimed)
         SELECT * FROM claimed`,
        [studyId, JSON.stringify(worker), at, JSON.stringify({ worker: `${worker.host}:${worker.pid}`, token: worker.token, leaseMs })],
      );
      return claimed.rows[0] === undefined ? null : trialFromRow(claimed.rows[0]);
    });
  }

  /**
   * Renews `worker`'s leases on the listed trials (their heartbeats). Returns the ids it
   * still holds: a trial missing from the answer was recovered by someone else (its
   * lease expired) or finished, and the worker must stop working on it.
   */
  async renewLease(studyId: number, trialIds: number[], worker: TrialOwner): Promise<number[]> {
    if (trialIds.length === 0) return [];
    const rows = await this.read(
      'renew leases',
      `UPDATE trials SET heartbeat_at = ${NOW_ISO}
       WHERE study_id = $1 AND id = ANY($2::bigint[]) AND status = 'running' AND (owner_json::jsonb ->> 'token') = $3
       RETURNING id`,
      [studyId, trialIds, worker.token],
    );
    return rows.map((row) => (row as { id: number }).id).sort((a, b) => a - b);
  }

  // ---- audit log -----------------------------------------------------------------

  async appendEvent(studyId: number, trialId: number | null, type: string, data: Record<string, unknown> = {}): Promise<void> {
    if (type.length === 0) throw new AutolabError('StoreError', 'An event needs a non-empty type');
    await this.studyTransaction(studyId, `append event ${type}`, async (tx, at) => {
      if (trialId !== null && (await this.trialRow(tx, studyId, trialId)) === undefined) {
        throw new AutolabError('StoreError', `Cannot log event ${type}: trial ${trialId} does not exist in study ${studyId}`);
      }
      await this.insertEvent(tx, studyId, trialId, type, data, at);
    });
  }

  async listEvents(studyId: number, options: { afterId?: number; limit?: number } = {}): Promise<StudyEvent[]> {
    const values: unknown[] = [studyId, options.afterId ?? -1];
    let sql = 'SELECT * FROM events WHERE study_id = $1 AND id > $2 ORDER BY id';
    if (options.limit !== undefined) {
      values.push(options.limit);
      sql += ' LIMIT $3';
    }
    return (await this.read('list events', sql, values)).map(eventFromRow);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  // ---- internals -----------------------------------------------------------------

  private async connect(action: string): Promise<pg.PoolClient> {
    if (this.closed) throw new AutolabError('StoreError', `Cannot ${action}: the store ${this.display} is closed`);
    try {
      return await this.pool.connect();
    } catch (error) {
      throw postgresStoreError(action, this.display, error);
    }
  }

  /** One statement outside a transaction (reads, heartbeats). */
  private async read(action: string, sql: string, values: unknown[] = []): Promise<unknown[]> {
    if (this.closed) throw new AutolabError('StoreError', `Cannot ${action}: the store ${this.display} is closed`);
    try {
      return (await this.pool.query(sql, values)).rows;
    } catch (error) {
      throw postgresStoreError(action, this.display, error);
    }
  }

  /**
   * Runs `work` in one transaction (all its writes land, or none), retrying it whole
   * when PostgreSQL aborts it as a deadlock or serialisation failure.
   */
  private async transaction<T>(action: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect(action);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        const code = (error as { code?: unknown }).code;
        if (attempt < MAX_ATTEMPTS && typeof code === 'string' && RETRYABLE.has(code)) continue;
        throw postgresStoreError(action, this.display, error);
      } finally {
        // A connection whose rollback failed is destroyed, not returned to the pool.
        client.release(broken);
      }
    }
  }

  /**
   * A transaction that first takes the study's lock (see the file comment), then reads
   * the server clock and the study (a StoreError when it does not exist).
   */
  private studyTransaction<T>(studyId: number, action: string, work: (tx: Tx, at: string, study: StudyRecord) => Promise<T>): Promise<T> {
    return this.transaction(action, async (tx) => {
      // One round trip: the lock is taken in FROM, before the select list (and its clock)
      // is evaluated; the study row comes along (none when the study does not exist).
      const locked = await tx.query<{ at: string; id: number | null }>(
        `SELECT ${NOW_ISO} AS at, s.* FROM (SELECT pg_advisory_xact_lock($1, $2::int)) AS lock LEFT JOIN studies s ON s.id = $2`,
        [this.lockClass, studyId],
      );
      const row = locked.rows[0]!;
      if (row.id === null) throw new AutolabError('StoreError', `Study ${studyId} does not exist in ${this.display}`);
      return work(tx, row.at, studyFromRow(row));
    });
  }

  private async trialRow(tx: Tx, studyId: number, trialId: number): Promise<unknown> {
    return (await tx.query('SELECT * FROM trials WHERE study_id = $1 AND id = $2', [studyId, trialId])).rows[0];
  }

  private async requireUnfinishedTrial(tx: Tx, studyId: number, trialId: number): Promise<TrialRecord> {
    const row = await this.trialRow(tx, studyId, trialId);
    if (row === undefined) throw new AutolabError('StoreError', `Trial ${trialId} does not exist in study ${studyId}`);
    const trial = trialFromRow(row);
    if (FINISHED_STATUSES.has(trial.status)) {
      throw new AutolabError('StoreError', `Trial ${trialId} of study ${studyId} is already ${trial.status}; a finished trial is immutable`, {
        hint: 'record a new trial instead of changing a finished one',
      });
    }
    return trial;
  }

  private async incumbentRow(tx: Tx, studyId: number): Promise<unknown> {
    return (await tx.query(INCUMBENT_SQL, [studyId])).rows[0];
  }

  /**
   * Under the study lock: running trials owned by a worker (claimed through the queue)
   * whose heartbeat is older than `leaseMs` go back to the queue once (`trial.requeued`),
   * and are recorded `interrupted` when their lease expires a second time.
   */
  private async recoverExpiredLeases(tx: Tx, studyId: number, leaseMs: number, at: string): Promise<void> {
    const expired = await tx.query(
      `SELECT t.*, (SELECT COUNT(*) FROM events e WHERE e.study_id = t.study_id AND e.trial_id = t.id AND e.type = 'trial.requeued') AS requeues
       FROM trials t
       WHERE t.study_id = $1 AND t.status = 'running' AND t.heartbeat_at IS NOT NULL
         AND EXISTS (SELECT 1 FROM events c WHERE c.study_id = t.study_id AND c.trial_id = t.id AND c.type = 'trial.claimed')
         AND t.heartbeat_at::timestamptz < clock_timestamp() - make_interval(secs => $2::double precision / 1000)
       ORDER BY t.id FOR UPDATE OF t SKIP LOCKED`,
      [studyId, leaseMs],
    );
    for (const row of expired.rows as Array<Record<string, unknown>>) {
      const trial = trialFromRow(row);
      const who = trial.owner ? `${trial.owner.host}:${trial.owner.pid}` : 'unknown';
      if ((row.requeues as number) === 0) {
        await tx.query(`UPDATE trials SET status = 'pending', owner_json = NULL, heartbeat_at = NULL WHERE study_id = $1 AND id = $2`, [studyId, trial.id]);
        await this.insertEvent(tx, studyId, trial.id, 'trial.requeued', { reason: `the lease of worker ${who} expired (no heartbeat for ${leaseMs} ms)` }, at);
        continue;
      }
      await tx.query(
        `UPDATE trials SET status = 'failed', label = 'interrupted', label_detail = $3, metrics_json = '{}', score = NULL, finished_at = $4 WHERE study_id = $1 AND id = $2`,
        [studyId, trial.id, `the lease of worker ${who} expired a second time (no heartbeat for ${leaseMs} ms); not re-queued again`, at],
      );
      await this.insertEvent(tx, studyId, trial.id, 'trial.finished', { status: 'failed', label: 'interrupted', score: null }, at);
    }
  }

  private async insertEvent(tx: Tx, studyId: number, trialId: number | null, type: string, data: Record<string, unknown>, at: string): Promise<void> {
    await tx.query('INSERT INTO events (study_id, trial_id, at, type, data_json) VALUES ($1, $2, $3, $4, $5)', [studyId, trialId, at, type, JSON.stringify(data)]);
  }

  private async insertCost(tx: Tx, studyId: number, trialId: number, specialist: string, cost: TrialCost, at: string): Promise<void> {
    await tx.query(
      'INSERT INTO costs (study_id, trial_id, specialist, usd, input_tokens, output_tokens, cached_tokens, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [studyId, trialId, specialist, cost.usd, cost.inputTokens, cost.outputTokens, cost.cachedTokens, at],
    );
  }
}

const INCUMBENT_SQL = `SELECT * FROM trials WHERE study_id = $1 AND status = 'kept' ORDER BY kept_at DESC, id DESC LIMIT 1`;

function requireLease(leaseMs: number): void {
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) throw new AutolabError('StoreError', `A lease must be a positive number of milliseconds, got ${leaseMs}`);
}

function trialWhere(studyId: number, filter: TrialFilter): { where: string; values: unknown[] } {
  const clauses = ['study_id = $1'];
  const values: unknown[] = [studyId];
  if (filter.status !== undefined) {
    values.push(filter.status);
    clauses.push(`status = ANY($${values.length}::text[])`);
  }
  if (filter.specialist !== undefined) {
    values.push(filter.specialist);
    clauses.push(`specialist = $${values.length}`);
  }
  if (filter.afterId !== undefined) {
    values.push(filter.afterId);
    clauses.push(`id > $${values.length}`);
  }
  return { where: clauses.join(' AND '), values };
}
