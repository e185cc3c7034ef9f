/** A request the loopback server received, normalised across wire formats for assertions. */
export interface RecordedRequest {
  /** 0-based, in arrival order. */
  index: number;
  format: 'openai' | 'anthropic';
  path: string;
  headers: Record<string, string>;
  /** The parsed JSON body, as sent. */
  body: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** The system prompt text. */
  system: string;
  /** Every message's text, tool calls and tool results in order, one per line block. */
  transcript: string;
  /** Names of the tools offered. */
  toolNames: string[];
  /** Tool results sent since the model's last message (the answers to its last calls). */
  lastToolResults: RecordedToolResult[];
  /** Milliseconds since the server started. */
  at: number;
}

export interface RecordedToolResult {
  callId: string;
  content: string;
  isError: boolean;
}
