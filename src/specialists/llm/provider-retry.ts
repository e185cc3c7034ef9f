/**
 * What to do when a model call fails: which provider errors are worth a retry (rate
 * limits, overload, 5xx, timeouts, dropped connections), how long to wait (the
 * provider's `retry-after` when it sends one, else exponential backoff with jitter),
 * and which end the session at once (a bad key, an unknown model). A context overflow
 * is retried only after the conversation was compacted (see agent-loop.ts).
 */
import { APICallError } from 'ai';

export type ProviderFailureKind = 'rate_limit' | 'overloaded' | 'server' | 'timeout' | 'network' | 'context_overflow' | 'fatal';

export interface ProviderFailure {
  kind: ProviderFailureKind;
  /** HTTP status, when there was a response. */
  status: number | null;
  /** What the provider asked us to wait, in ms (retry-after-ms or retry-after). */
  retryAfterMs: number | null;
  message: string;
}

const CONTEXT_OVERFLOW = /context[ _-]?(length|window)|maximum context|too many tokens|prompt is too long|input is too long|reduce the length|context_length_exceeded|exceeds? the (model'?s? )?(maximum|context)/i;

function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** Milliseconds the provider asked to wait: `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Record<string, string> | undefined, now = Date.now()): number | null {
  const ms = headerValue(headers, 'retry-after-ms');
  if (ms !== undefined && Number.isFinite(Number.parseFloat(ms))) return Math.max(0, Number.parseFloat(ms));
  const after = headerValue(headers, 'retry-after');
  if (after === undefined) return null;
  const seconds = Number(after.trim());
  if (after.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let cursor = error, depth = 0; cursor !== undefined && cursor !== null && depth < 6; depth++) {
    chain.push(cursor);
    cursor = (cursor as { cause?: unknown }).cause;
  }
  return chain;
}

/**
 * Sorts a failed model call into what to do about it. `requestTimedOut` is true when our
 * own per-request timeout fired (as opposed to the session being stopped).
 */
export function classifyProviderError(error: unknown, requestTimedOut = false): ProviderFailure {
  const chain = causeChain(error);
  const apiError = chain.find((item) => APICallError.isInstance(item)) as APICallError | undefined;
  if (apiError) {
    const status = apiError.statusCode ?? null;
    const text = `${apiError.message} ${apiError.responseBody ?? ''}`;
    const waitMs = retryAfterMs(apiError.responseHeaders);
    const message = `${status ?? 'no status'}: ${apiError.message}`.slice(0, 300);
    if (status === 429) return { kind: 'rate_limit', status, retryAfterMs: waitMs, message };
    if (status === 529 || /overloaded/i.test(text)) return { kind: 'overloaded', status, retryAfterMs: waitMs, message };
    if (status !== null && (status === 400 || status === 413 || status === 422) && CONTEXT_OVERFLOW.test(text)) return { kind: 'context_overflow', status, retryAfterMs: null, message };
    if (status === 408) return { kind: 'timeout', status, retryAfterMs: waitMs, message };
    if (status !== null && status >= 500) return { kind: 'server', status, retryAfterMs: waitMs, message };
    if (status === null && apiError.isRetryable) return { kind: 'network', status, retryAfterMs: null, message };
    return { kind: 'fatal', status, retryAfterMs: null, message };
  }
  const named = chain.map((item) => (item instanceof Error ? `${item.name}: ${item.message}` : String(item))).join(' <- ');
  if (requestTimedOut || chain.some((item) => item instanceof Error && item.name === 'TimeoutError')) {
    return { kind: 'timeout', status: null, retryAfterMs: null, message: 'the model call timed out' };
  }
  if (/fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|network|terminated/i.test(named)) {
    return { kind: 'network', status: null, retryAfterMs: null, message: named.slice(0, 300) };
  }
  return { kind: 'fatal', status: null, retryAfterMs: null, message: named.slice(0, 300) };
}

/** True for failures a later attempt may get past. */
export function isRetryable(failure: ProviderFailure): boolean {
  return failure.kind !== 'fatal';
}

/**
 * The wait before retry number `attempt` (0-based): the provider's retry-after when
 * given, else `baseMs * 2^attempt` with ±25% jitter, at most 60 s.
 */
export function retryDelayMs(failure: ProviderFailure, attempt: number, baseMs: number, random: () => number = Math.random): number {
  if (failure.retryAfterMs !== null) return failure.retryAfterMs;
  const exponential = Math.min(60_000, baseMs * 2 ** attempt);
  return Math.round(exponential * (0.75 + 0.5 * random()));
}

/** Waits `ms`, or less when `signal` aborts (resolves false then). */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
