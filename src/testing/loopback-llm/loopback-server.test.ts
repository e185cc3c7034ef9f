import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startLoopbackLlm, type LoopbackLlm } from './index.ts';

/** The wire formats as raw HTTP: what a provider SDK (or any client) reads. */
describe('loopback LLM server', () => {
  let llm: LoopbackLlm;
  beforeAll(async () => {
    llm = await startLoopbackLlm();
  });
  afterAll(async () => {
    await llm.close();
  });

  const post = (path: string, body: unknown) => fetch(`${llm.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('answers OpenAI chat completions with tool calls and usage, and records the request', async () => {
    llm.setScript([reply.tool('read_file', { path: 'a.py' }, { usage: { input: 120, output: 7, cached: 20 } })]);
    const response = await post('/chat/completions', {
      model: 'm',
      messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hello' }],
      tools: [{ type: 'function', function: { name: 'read_file', parameters: {} } }],
    });
    const json = (await response.json()) as { choices: Array<{ message: { tool_calls: Array<{ function: { name: string; arguments: string } }> }; finish_reason: string }>; usage: Record<string, unknown> };
    expect(json.choices[0]!.finish_reason).toBe('tool_calls');
    expect(json.choices[0]!.message.tool_calls[0]!.function).toEqual({ name: 'read_file', arguments: '{"path":"a.py"}' });
    expect(json.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 20 } });
    expect(llm.requests.at(-1)).toMatchObject({ format: 'openai', system: 'sys', toolNames: ['read_file'], stream: false });
    expect(llm.requests.at(-1)!.transcript).toContain('user: hello');
  });

  it('streams OpenAI chunks: tool_call deltas, a finish chunk, a usage chunk and [DONE]', async () => {
    llm.setScript([reply.rawTool('edit', '{"broken": ')]);
    const response = await post('/chat/completions', { model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'x' }] });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text()).split('\n\n').filter(Boolean).map((line) => line.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((data) => JSON.parse(data) as { choices: Array<{ delta: { tool_calls?: Array<{ function: { arguments?: string } }> }; finish_reason: string | null }>; usage?: unknown });
    const args = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? [])).map((call) => call.function.arguments ?? '').join('');
    expect(args).toBe('{"broken": ');
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'tool_calls')).toBe(true);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 100 });
  });

  it('answers Anthropic messages with tool_use blocks, cache usage and streaming events', async () => {
    llm.setScript([reply.tool('grep', { pattern: 'lr' }, { usage: { input: 1000, output: 40, cached: 600, cacheWrite: 100 } }), reply.text('done')]);
    const plain = (await (await post('/messages', { model: 'claude', max_tokens: 10, system: 'sys', messages: [{ role: 'user', content: 'hi' }] })).json()) as Record<string, unknown>;
    expect(plain).toMatchObject({ type: 'message', stop_reason: 'tool_use', content: [{ type: 'tool_use', name: 'grep', input: { pattern: 'lr' } }], usage: { input_tokens: 300, cache_read_input_tokens: 600, cache_creation_input_tokens: 100, output_tokens: 40 } });
    const streamed = await (await post('/messages', { model: 'claude', max_tokens: 10, stream: true, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'boom', is_error: true }] }] })).text();
    const names = [...streamed.matchAll(/^event: (\S+)/gm)].map((match) => match[1]);
    expect(names).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(llm.requests.at(-1)!.lastToolResults).toEqual([{ callId: 't1', content: 'boom', isError: true }]);
  });

  it('sends error codes with retry-after, and a 400 when the script is empty', async () => {
    llm.setScript([reply.error(429, { retryAfter: 3 }), reply.error(529)]);
    const limited = await post('/chat/completions', { model: 'm', messages: [] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(await limited.json()).toMatchObject({ error: { type: 'rate_limit_error' } });
    const overloaded = await post('/messages', { model: 'c', messages: [] });
    expect(overloaded.status).toBe(529);
    expect(await overloaded.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    const before = llm.unscripted;
    expect((await post('/messages', { model: 'c', messages: [] })).status).toBe(400);
    expect(llm.unscripted).toBe(before + 1);
  });

  it('holds a hanging reply until the client gives up', async () => {
    llm.setScript([reply.hang()]);
    const started = Date.now();
    await expect(fetch(`${llm.baseUrl}/chat/completions`, { method: 'POST', body: '{"model":"m","messages":[]}', signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });
});
