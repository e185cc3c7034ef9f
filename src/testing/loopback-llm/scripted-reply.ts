/**
 * What a test scripts the loopback LLM server to answer, independent of the wire format.
 * The server renders each reply as OpenAI chat completions or Anthropic messages,
 * whichever the request spoke, streaming or not.
 */

/** Token counts the reply reports. `input` counts every prompt token, cached ones included. */
export interface ScriptedUsage {
  input: number;
  output: number;
  /** Prompt tokens read from the provider's cache (a part of `input`). */
  cached?: number;
  /** Prompt tokens written to the cache (Anthropic; a part of `input`). */
  cacheWrite?: number;
}

/** One tool call in a reply. */
export interface ScriptedToolCall {
  name: string;
  /** The arguments, sent as JSON. */
  input?: unknown;
  /** Raw argument text sent instead of `input` (e.g. broken JSON). */
  rawArguments?: string;
  id?: string;
}

/** An assistant message: text, tool calls, or both. */
export interface ScriptedMessage {
  type: 'message';
  text?: string;
  toolCalls?: ScriptedToolCall[];
  usage?: ScriptedUsage;
  /** Why the model stopped; default `tool_calls` when there are calls, else `stop`. */
  finish?: 'stop' | 'tool_calls' | 'length';
  /** Waits this long before answering (excluded from overhead figures). */
  delayMs?: number;
}

/** An HTTP error the provider would send. */
export interface ScriptedError {
  type: 'error';
  status: number;
  message?: string;
  /** Sent as the `retry-after` header (seconds, or an HTTP date). */
  retryAfter?: number | string;
  /** Provider error type/code, e.g. `rate_limit_error`, `context_length_exceeded`. */
  code?: string;
  delayMs?: number;
}

/** Never answers until the client gives up (to drive client timeouts). */
export interface ScriptedHang {
  type: 'hang';
}

export type ScriptedReply = ScriptedMessage | ScriptedError | ScriptedHang;

const DEFAULT_USAGE: ScriptedUsage = { input: 100, output: 20 };

/**
 * Builders for scripted replies.
 *
 * @example
 * const script = [reply.tool('read_file', { path: 'train.py' }), reply.tool('submit', { hypothesis: 'h' })];
 */
export const reply = {
  /** One tool call (plus optional text before it). */
  tool(name: string, input: unknown, options: Partial<Omit<ScriptedMessage, 'type' | 'toolCalls'>> = {}): ScriptedMessage {
    return { type: 'message', toolCalls: [{ name, input }], usage: DEFAULT_USAGE, ...options };
  },
  /** Several tool calls in one assistant message. */
  tools(calls: ScriptedToolCall[], options: Partial<Omit<ScriptedMessage, 'type' | 'toolCalls'>> = {}): ScriptedMessage {
    return { type: 'message', toolCalls: calls, usage: DEFAULT_USAGE, ...options };
  },
  /** A tool call whose argument text is sent verbatim (malformed JSON, wrong shape). */
  rawTool(name: string, rawArguments: string, options: Partial<Omit<ScriptedMessage, 'type' | 'toolCalls'>> = {}): ScriptedMessage {
    return { type: 'message', toolCalls: [{ name, rawArguments }], usage: DEFAULT_USAGE, ...options };
  },
  /** Plain text, no tool call. */
  text(text: string, options: Partial<Omit<ScriptedMessage, 'type' | 'text'>> = {}): ScriptedMessage {
    return { type: 'message', text, usage: DEFAULT_USAGE, ...options };
  },
  /** An HTTP error (429 with `retryAfter`, 500, 529, a 400 context overflow). */
  error(status: number, options: Omit<ScriptedError, 'type' | 'status'> = {}): ScriptedError {
    return { type: 'error', status, ...options };
  },
  hang(): ScriptedHang {
    return { type: 'hang' };
  },
};
