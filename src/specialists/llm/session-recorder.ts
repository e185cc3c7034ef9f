/**
 * Records an llm session as it happens, for the session archive: each model call's
 * messages converted at once (before compaction may elide old tool results), with the
 * call's tokens and timing, every retry and every nudge. Every text is redacted and
 * capped on the way in, so a secret a tool read never reaches the archive.
 */
import type { ModelMessage } from 'ai';
import { redactSecrets } from '../../core/redact.ts';
import { ARCHIVED_TEXT_CHARS, ARCHIVED_TOOL_RESULT_CHARS, type ArchivedMessage, type ArchivedToolCall, type SessionTranscript } from '../../core/session-archive.ts';
import type { TokenCounts } from './prices.ts';

/** What the agent loop tells a recorder (all optional for the loop: it works without one). */
export interface AgentLoopRecorder {
  step(messages: readonly ModelMessage[], tokens: TokenCounts, durationMs: number): void;
  retry(kind: string, message: string, delayMs: number): void;
  user(text: string): void;
}

function cap(text: string, limit: number): { text: string; truncated: boolean } {
  const clean = redactSecrets(text);
  if (clean.length <= limit) return { text: clean, truncated: false };
  return { text: `${clean.slice(0, limit)}\n… [cut: ${clean.length - limit} more characters]`, truncated: true };
}

/** A value (tool arguments) with every string in it redacted. */
function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return cap(value, ARCHIVED_TEXT_CHARS).text;
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item)]));
  return value;
}

function outputText(output: unknown): { text: string; error: boolean } {
  const typed = output as { type?: string; value?: unknown } | undefined;
  const error = typed?.type === 'error-text' || typed?.type === 'error-json' || typed?.type === 'execution-denied';
  const value = typed?.value;
  return { text: typeof value === 'string' ? value : JSON.stringify(value ?? output ?? null), error };
}

/** Converts one model call's response messages into archived messages. */
export function archiveModelMessages(messages: readonly ModelMessage[], atMs: number, step?: { tokens: TokenCounts; durationMs: number }): ArchivedMessage[] {
  const out: ArchivedMessage[] = [];
  let first = true;
  for (const message of messages) {
    if (message.role === 'assistant') {
      const parts = typeof message.content === 'string' ? [{ type: 'text' as const, text: message.content }] : message.content;
      const text: string[] = [];
      const reasoning: string[] = [];
      const toolCalls: ArchivedToolCall[] = [];
      for (const part of parts) {
        if (part.type === 'text') text.push(part.text);
        else if (part.type === 'reasoning') reasoning.push(part.text);
        else if (part.type === 'tool-call') toolCalls.push({ id: part.toolCallId, name: part.toolName, arguments: redactValue(part.input) });
      }
      out.push({
        role: 'assistant',
        text: cap(text.join(''), ARCHIVED_TEXT_CHARS).text,
        ...(reasoning.length > 0 ? { reasoning: cap(reasoning.join('\n'), ARCHIVED_TEXT_CHARS).text } : {}),
        toolCalls,
        atMs,
        ...(step && first ? { durationMs: Math.round(step.durationMs), tokens: { input: step.tokens.input, output: step.tokens.output, cached: step.tokens.cached } } : {}),
      });
      first = false;
    } else if (message.role === 'tool') {
      for (const part of message.content) {
        if (part.type !== 'tool-result') continue;
        const { text, error } = outputText(part.output);
        const capped = cap(text, ARCHIVED_TOOL_RESULT_CHARS);
        out.push({ role: 'tool', toolCallId: part.toolCallId, name: part.toolName, result: capped.text, error, truncated: capped.truncated, atMs });
      }
    } else if (message.role === 'user') {
      const content = typeof message.content === 'string' ? message.content : message.content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('');
      out.push({ role: 'user', text: cap(content, ARCHIVED_TEXT_CHARS).text, atMs });
    }
  }
  return out;
}

/** A recorder that also hands back the whole session, ready for the archive. */
export interface SessionRecorder extends AgentLoopRecorder {
  readonly messages: ArchivedMessage[];
  readonly startedMs: number;
  /** The session as archived so far: the prompts (redacted, capped) and every message recorded. */
  transcript(opening: { model: string; system: string; firstMessage: string; parent: number }): SessionTranscript;
}

/**
 * A recorder that keeps the archived messages in memory until the session ends.
 *
 * @example
 * const recorder = createSessionRecorder();
 * await runAgentLoop({ ...input, recorder });
 * recorder.messages; // assistant / tool / retry / user messages, redacted and capped
 */
export function createSessionRecorder(now: () => number = () => performance.now()): SessionRecorder {
  const startedMs = now();
  const startedAt = new Date().toISOString();
  const messages: ArchivedMessage[] = [];
  const at = (): number => Math.round(now() - startedMs);
  return {
    messages,
    startedMs,
    transcript: (opening) => ({
      kind: 'llm',
      model: opening.model,
      system: archivedText(opening.system),
      firstMessage: archivedText(opening.firstMessage),
      messages,
      parent: opening.parent,
      startedAt,
      durationMs: at(),
    }),
    step(stepMessages, tokens, durationMs) {
      messages.push(...archiveModelMessages(stepMessages, at(), { tokens, durationMs }));
    },
    retry(kind, message, delayMs) {
      messages.push({ role: 'retry', kind, message: cap(message, 2_000).text, delayMs: Math.round(delayMs), atMs: at() });
    },
    user(text) {
      messages.push({ role: 'user', text: cap(text, ARCHIVED_TEXT_CHARS).text, atMs: at() });
    },
  };
}

/** Redacts and caps a prompt for the archive. */
export function archivedText(text: string): string {
  return cap(text, ARCHIVED_TEXT_CHARS).text;
}
