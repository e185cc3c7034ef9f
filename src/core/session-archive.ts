/**
 * The session archive's vocabulary: one specialist's proposing conversation (a
 * **session**), stored in full: the system prompt, the first message, every model
 * message and tool call with its arguments, every tool result (capped), retries,
 * tokens, cost, timings and how it ended, whether it proposed or not. Secrets never
 * enter it: every text passes through `redactSecrets` before it is archived.
 */
import type { TrialCost } from './trial.ts';

/**
 * `submitted`: a proposal was made. `no_proposal`: the session ended without one for a
 * reason that is not a failure (the step limit, nothing changed). `failed`: the
 * provider or the command failed (after retries) or a limit (tokens, wall time) cut it.
 */
export type SessionOutcome = 'submitted' | 'no_proposal' | 'failed';

/** One tool call of an assistant message, with the arguments the model sent. */
export interface ArchivedToolCall {
  id: string;
  name: string;
  /** The arguments as sent (parsed JSON, or the raw text when it was not JSON). */
  arguments: unknown;
}

/**
 * One message of an archived session, in the order it happened:
 * - `assistant`: what the model answered (text, its reasoning when the provider gives
 *   it, tool calls), with the model call's tokens and duration;
 * - `tool`: one tool's result (capped), `error` when it failed or was refused;
 * - `user`: a message autolab added (a nudge to use the tools);
 * - `retry`: a failed model call that was tried again, and why.
 */
export type ArchivedMessage =
  | { role: 'assistant'; text: string; reasoning?: string; toolCalls: ArchivedToolCall[]; atMs: number; durationMs?: number; tokens?: { input: number; output: number; cached: number } }
  | { role: 'tool'; toolCallId: string; name: string; result: string; error: boolean; truncated: boolean; atMs: number }
  | { role: 'user'; text: string; atMs: number }
  | { role: 'retry'; kind: string; message: string; delayMs: number; atMs: number };

/** A whole session as a specialist hands it over (before the store gives it an id). */
export interface SessionTranscript {
  kind: 'llm' | 'command';
  /** `provider:model-id` (llm) or the command line (command). */
  model: string;
  system: string;
  firstMessage: string;
  messages: ArchivedMessage[];
  /** The parent trial the session started from. */
  parent: number | null;
  startedAt: string;
  durationMs: number;
}

/** A session as archived: the transcript, how it ended, what it cost and the trial it made. */
export interface SessionRecord extends SessionTranscript {
  id: string;
  studyId: number;
  specialist: string;
  /** The trial its proposal became (null: it proposed nothing, or its proposal never ran). */
  trialId: number | null;
  /** As `SessionOutcome` (src/core/specialist.ts). */
  outcome: 'submitted' | 'no_proposal' | 'failed';
  reason: string;
  cost: TrialCost;
  steps: number;
  toolCalls: number;
  retries: number;
  /** Size of the stored transcript (JSON bytes). */
  bytes: number;
}

/** A note a specialist (or a person) adds to the study's knowledge base: attributed and timestamped. */
export interface StudyNote {
  id: number;
  studyId: number;
  author: string;
  /** The session it was written in, when a specialist wrote it. */
  sessionId: string | null;
  text: string;
  at: string;
}

/** Longest tool result kept in the archive; the rest is cut with a marker. */
export const ARCHIVED_TOOL_RESULT_CHARS = 8_000;
/** Longest single text (system prompt, first message, an assistant text) kept. */
export const ARCHIVED_TEXT_CHARS = 200_000;

/** What a specialist's session hands to the archive; the archive adds the id, the study and the size. */
export type SessionDraft = Omit<SessionRecord, 'id' | 'studyId' | 'bytes' | 'trialId'> & { trialId?: number | null; /** Given up front (notes of the session name it); default a new UUID. */ id?: string };

/**
 * The session archive and the study's notes (a port the SQL store implements over
 * its own database). Sessions are written once, when they end, and linked to the trial
 * their proposal became; a session is never changed otherwise. Safe to call from
 * several processes.
 */
export interface SessionArchive {
  recordSession(studyId: number, draft: SessionDraft): Promise<SessionRecord>;
  /** Names the trial a session's proposal became. */
  linkSession(studyId: number, sessionId: string, trialId: number): Promise<void>;
  /** Sessions oldest first. */
  listSessions(studyId: number, filter?: { specialist?: string; trialId?: number; limit?: number }): Promise<SessionRecord[]>;
  getSession(studyId: number, sessionId: string): Promise<SessionRecord | null>;
  addNote(studyId: number, note: { author: string; sessionId?: string | null; text: string }): Promise<StudyNote>;
  /** Notes oldest first. */
  listNotes(studyId: number): Promise<StudyNote[]>;
}
