/**
 * The Anthropic messages wire format (POST /v1/messages), as the loopback server speaks
 * it: `tool_use` content blocks, the streaming events (message_start,
 * content_block_start/delta/stop, message_delta, message_stop), usage with cache tokens,
 * and error bodies (429, 529 overloaded, ...).
 */
import type { RecordedToolResult } from './recorded-request.ts';
import type { ScriptedError, ScriptedMessage, ScriptedUsage } from './scripted-reply.ts';

type Json = Record<string, unknown>;

function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as Json[])
    .map((block) => {
      if (block.type === 'text') return String(block.text);
      if (block.type === 'tool_use') return `[call ${String(block.name)} ${JSON.stringify(block.input)}]`;
      if (block.type === 'tool_result') return `[result ${String(block.tool_use_id)}${block.is_error ? ' error' : ''}] ${blockText(block.content)}`;
      return '';
    })
    .join('\n');
}

/** The parts of a request the recorder keeps. */
export function parseAnthropicRequest(body: Json): { system: string; transcript: string; toolNames: string[]; lastToolResults: RecordedToolResult[] } {
  const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
  const transcript: string[] = [];
  let lastToolResults: RecordedToolResult[] = [];
  for (const message of messages) {
    const role = String(message.role);
    if (role === 'assistant') lastToolResults = [];
    else if (Array.isArray(message.content)) {
      for (const block of message.content as Json[]) {
        if (block.type === 'tool_result') lastToolResults.push({ callId: String(block.tool_use_id), content: blockText(block.content), isError: block.is_error === true });
      }
    }
    transcript.push(`${role}: ${blockText(message.content)}`);
  }
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  return { system: blockText(body.system), transcript: transcript.join('\n'), toolNames: tools.map((tool) => String(tool.name)), lastToolResults };
}

function usageJson(usage: ScriptedUsage): Json {
  const cached = usage.cached ?? 0;
  const written = usage.cacheWrite ?? 0;
  return { input_tokens: Math.max(0, usage.input - cached - written), output_tokens: usage.output, cache_creation_input_tokens: written, cache_read_input_tokens: cached };
}

function stopReason(message: ScriptedMessage): string {
  if (message.finish === 'length') return 'max_tokens';
  if (message.finish === 'stop') return 'end_turn';
  return (message.toolCalls?.length ?? 0) > 0 ? 'tool_use' : 'end_turn';
}

function inputOf(call: { input?: unknown; rawArguments?: string }): unknown {
  if (call.rawArguments === undefined) return call.input ?? {};
  try {
    return JSON.parse(call.rawArguments);
  } catch {
    // A non-streaming tool_use block always carries an object; send the raw text inside one.
    return { raw: call.rawArguments };
  }
}

function contentBlocks(message: ScriptedMessage, sequence: number): Json[] {
  const blocks: Json[] = [];
  if (message.text) blocks.push({ type: 'text', text: message.text });
  (message.toolCalls ?? []).forEach((call, index) => blocks.push({ type: 'tool_use', id: call.id ?? `toolu_${sequence}_${index}`, name: call.name, input: inputOf(call) }));
  return blocks;
}

/** A non-streaming message. */
export function anthropicMessage(message: ScriptedMessage, model: string, sequence: number): Json {
  return {
    id: `msg_loopback_${sequence}`,
    type: 'message',
    role: 'assistant',
    model,
    content: contentBlocks(message, sequence),
    stop_reason: stopReason(message),
    stop_sequence: null,
    usage: usageJson(message.usage ?? { input: 0, output: 0 }),
  };
}

/** The SSE events `[event, data]` of a streamed message. Broken argument text is streamed verbatim. */
export function anthropicEvents(message: ScriptedMessage, model: string, sequence: number): Array<[string, Json]> {
  const usage = usageJson(message.usage ?? { input: 0, output: 0 });
  const events: Array<[string, Json]> = [
    ['message_start', { type: 'message_start', message: { id: `msg_loopback_${sequence}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }],
    ['ping', { type: 'ping' }],
  ];
  let index = 0;
  if (message.text) {
    events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
    events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: message.text } }]);
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
    index++;
  }
  (message.toolCalls ?? []).forEach((call, callIndex) => {
    const args = call.rawArguments ?? JSON.stringify(call.input ?? {});
    const cut = Math.ceil(args.length / 2);
    events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id ?? `toolu_${sequence}_${callIndex}`, name: call.name, input: {} } }]);
    events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args.slice(0, cut) } }]);
    events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args.slice(cut) } }]);
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
    index++;
  });
  events.push(['message_delta', { type: 'message_delta', delta: { stop_reason: stopReason(message), stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }]);
  events.push(['message_stop', { type: 'message_stop' }]);
  return events;
}

/** The error body Anthropic sends beside a non-2xx status. */
export function anthropicErrorBody(error: ScriptedError): Json {
  const type =
    error.code ??
    (error.status === 429 ? 'rate_limit_error' : error.status === 529 ? 'overloaded_error' : error.status >= 500 ? 'api_error' : error.status === 401 ? 'authentication_error' : 'invalid_request_error');
  return { type: 'error', error: { type, message: error.message ?? `loopback error ${error.status}` } };
}
