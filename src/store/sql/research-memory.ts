/**
 * The research memory over SQL, written once for both databases: the session archive
 * and notes of a study, the technique cards and knob observations every study of the
 * store shares. Every operation is one statement (a session is written whole when it
 * ends; linking it to its trial is a single-row update), so none takes the study lock.
 * Rows are validated where they are read (`JSON.parse` of what this module wrote).
 */
import { randomUUID } from 'node:crypto';
import { AutolabError } from '../../core/errors.ts';
import type { SessionArchive, SessionDraft, SessionRecord, StudyNote } from '../../core/session-archive.ts';
import type { KnobPriorObservation, MemoryStore, TechniqueCard } from '../../core/technique-card.ts';
import type { SqlDriver } from './driver.ts';

type Row = Record<string, unknown>;

function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

function parseJson<T>(text: unknown, what: string): T {
  try {
    return JSON.parse(String(text)) as T;
  } catch (error) {
    throw new AutolabError('StoreError', `A stored ${what} is not valid JSON`, { cause: error });
  }
}

function noteFromRow(row: Row): StudyNote {
  return { id: num(row.id), studyId: num(row.study_id), author: String(row.author), sessionId: row.session_id === null || row.session_id === undefined ? null : String(row.session_id), text: String(row.text), at: String(row.at) };
}

function sessionFromRow(row: Row): SessionRecord {
  const record = parseJson<SessionRecord>(row.record_json, 'session');
  return { ...record, trialId: row.trial_id === null || row.trial_id === undefined ? null : num(row.trial_id), bytes: num(row.bytes) };
}

/**
 * The research memory of one SQL store.
 *
 * @example
 * const memory = store.researchMemory!();
 * const session = await memory.recordSession(studyId, draft);
 * await memory.linkSession(studyId, session.id, trial.id);
 */
export class SqlResearchMemory implements SessionArchive, MemoryStore {
  constructor(private readonly driver: SqlDriver) {}

  private query(action: string, sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.driver.query(action, sql, params) as Promise<Row[]>;
  }

  async recordSession(studyId: number, draft: SessionDraft): Promise<SessionRecord> {
    const id = draft.id ?? randomUUID();
    const base: SessionRecord = { ...draft, id, studyId, trialId: draft.trialId ?? null, bytes: 0 };
    const json = JSON.stringify(base);
    const record = { ...base, bytes: Buffer.byteLength(json) };
    await this.query(
      'archive a session',
      'INSERT INTO sessions (id, study_id, trial_id, specialist, kind, outcome, reason, started_at, duration_ms, usd, input_tokens, output_tokens, bytes, record_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [id, studyId, record.trialId, record.specialist, record.kind, record.outcome, record.reason, record.startedAt, Math.round(record.durationMs), record.cost.usd, record.cost.inputTokens, record.cost.outputTokens, record.bytes, json],
    );
    return record;
  }

  async linkSession(studyId: number, sessionId: string, trialId: number): Promise<void> {
    const rows = await this.query('link a session to its trial', 'UPDATE sessions SET trial_id = ? WHERE study_id = ? AND id = ? RETURNING id', [trialId, studyId, sessionId]);
    if (rows.length === 0) throw new AutolabError('StoreError', `There is no session ${sessionId} in study ${studyId}`);
  }

  async listSessions(studyId: number, filter: { specialist?: string; trialId?: number; limit?: number } = {}): Promise<SessionRecord[]> {
    const params: unknown[] = [studyId];
    let sql = 'SELECT trial_id, bytes, record_json FROM sessions WHERE study_id = ?';
    if (filter.specialist !== undefined) {
      sql += ' AND specialist = ?';
      params.push(filter.specialist);
    }
    if (filter.trialId !== undefined) {
      sql += ' AND trial_id = ?';
      params.push(filter.trialId);
    }
    sql += ' ORDER BY started_at, id';
    const rows = (await this.query('list sessions', sql, params)).map(sessionFromRow);
    return filter.limit !== undefined ? rows.slice(-filter.limit) : rows;
  }

  async getSession(studyId: number, sessionId: string): Promise<SessionRecord | null> {
    const [row] = await this.query('read a session', 'SELECT trial_id, bytes, record_json FROM sessions WHERE study_id = ? AND id = ?', [studyId, sessionId]);
    return row ? sessionFromRow(row) : null;
  }

  async addNote(studyId: number, note: { author: string; sessionId?: string | null; text: string }): Promise<StudyNote> {
    if (note.text.trim() === '') throw new AutolabError('StoreError', 'A note needs some text');
    const [row] = await this.query(
      'add a note',
      `INSERT INTO study_notes (study_id, author, session_id, text, at) VALUES (?, ?, ?, ?, ${this.driver.dialect.now}) RETURNING *`,
      [studyId, note.author, note.sessionId ?? null, note.text],
    );
    return noteFromRow(row!);
  }

  async listNotes(studyId: number): Promise<StudyNote[]> {
    return (await this.query('list notes', 'SELECT * FROM study_notes WHERE study_id = ? ORDER BY id', [studyId])).map(noteFromRow);
  }

  // ---- memory across studies -------------------------------------------------------

  async putCard(card: TechniqueCard): Promise<void> {
    await this.query(
      'write a technique card',
      'INSERT INTO technique_cards (id, study, trial_id, fingerprint, created_at, card_json) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      [card.id, card.study, card.trialId, card.fingerprint, card.createdAt, JSON.stringify(card)],
    );
  }

  async listCards(filter: { fingerprint?: string; study?: string; limit?: number } = {}): Promise<TechniqueCard[]> {
    const params: unknown[] = [];
    let sql = 'SELECT card_json FROM technique_cards WHERE forgotten_at IS NULL';
    if (filter.fingerprint !== undefined) {
      sql += ' AND fingerprint = ?';
      params.push(filter.fingerprint);
    }
    if (filter.study !== undefined) {
      sql += ' AND study = ?';
      params.push(filter.study);
    }
    sql += ' ORDER BY created_at DESC, id';
    if (filter.limit !== undefined) {
      sql += ' LIMIT ?';
      params.push(filter.limit);
    }
    return (await this.query('list technique cards', sql, params)).map((row) => parseJson<TechniqueCard>(row.card_json, 'technique card'));
  }

  async getCard(id: string): Promise<TechniqueCard | null> {
    const [row] = await this.query('read a technique card', 'SELECT card_json FROM technique_cards WHERE id = ? AND forgotten_at IS NULL', [id]);
    return row ? parseJson<TechniqueCard>(row.card_json, 'technique card') : null;
  }

  async forgetCard(id: string): Promise<boolean> {
    const rows = await this.query('forget a technique card', `UPDATE technique_cards SET forgotten_at = ${this.driver.dialect.now} WHERE id = ? AND forgotten_at IS NULL RETURNING id`, [id]);
    return rows.length > 0;
  }

  async putKnobObservation(observation: KnobPriorObservation): Promise<void> {
    await this.query(
      'write a knob observation',
      'INSERT INTO knob_observations (study, trial_id, fingerprint, knob_names, observation_json) VALUES (?, ?, ?, ?, ?) ON CONFLICT (study, trial_id) DO NOTHING',
      [observation.study, observation.trialId, observation.fingerprint, `,${Object.keys(observation.values).sort().join(',')},`, JSON.stringify(observation)],
    );
  }

  async listKnobObservations(filter: { excludeStudy?: string; knobNames?: readonly string[]; limit?: number }): Promise<KnobPriorObservation[]> {
    const params: unknown[] = [];
    let sql = 'SELECT observation_json FROM knob_observations WHERE 1 = 1';
    if (filter.excludeStudy !== undefined) {
      sql += ' AND study <> ?';
      params.push(filter.excludeStudy);
    }
    if (filter.knobNames !== undefined && filter.knobNames.length > 0) {
      sql += ` AND (${filter.knobNames.map(() => 'knob_names LIKE ?').join(' OR ')})`;
      params.push(...filter.knobNames.map((name) => `%,${name.replace(/[%_]/g, '')},%`));
    }
    sql += ' ORDER BY study, trial_id';
    if (filter.limit !== undefined) {
      sql += ' LIMIT ?';
      params.push(filter.limit);
    }
    return (await this.query('list knob observations', sql, params)).map((row) => parseJson<KnobPriorObservation>(row.observation_json, 'knob observation'));
  }
}

/** A new card id. */
export function newCardId(): string {
  return randomUUID().slice(0, 8);
}
