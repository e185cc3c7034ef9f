/**
 * The OpenAI chat completions wire format (POST /v1/chat/completions), as the loopback
 * server speaks it: JSON replies, SSE `data:` chunks with tool_calls deltas and a final
 * usage chunk, and error bodies.
 */
import type { RecordedToolResult } from './recorded-request.ts';
import type { ScriptedError, ScriptedMessage, ScriptedUsage } from './scripted-reply.ts';

type Json = Record<string, unknown>;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part === 'object' && part && 'text' in part ? String((part as Json).text) : '')).join('');
  return '';
}

/** The parts of a request the recorder keeps. */
export function parseOpenAiRequest(body: Json): { system: string; transcript: string; toolNames: string[]; lastToolResults: RecordedToolResult[] } {
  const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
  const system: string[] = [];
  const transcript: string[] = [];
  let lastToolResults: RecordedToolResult[] = [];
  for (const message of messages) {
    const role = String(message.role);
    if (role === 'system' || role === 'developer') {
      system.push(textOf(message.content));
      continue;
    }
    if (role === 'assistant') {
      lastToolResults = [];
      const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as Json[]) : [];
      const callText = calls.map((call) => `[call ${String((call.function as Json)?.name)} ${String((call.function as Json)?.arguments)}]`).join('\n');
      transcript.push(`assistant: ${textOf(message.content)}${callText ? '\n' + callText : ''}`);
      continue;
    }
    if (role === 'tool') {
      const result = { callId: String(message.tool_call_id), content: textOf(message.content), isError: false };
      lastToolResults.push(result);
      transcript.push(`tool ${result.callId}: ${result.content}`);
      continue;
    }
    transcript.push(`${role}: ${textOf(message.content)}`);
  }
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  return {
    system: system.join('\n'),
    transcript: transcript.join('\n'),
    toolNames: tools.map((tool) => String((tool.function as Json)?.name)),
    lastToolResults,
  };
}

function usageJson(usage: ScriptedUsage): Json {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cached ?? 0 },
  };
}

function finishReason(message: ScriptedMessage): string {
  if (message.finish) return message.finish;
  return (message.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop';
}

function argumentsText(call: { input?: unknown; rawArguments?: string }): string {
  return call.rawArguments ?? JSON.stringify(call.input ?? {});
}

/** A non-streaming chat completion. */
export function openAiCompletion(message: ScriptedMessage, model: string, sequence: number): Json {
  const calls = message.toolCalls ?? [];
  return {
    id: `chatcmpl-loopback-${sequence}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: message.text ?? null,
          ...(calls.length > 0
            ? { tool_calls: calls.map((call, index) => ({ id: call.id ?? `call_${sequence}_${index}`, type: 'function', function: { name: call.name, arguments: argumentsText(call) } })) }
            : {}),
        },
        finish_reason: finishReason(message),
      },
    ],
    usage: usageJson(message.usage ?? { input: 0, output: 0 }),
  };
}

/** The SSE `data:` payloads of a streamed chat completion, `[DONE]` last. */
export function openAiChunks(message: ScriptedMessage, model: string, sequence: number, includeUsage: boolean): string[] {
  const base = { id: `chatcmpl-loopback-${sequence}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
  const chunk = (delta: Json, finish: string | null = null) => JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
  const out: string[] = [chunk({ role: 'assistant', content: '' })];
  if (message.text) {
    const text = message.text;
    const half = Math.ceil(text.length / 2);
    out.push(chunk({ content: text.slice(0, half) }), chunk({ content: text.slice(half) }));
  }
  (message.toolCalls ?? []).forEach((call, index) => {
    const args = argumentsText(call);
    const cut = Math.ceil(args.length / 2);
    out.push(chunk({ tool_calls: [{ index, id: call.id ?? `call_${sequence}_${index}`, type: 'function', function: { name: call.name, arguments: '' } }] }));
    out.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(0, cut) } }] }));
    out.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(cut) } }] }));
  });
  out.push(chunk({}, finishReason(message)));
  if (includeUsage) out.push(JSON.stringify({ ...base, choices: [], usage: usageJson(message.usage ?? { input: 0, output: 0 }) }));
  out.push('[DONE]');
  return out;
}

/** The error body OpenAI sends beside a non-2xx status. */
export function openAiErrorBody(error: ScriptedError): Json {
  const type = error.status === 429 ? 'rate_limit_error' : error.status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message: error.message ?? `loopback error ${error.status}`, type, param: null, code: error.code ?? null } };
}
