import { APICallError } from 'ai';
import { describe, expect, it } from 'vitest';
import { costOf, findPrice } from './prices.ts';
import { classifyProviderError, retryAfterMs, retryDelayMs } from './provider-retry.ts';

const apiError = (status: number, headers: Record<string, string> = {}, body = '') =>
  new APICallError({ message: `status ${status}`, url: 'http://127.0.0.1/v1', requestBodyValues: {}, statusCode: status, responseHeaders: headers, responseBody: body, isRetryable: status === 429 || status >= 500 });

describe('provider errors', () => {
  it('reads retry-after in seconds, milliseconds or as a date', () => {
    expect(retryAfterMs({ 'retry-after': '2' })).toBe(2000);
    expect(retryAfterMs({ 'Retry-After-Ms': '150' })).toBe(150);
    expect(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4_000)).toBe(6_000);
    expect(retryAfterMs({})).toBeNull();
  });

  it('sorts errors into what to do about them', () => {
    expect(classifyProviderError(apiError(429, { 'retry-after': '3' }))).toMatchObject({ kind: 'rate_limit', retryAfterMs: 3000 });
    expect(classifyProviderError(apiError(529)).kind).toBe('overloaded');
    expect(classifyProviderError(apiError(502)).kind).toBe('server');
    expect(classifyProviderError(apiError(400, {}, '{"error":{"code":"context_length_exceeded"}}')).kind).toBe('context_overflow');
    expect(classifyProviderError(apiError(401)).kind).toBe('fatal');
    expect(classifyProviderError(new Error('x'), true).kind).toBe('timeout');
    expect(classifyProviderError(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') })).kind).toBe('network');
  });

  it('backs off exponentially with jitter unless the provider said how long', () => {
    const failure = classifyProviderError(apiError(500));
    expect([0, 1, 2].map((attempt) => retryDelayMs(failure, attempt, 1000, () => 0.5))).toEqual([1000, 2000, 4000]);
    expect(retryDelayMs(failure, 20, 1000, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(classifyProviderError(apiError(429, { 'retry-after': '7' })), 3, 1000)).toBe(7000);
  });
});

describe('prices', () => {
  it('finds a model by exact key or dated prefix, the task overriding the built-in table', () => {
    expect(findPrice('anthropic:claude-sonnet-4-5-20250929')).toMatchObject({ input: 3, output: 15 });
    expect(findPrice('openai:gpt-4o-mini-2024-07-18')).toMatchObject({ input: 0.15 });
    expect(findPrice('openai:gpt-4o', { 'openai:gpt-4o': { input: 1, output: 2 } })).toEqual({ input: 1, output: 2 });
    expect(findPrice('openai-compatible:qwen2.5-coder')).toBeNull();
  });

  it('prices cached and uncached prompt tokens apart', () => {
    const cost = costOf({ input: 1_000_000, output: 100_000, cached: 400_000, cacheWrite: 100_000 }, { input: 3, output: 15, cached: 0.3, cacheWrite: 3.75 });
    expect(cost).toEqual({ usd: expect.closeTo(0.5 * 3 + 0.4 * 0.3 + 0.1 * 3.75 + 0.1 * 15, 10), inputTokens: 1_000_000, outputTokens: 100_000, cachedTokens: 400_000 });
    expect(costOf({ input: 10, output: 10, cached: 0, cacheWrite: 0 }, null).usd).toBe(0);
  });
});
