import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { reply, startLoopbackLlm, type LoopbackLlm, type Script } from '../../testing/loopback-llm/index.ts';
import { runAgentLoop, type AgentLoopLimits } from './agent-loop.ts';

/** The loop's bounds and retries against the scripted loopback server (no study). */
describe('runAgentLoop', () => {
  let llm: LoopbackLlm;
  beforeAll(async () => {
    llm = await startLoopbackLlm();
  });
  afterAll(async () => {
    await llm.close();
  });

  const limits: AgentLoopLimits = { maxSteps: 6, maxTokens: 100_000, maxOutputTokens: 256, wallTimeMs: 10_000, requestTimeoutMs: 5_000, maxRetries: 3, retryDelayMs: 10, maxRetryWaitMs: 2_000, stream: false };

  async function run(script: Script, overrides: Partial<AgentLoopLimits> = {}) {
    llm.setScript(script);
    const before = llm.requests.length;
    let done = false;
    const tools = {
      read: tool({ description: 'read', inputSchema: z.object({ path: z.string() }), execute: async ({ path }) => `${path}: ${'x'.repeat(400)}` }),
      submit: tool({ description: 'submit', inputSchema: z.object({}), execute: async () => ((done = true), 'submitted') }),
    };
    const model = createOpenAICompatible({ name: 'loopback', baseURL: llm.baseUrl, includeUsage: true }).chatModel('m');
    const result = await runAgentLoop({ model, system: 'sys', firstMessage: 'go', tools, limits: { ...limits, ...overrides }, signal: new AbortController().signal, isDone: () => done, random: () => 0.5 });
    return { result, requests: llm.requests.slice(before) };
  }

  it('compacts earlier tool results after a context overflow and goes on', async () => {
    const { result, requests } = await run([
      reply.tool('read', { path: 'a' }),
      reply.tool('read', { path: 'b' }),
      reply.error(400, { code: 'context_length_exceeded', message: "This model's maximum context length is 8192 tokens" }),
      reply.tool('submit', {}),
    ]);
    expect(result).toMatchObject({ end: 'submitted', steps: 3, retries: 1 });
    expect(requests[3]!.transcript).toContain('elided to fit the context window');
    expect(requests[3]!.lastToolResults[0]!.content).toContain('b: xxx');
  });

  it('ends the session when the overflow cannot be compacted', async () => {
    const { result } = await run([reply.error(400, { message: 'prompt is too long: 300000 tokens > 200000 maximum' })]);
    expect(result.end).toBe('provider_error');
    expect(result.reason).toMatch(/context overflow/);
  });

  it('retries a request that times out, and a 5xx', async () => {
    const { result, requests } = await run([reply.hang(), reply.error(503), reply.tool('submit', {})], { requestTimeoutMs: 300 });
    expect(result).toMatchObject({ end: 'submitted', retries: 2, steps: 1 });
    expect(requests).toHaveLength(3);
  });

  it('ends at once when the provider asks to wait longer than max_retry_wait, or refuses the key', async () => {
    const waited = await run([reply.error(429, { retryAfter: 120 })]);
    expect(waited.result.end).toBe('provider_error');
    expect(waited.result.reason).toContain('asked to wait 120 s');
    const fatal = await run([reply.error(401, { message: 'invalid x-api-key' })]);
    expect(fatal.result).toMatchObject({ end: 'provider_error', retries: 0 });
    expect(fatal.result.reason).toContain('401');
  });

  it('stops at the token limit and nudges a model that answers with text only', async () => {
    const { result, requests } = await run([reply.text('let me think'), reply.tool('read', { path: 'a' }, { usage: { input: 5000, output: 10 } })], { maxTokens: 1000 });
    expect(result).toMatchObject({ end: 'token_limit', steps: 2 });
    expect(result.tokens).toEqual({ input: 5100, output: 30, cached: 0, cacheWrite: 0 });
    expect(requests[1]!.transcript).toContain('call submit');
  });

  it('ends at the wall time', async () => {
    const { result } = await run([reply.tool('read', { path: 'a' }, { delayMs: 400 }), reply.tool('read', { path: 'a' })], { wallTimeMs: 250 });
    expect(result.end).toBe('wall_time');
  });
});
