/**
 * A scripted LLM server on 127.0.0.1 that speaks the real wire protocols: OpenAI chat
 * completions (POST /v1/chat/completions) and Anthropic messages (POST /v1/messages),
 * streaming or not, with tool calls, usage, error codes and `retry-after`. Tests script
 * what it answers (a queue of replies, or a function of the request) and assert on the
 * requests it recorded. It is a test double for the provider's HTTP API: nothing it
 * answers is a model's work.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { anthropicErrorBody, anthropicEvents, anthropicMessage, parseAnthropicRequest } from './anthropic-wire.ts';
import { openAiChunks, openAiCompletion, openAiErrorBody, parseOpenAiRequest } from './openai-wire.ts';
import type { RecordedRequest } from './recorded-request.ts';
import type { ScriptedError, ScriptedReply } from './scripted-reply.ts';

/** Answers one request; may look at what the client sent (the lineage in the prompt, tool results). */
export type ReplyFunction = (request: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>;

/** A queue of replies (each a reply or a function of the request), or one function for every request. */
export type Script = Array<ScriptedReply | ReplyFunction> | ReplyFunction;

export interface LoopbackLlm {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `http://127.0.0.1:PORT/v1`: the base URL for every provider. */
  readonly baseUrl: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Requests that found the script empty (answered with a 400 error). */
  readonly unscripted: number;
  /** Total milliseconds the server waited on purpose (`delayMs`), to subtract from timings. */
  readonly scriptedDelayMs: number;
  /** Replaces the script (the queue restarts). */
  setScript(script: Script): void;
  /** Appends replies to the queue. */
  push(...replies: Array<ScriptedReply | ReplyFunction>): void;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the server on an ephemeral port of 127.0.0.1.
 *
 * @example
 * const llm = await startLoopbackLlm([reply.tool('list_files', {}), reply.tool('submit', { hypothesis: 'h' })]);
 * // model: openai-compatible:loopback, base_url: llm.baseUrl
 * expect(llm.requests[1]!.lastToolResults[0]!.content).toContain('train.js');
 * await llm.close();
 */
export async function startLoopbackLlm(initial: Script = []): Promise<LoopbackLlm> {
  const started = performance.now();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const script = new ScriptQueue(initial);
  let unscripted = 0;
  let scriptedDelayMs = 0;
  let sequence = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0]!;
    const format = path.endsWith('/chat/completions') ? 'openai' : path.endsWith('/messages') ? 'anthropic' : null;
    if (request.method !== 'POST' || format === null) {
      sendJson(response, 404, { error: { message: `the loopback LLM serves POST /v1/chat/completions and POST /v1/messages, not ${request.method} ${path}` } });
      return;
    }
    const body = parseBody(await readBody(request));
    if (body === null) {
      sendJson(response, 400, { error: { message: 'the request body is not JSON' } });
      return;
    }
    const recorded = recordedRequest(request, body, format, path, requests.length, performance.now() - started);
    requests.push(recorded);
    const scripted = await script.next(recorded);
    if (scripted === null) {
      unscripted++;
      sendError(response, { type: 'error', status: 400, message: `the loopback script has no reply for request #${recorded.index}` }, format);
      return;
    }
    if (scripted.type === 'hang') {
      await new Promise<void>((resolve) => response.on('close', () => resolve()));
      return;
    }
    if (scripted.delayMs) {
      scriptedDelayMs += scripted.delayMs;
      await sleep(scripted.delayMs);
    }
    if (scripted.type === 'error') sendError(response, scripted, format);
    else writeReply(response, scripted, recorded, ++sequence);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { message: `loopback server error: ${String(error)}` } });
      else response.end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    requests,
    get unscripted() {
      return unscripted;
    },
    get scriptedDelayMs() {
      return scriptedDelayMs;
    },
    setScript: (next) => script.set(next),
    push: (...replies) => script.push(replies),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What the server keeps of one request: its headers and body, and what the provider's format says it asks. */
function recordedRequest(request: IncomingMessage, body: Record<string, unknown>, format: 'openai' | 'anthropic', path: string, index: number, at: number): RecordedRequest {
  const parsed = format === 'openai' ? parseOpenAiRequest(body) : parseAnthropicRequest(body);
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[key] = value;
  return { index, format, path, headers, body, model: String(body.model ?? ''), stream: body.stream === true, ...parsed, at };
}

/** Writes a scripted reply as the provider would: one JSON body, or server-sent events when the request streams. */
function writeReply(response: ServerResponse, scripted: Exclude<ScriptedReply, ScriptedError | { type: 'hang' }>, recorded: RecordedRequest, id: number): void {
  if (!recorded.stream) {
    sendJson(response, 200, recorded.format === 'openai' ? openAiCompletion(scripted, recorded.model, id) : anthropicMessage(scripted, recorded.model, id));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  if (recorded.format === 'openai') {
    const includeUsage = (recorded.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    for (const data of openAiChunks(scripted, recorded.model, id, includeUsage)) response.write(`data: ${data}\n\n`);
  } else {
    for (const [event, data] of anthropicEvents(scripted, recorded.model, id)) response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
  response.end();
}

/** The request body as a JSON object, or null when it is not JSON. */
function parseBody(text: string): Record<string, unknown> | null {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** An error reply in the provider's shape (with `retry-after` when scripted). */
function sendError(response: ServerResponse, error: ScriptedError, format: 'openai' | 'anthropic'): void {
  const extra: Record<string, string> = error.retryAfter === undefined ? {} : { 'retry-after': String(error.retryAfter) };
  sendJson(response, error.status, format === 'openai' ? openAiErrorBody(error) : anthropicErrorBody(error), extra);
}

/** The replies still to give: a list taken in order, or one function for every request. */
class ScriptQueue {
  private queue: Array<ScriptedReply | ReplyFunction> = [];
  private everyRequest: ReplyFunction | null = null;

  constructor(initial: Script) {
    this.set(initial);
  }

  set(script: Script): void {
    this.everyRequest = typeof script === 'function' ? script : null;
    this.queue = typeof script === 'function' ? [] : [...script];
  }

  push(replies: Array<ScriptedReply | ReplyFunction>): void {
    if (this.everyRequest) throw new Error('the loopback script is a function; use setScript to replace it');
    this.queue.push(...replies);
  }

  /** The reply to `recorded`, or null when the script has none left. */
  async next(recorded: RecordedRequest): Promise<ScriptedReply | null> {
    if (this.everyRequest) return this.everyRequest(recorded);
    const next = this.queue.shift();
    if (next === undefined) return null;
    return typeof next === 'function' ? next(recorded) : next;
  }
}
