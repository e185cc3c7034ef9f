/**
 * The SQLite adapter of the Store port (the default, one machine): one file in WAL
 * mode, shared safely by every process of a study. better-sqlite3 is synchronous; each
 * method runs its SQL at once and returns a settled promise. Every write runs in a
 * `BEGIN IMMEDIATE` transaction, so a process takes the write lock before it reads what
 * it decides on (trial numbers, the incumbent) and waits up to the busy timeout for it.
 */
import type Database from 'better-sqlite3';
import { AutolabError } from '../core/errors.ts';
import type {
  AcceptanceDecision,
  Store,
  StudyEvent,
  TrialDraft,
  TrialFilter,
  TrialOutcome,
  TrialProgress,
} from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import { FINISHED_STATUSES, type TrialCost, type TrialRecord, type TrialStatus } from '../core/trial.ts';
import { eventFromRow, keptAtFromRow, studyFromRow, trialFromRow } from './rows.ts';
import { openSqliteDatabase, sqliteStoreError } from './sqlite-connection.ts';
import { applySqliteMigrations } from './sqlite-migrate.ts';
import { addCosts, decideOutcome, FINISHED_TRIAL_COLUMNS, finishedTrialValues, validateDraft, validateOutcome, validateTimings } from './store-rules.ts';

function now(): string {
  return new Date().toISOString();
}

/**
 * @example
 * const store = await SqliteStore.open('.autolab/study.db');
 * const { study } = await store.openStudy({ name: 'nanogpt', taskHash, taskJson });
 * const baseline = await store.createTrial(study.id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null });
 * await store.close();
 */
export class SqliteStore implements Store {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    private readonly db: Database.Database,
    /** The database file (or `:memory:`). */
    readonly file: string,
  ) {}

  /**
   * Opens (creating it and its parent folder when absent) the database at `file`,
   * switches it to WAL, and migrates it to the newest schema.
   */
  static async open(file: string): Promise<SqliteStore> {
    const db = await openSqliteDatabase(file);
    const store = new SqliteStore(db, file);
    try {
      await store.migrate();
    } catch (error) {
      db.close();
      throw error;
    }
    return store;
  }

  async migrate(): Promise<void> {
    this.guard('migrate the schema', () => applySqliteMigrations(this.db));
  }

  // ---- studies -------------------------------------------------------------------

  async openStudy(init: { name: string; taskHash: string; taskJson: string }): Promise<{ study: StudyRecord; created: boolean }> {
    return this.write(`open study ${init.name}`, () => {
      const existing = this.stmt('SELECT * FROM studies WHERE name = ?').get(init.name);
      if (existing !== undefined) return { study: studyFromRow(existing), created: false };
      const at = now();
      const { lastInsertRowid } = this.stmt(
        'INSERT INTO studies (name, task_hash, task_json, baseline_commit, elapsed_ms, created_at) VALUES (?, ?, ?, NULL, 0, ?)',
      ).run(init.name, init.taskHash, init.taskJson, at);
      const studyId = Number(lastInsertRowid);
      this.insertEvent(studyId, null, 'study.created', { name: init.name, taskHash: init.taskHash }, at);
      return { study: this.requireStudy(studyId), created: true };
    });
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    return this.guard('read a study', () => {
      const row = this.stmt('SELECT * FROM studies WHERE name = ?').get(name);
      return row === undefined ? null : studyFromRow(row);
    });
  }

  async listStudies(): Promise<StudyRecord[]> {
    return this.guard('list studies', () => this.stmt('SELECT * FROM studies ORDER BY id').all().map(studyFromRow));
  }

  async setBaselineCommit(studyId: number, commit: string): Promise<void> {
    this.write('record the baseline commit', () => {
      this.requireStudy(studyId);
      this.stmt('UPDATE studies SET baseline_commit = ? WHERE id = ?').run(commit, studyId);
      this.insertEvent(studyId, null, 'study.baseline_commit', { commit });
    });
  }

  async setTask(studyId: number, taskHash: string, taskJson: string): Promise<void> {
    this.write('replace the study task', () => {
      const before = this.requireStudy(studyId);
      this.stmt('UPDATE studies SET task_hash = ?, task_json = ? WHERE id = ?').run(taskHash, taskJson, studyId);
      this.insertEvent(studyId, null, 'study.task_changed', { previousTaskHash: before.taskHash, taskHash });
    });
  }

  async addElapsed(studyId: number, ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new AutolabError('StoreError', `addElapsed needs a non-negative number of milliseconds, got ${ms}`);
    const rounded = Math.round(ms);
    this.write('add elapsed time', () => {
      const before = this.requireStudy(studyId);
      this.stmt('UPDATE studies SET elapsed_ms = elapsed_ms + ? WHERE id = ?').run(rounded, studyId);
      this.insertEvent(studyId, null, 'study.elapsed', { addedMs: rounded, elapsedMs: before.elapsedMs + rounded });
    });
  }

  async renameStudy(studyId: number, newName: string): Promise<void> {
    if (newName.trim().length === 0) throw new AutolabError('StoreError', 'A study name cannot be empty');
    this.write(`rename study ${studyId}`, () => {
      const before = this.requireStudy(studyId);
      if (before.name === newName) return;
      if (this.stmt('SELECT 1 FROM studies WHERE name = ?').get(newName) !== undefined) {
        throw new AutolabError('StoreError', `Cannot rename study ${before.name} to ${newName}: a study with that name exists`, {
          hint: 'choose another name, or archive the existing study first',
        });
      }
      this.stmt('UPDATE studies SET name = ? WHERE id = ?').run(newName, studyId);
      this.insertEvent(studyId, null, 'study.renamed', { previousName: before.name, name: newName });
    });
  }

  // ---- trials --------------------------------------------------------------------

  async createTrial(studyId: number, draft: TrialDraft): Promise<TrialRecord> {
    validateDraft(studyId, draft);
    return this.write('create a trial', () => {
      this.requireStudy(studyId);
      let id: number;
      if (draft.id !== undefined) {
        if (this.trialRow(studyId, draft.id) !== undefined) throw new AutolabError('StoreError', `Trial ${draft.id} already exists in study ${studyId}`);
        id = draft.id;
      } else {
        id = (this.stmt('SELECT COALESCE(MAX(id), 0) + 1 AS next FROM trials WHERE study_id = ?').get(studyId) as { next: number }).next;
      }
      if (draft.parent !== null && this.trialRow(studyId, draft.parent) === undefined) {
        throw new AutolabError('StoreError', `Trial ${id} names parent ${draft.parent}, which does not exist in study ${studyId}`);
      }
      const at = now();
      this.stmt(
        `INSERT INTO trials (study_id, id, specialist, parent, hypothesis, notes, expected_delta, status, seed, cost_json, edit_json, owner_json, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
      ).run(
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
      );
      if (draft.cost) this.insertCost(studyId, id, draft.specialist, draft.cost, at);
      this.insertEvent(studyId, id, 'trial.created', { specialist: draft.specialist, parent: draft.parent }, at);
      return this.requireTrial(studyId, id);
    });
  }

  async updateTrial(
    studyId: number,
    trialId: number,
    progress: TrialProgress,
    event?: { type: string; data?: Record<string, unknown> },
  ): Promise<void> {
    if (progress.timings) validateTimings(progress.timings, `Cannot update trial ${trialId}`);
    this.write(`update trial ${trialId}`, () => {
      const trial = this.requireUnfinishedTrial(studyId, trialId);
      const at = now();
      const sets: string[] = [];
      const values: unknown[] = [];
      const set = (column: string, value: unknown) => {
        sets.push(`${column} = ?`);
        values.push(value);
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
        this.stmt(`UPDATE trials SET ${sets.join(', ')} WHERE study_id = ? AND id = ?`).run(...values, studyId, trialId);
      }
      const data = event?.data ?? { ...(progress.status ? { status: progress.status } : {}), fields: Object.keys(progress) };
      this.insertEvent(studyId, trialId, event?.type ?? 'trial.updated', data, at);
    });
  }

  async heartbeat(studyId: number, trialIds: number[]): Promise<void> {
    if (trialIds.length === 0) return;
    this.write('record heartbeats', () => {
      const at = now();
      const beat = this.stmt(`UPDATE trials SET heartbeat_at = ? WHERE study_id = ? AND id = ? AND status IN ('pending', 'running')`);
      for (const trialId of trialIds) beat.run(at, studyId, trialId);
    });
  }

  async finishTrial(studyId: number, trialId: number, outcome: TrialOutcome, decide: AcceptanceDecision): Promise<TrialRecord> {
    validateOutcome(studyId, trialId, outcome);
    return this.write(`record the outcome of trial ${trialId}`, () => {
      const trial = this.requireUnfinishedTrial(studyId, trialId);
      const at = now();
      const incumbentRow = outcome.status === 'scored' ? this.incumbentRow(studyId) : undefined;
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
      this.stmt(
        `UPDATE trials SET ${FINISHED_TRIAL_COLUMNS.map((column) => `${column} = ?`).join(', ')} WHERE study_id = ? AND id = ?`,
      ).run(...finishedTrialValues(trial, outcome, status, cost, at, decided.keptAt), studyId, trialId);
      const metric = this.stmt('INSERT INTO metrics (study_id, trial_id, name, value, step) VALUES (?, ?, ?, ?, NULL)');
      for (const [name, value] of Object.entries(outcome.metrics)) metric.run(studyId, trialId, name, value);
      if (outcome.cost) this.insertCost(studyId, trialId, trial.specialist, outcome.cost, at);
      this.insertEvent(studyId, trialId, 'trial.finished', { status, label: outcome.label, score: outcome.status === 'scored' ? outcome.score : null }, at);
      return this.requireTrial(studyId, trialId);
    });
  }

  async getTrial(studyId: number, trialId: number): Promise<TrialRecord | null> {
    return this.guard(`read trial ${trialId}`, () => {
      const row = this.trialRow(studyId, trialId);
      return row === undefined ? null : trialFromRow(row);
    });
  }

  /** Trials in id order (newest first with `descending`). An empty `status` list matches nothing. */
  async listTrials(studyId: number, filter: TrialFilter = {}): Promise<TrialRecord[]> {
    if (filter.status?.length === 0) return [];
    if (filter.limit !== undefined && (!Number.isSafeInteger(filter.limit) || filter.limit < 0)) {
      throw new AutolabError('StoreError', `listTrials needs a non-negative integer limit, got ${filter.limit}`);
    }
    return this.guard('list trials', () => {
      const { where, values } = trialWhere(studyId, filter);
      let sql = `SELECT * FROM trials WHERE ${where} ORDER BY id ${filter.descending ? 'DESC' : 'ASC'}`;
      if (filter.limit !== undefined) {
        sql += ' LIMIT ?';
        values.push(filter.limit);
      }
      return this.stmt(sql).all(...values).map(trialFromRow);
    });
  }

  async getIncumbent(studyId: number): Promise<TrialRecord | null> {
    return this.guard('read the incumbent', () => {
      const row = this.incumbentRow(studyId);
      return row === undefined ? null : trialFromRow(row);
    });
  }

  /** An empty `status` list counts nothing. */
  async countTrials(studyId: number, filter: Pick<TrialFilter, 'status'> = {}): Promise<number> {
    if (filter.status?.length === 0) return 0;
    return this.guard('count trials', () => {
      const { where, values } = trialWhere(studyId, filter);
      return (this.stmt(`SELECT COUNT(*) AS n FROM trials WHERE ${where}`).get(...values) as { n: number }).n;
    });
  }

  // ---- audit log -----------------------------------------------------------------

  async appendEvent(studyId: number, trialId: number | null, type: string, data: Record<string, unknown> = {}): Promise<void> {
    if (type.length === 0) throw new AutolabError('StoreError', 'An event needs a non-empty type');
    this.write(`append event ${type}`, () => {
      this.requireStudy(studyId);
      if (trialId !== null && this.trialRow(studyId, trialId) === undefined) {
        throw new AutolabError('StoreError', `Cannot log event ${type}: trial ${trialId} does not exist in study ${studyId}`);
      }
      this.insertEvent(studyId, trialId, type, data);
    });
  }

  async listEvents(studyId: number, options: { afterId?: number; limit?: number } = {}): Promise<StudyEvent[]> {
    return this.guard('list events', () => {
      const values: unknown[] = [studyId, options.afterId ?? -1];
      let sql = 'SELECT * FROM events WHERE study_id = ? AND id > ? ORDER BY id';
      if (options.limit !== undefined) {
        sql += ' LIMIT ?';
        values.push(options.limit);
      }
      return this.stmt(sql).all(...values).map(eventFromRow);
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // ---- internals -----------------------------------------------------------------

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn`, turning SQLite errors into actionable `StoreError`s. */
  private guard<T>(action: string, fn: () => T): T {
    if (!this.db.open) throw new AutolabError('StoreError', `Cannot ${action}: the store ${this.file} is closed`);
    try {
      return fn();
    } catch (error) {
      throw sqliteStoreError(`${action} in ${this.file}`, error);
    }
  }

  /** Runs `fn` in one `BEGIN IMMEDIATE` transaction: all its writes land, or none. */
  private write<T>(action: string, fn: () => T): T {
    return this.guard(action, () => this.db.transaction(fn).immediate());
  }

  private requireStudy(studyId: number): StudyRecord {
    const row = this.stmt('SELECT * FROM studies WHERE id = ?').get(studyId);
    if (row === undefined) throw new AutolabError('StoreError', `Study ${studyId} does not exist in ${this.file}`);
    return studyFromRow(row);
  }

  private trialRow(studyId: number, trialId: number): unknown {
    return this.stmt('SELECT * FROM trials WHERE study_id = ? AND id = ?').get(studyId, trialId);
  }

  private requireTrial(studyId: number, trialId: number): TrialRecord {
    const row = this.trialRow(studyId, trialId);
    if (row === undefined) throw new AutolabError('StoreError', `Trial ${trialId} does not exist in study ${studyId}`);
    return trialFromRow(row);
  }

  private requireUnfinishedTrial(studyId: number, trialId: number): TrialRecord {
    const trial = this.requireTrial(studyId, trialId);
    if (FINISHED_STATUSES.has(trial.status)) {
      throw new AutolabError('StoreError', `Trial ${trialId} of study ${studyId} is already ${trial.status}; a finished trial is immutable`, {
        hint: 'record a new trial instead of changing a finished one',
      });
    }
    return trial;
  }

  private incumbentRow(studyId: number): unknown {
    return this.stmt(`SELECT * FROM trials WHERE study_id = ? AND status = 'kept' ORDER BY kept_at DESC, id DESC LIMIT 1`).get(studyId);
  }

  private insertEvent(studyId: number, trialId: number | null, type: string, data: Record<string, unknown>, at = now()): void {
    this.stmt('INSERT INTO events (study_id, trial_id, at, type, data_json) VALUES (?, ?, ?, ?, ?)').run(studyId, trialId, at, type, JSON.stringify(data));
  }

  private insertCost(studyId: number, trialId: number, specialist: string, cost: TrialCost, at: string): void {
    this.stmt(
      'INSERT INTO costs (study_id, trial_id, specialist, usd, input_tokens, output_tokens, cached_tokens, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(studyId, trialId, specialist, cost.usd, cost.inputTokens, cost.outputTokens, cost.cachedTokens, at);
  }
}

function trialWhere(studyId: number, filter: TrialFilter): { where: string; values: unknown[] } {
  const clauses = ['study_id = ?'];
  const values: unknown[] = [studyId];
  if (filter.status !== undefined) {
    clauses.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
    values.push(...filter.status);
  }
  if (filter.specialist !== undefined) {
    clauses.push('specialist = ?');
    values.push(filter.specialist);
  }
  if (filter.afterId !== undefined) {
    clauses.push('id > ?');
    values.push(filter.afterId);
  }
  return { where: clauses.join(' AND '), values };
}
