/**
 * The bounded tool-using loop of one llm session, over the AI SDK: one model call per
 * step (generateText, or streamText with `stream: true`), the tools executed by the
 * SDK (invalid arguments and unknown tools go back to the model as error results),
 * until the agent submits or a bound is reached: steps, tokens, wall time. Failed
 * calls are retried by our own loop (not the SDK's) so that `retry-after` is honoured
 * up to a limit, the total retries of a session are bounded, and a context overflow
 * compacts the conversation before it is tried again.
 */
import { generateText, streamText, type LanguageModel, type ModelMessage, type ToolSet } from 'ai';
import { addTokens, NO_TOKENS, type TokenCounts } from './prices.ts';
import { classifyProviderError, isRetryable, retryDelayMs, sleepUnlessAborted } from './provider-retry.ts';
import type { AgentLoopRecorder } from './session-recorder.ts';

// The SDK prints its warnings to the console unless told otherwise; the CLI owns the console.
const sdkGlobals = globalThis as { AI_SDK_LOG_WARNINGS?: unknown };
if (sdkGlobals.AI_SDK_LOG_WARNINGS === undefined) sdkGlobals.AI_SDK_LOG_WARNINGS = false;

/** The bounds of one agent session (the llm specialist's settings carry them). */
export interface AgentLoopLimits {
  /** Model calls per session. */
  maxSteps: number;
  /** Input plus output tokens per session. */
  maxTokens: number;
  /** Output tokens per model call. */
  maxOutputTokens: number;
  wallTimeMs: number;
  requestTimeoutMs: number;
  /** Provider retries per session, all errors together. */
  maxRetries: number;
  retryDelayMs: number;
  /** The longest `retry-after` honoured; a provider asking for more ends the session. */
  maxRetryWaitMs: number;
  stream: boolean;
  temperature?: number;
}

export interface AgentLoopInput {
  model: LanguageModel;
  system: string;
  firstMessage: string;
  tools: ToolSet;
  limits: AgentLoopLimits;
  /** The session is stopped from outside (the study stops). */
  signal: AbortSignal;
  /** True once the agent has submitted. */
  isDone: () => boolean;
  random?: () => number;
  /** Sees every model call's messages, every retry and nudge (the session archive). */
  recorder?: AgentLoopRecorder;
}

export type AgentLoopEnd = 'submitted' | 'step_limit' | 'token_limit' | 'wall_time' | 'provider_error' | 'aborted';

export interface AgentLoopResult {
  end: AgentLoopEnd;
  reason: string;
  /** Model calls that returned a response. */
  steps: number;
  retries: number;
  tokens: TokenCounts;
}

interface StepResult {
  messages: ModelMessage[];
  tokens: TokenCounts;
  toolCalls: number;
}

const NUDGE = 'Continue with the tools. When your edit is ready, call submit (a session that does not submit is wasted).';
const ELIDED = '[elided to fit the context window; call the tool again if you need it]';

function tokensOf(usage: { inputTokens?: number | undefined; outputTokens?: number | undefined; inputTokenDetails?: { cacheReadTokens?: number | undefined; cacheWriteTokens?: number | undefined } } | undefined): TokenCounts {
  return {
    input: usage?.inputTokens ?? 0,
    output: usage?.outputTokens ?? 0,
    cached: usage?.inputTokenDetails?.cacheReadTokens ?? 0,
    cacheWrite: usage?.inputTokenDetails?.cacheWriteTokens ?? 0,
  };
}

async function callModel(input: AgentLoopInput, messages: ModelMessage[], signal: AbortSignal): Promise<StepResult> {
  const { limits } = input;
  const common = {
    model: input.model,
    system: input.system,
    messages,
    tools: input.tools,
    maxRetries: 0,
    maxOutputTokens: limits.maxOutputTokens,
    abortSignal: signal,
    ...(limits.temperature !== undefined ? { temperature: limits.temperature } : {}),
  };
  if (!limits.stream) {
    const result = await generateText(common);
    return { messages: result.response.messages, tokens: tokensOf(result.usage), toolCalls: result.content.filter((part) => part.type === 'tool-call').length };
  }
  let streamError: unknown;
  const result = streamText({ ...common, onError: ({ error }) => void (streamError ??= error) });
  await result.consumeStream();
  try {
    const [response, usage, content] = await Promise.all([result.response, result.usage, result.content]);
    return { messages: response.messages, tokens: tokensOf(usage), toolCalls: content.filter((part) => part.type === 'tool-call').length };
  } catch (error) {
    throw streamError ?? error;
  }
}

/** Shrinks the results of earlier tool calls (the latest are kept); false when nothing was left to shrink. */
export function compactMessages(messages: ModelMessage[]): boolean {
  let changed = false;
  let lastTool = -1;
  messages.forEach((message, index) => {
    if (message.role === 'tool') lastTool = index;
  });
  for (let index = 0; index < lastTool; index++) {
    const message = messages[index]!;
    if (message.role !== 'tool') continue;
    for (const part of message.content) {
      if (part.type !== 'tool-result') continue;
      const output = part.output;
      if ((output.type === 'text' || output.type === 'error-text') && output.value.length > ELIDED.length * 2) {
        part.output = { type: output.type, value: ELIDED };
        changed = true;
      } else if ((output.type === 'json' || output.type === 'error-json') && JSON.stringify(output.value).length > ELIDED.length * 2) {
        part.output = { type: 'text', value: ELIDED };
        changed = true;
      }
    }
  }
  return changed;
}

/**
 * Runs one session to its end. Never throws for provider failures or bounds: the
 * result says how and why it ended, with the tokens spent.
 */
export async function runAgentLoop(input: AgentLoopInput): Promise<AgentLoopResult> {
  const { limits } = input;
  const startedAt = Date.now();
  const wallTimer = new AbortController();
  const timer = setTimeout(() => wallTimer.abort(), limits.wallTimeMs);
  const session = AbortSignal.any([input.signal, wallTimer.signal]);
  const messages: ModelMessage[] = [{ role: 'user', content: input.firstMessage }];
  let tokens = NO_TOKENS;
  let steps = 0;
  let retries = 0;
  const finish = (end: AgentLoopEnd, reason: string): AgentLoopResult => ({ end, reason, steps, retries, tokens });
  const stopped = (): AgentLoopResult | null => {
    if (input.signal.aborted) return finish('aborted', 'the study stopped the session');
    if (wallTimer.signal.aborted) return finish('wall_time', `wall time of ${Math.round(limits.wallTimeMs / 1000)} s reached without submit`);
    return null;
  };
  try {
    while (steps < limits.maxSteps) {
      const early = stopped();
      if (early) return early;
      let step: StepResult;
      let callStarted = performance.now();
      for (;;) {
        callStarted = performance.now();
        const requestTimer = new AbortController();
        const requestTimeout = setTimeout(() => requestTimer.abort(), limits.requestTimeoutMs);
        try {
          step = await callModel(input, messages, AbortSignal.any([session, requestTimer.signal]));
          break;
        } catch (error) {
          const end = stopped();
          if (end) return end;
          const failure = classifyProviderError(error, requestTimer.signal.aborted);
          if (failure.kind === 'context_overflow') {
            if (retries < limits.maxRetries && compactMessages(messages)) {
              input.recorder?.retry(failure.kind, `${failure.message}; earlier tool results compacted`, 0);
              retries++;
              continue;
            }
            return finish('provider_error', `context overflow (${failure.message}) and nothing left to compact`);
          }
          if (!isRetryable(failure)) return finish('provider_error', `provider error ${failure.message}`);
          if (retries >= limits.maxRetries) return finish('provider_error', `${failure.kind.replace('_', ' ')} (${failure.message}); gave up after ${retries} retries`);
          if (failure.retryAfterMs !== null && failure.retryAfterMs > limits.maxRetryWaitMs) {
            return finish('provider_error', `${failure.kind.replace('_', ' ')}: the provider asked to wait ${Math.round(failure.retryAfterMs / 1000)} s, more than max_retry_wait (${Math.round(limits.maxRetryWaitMs / 1000)} s)`);
          }
          const delay = retryDelayMs(failure, retries, limits.retryDelayMs, input.random);
          if (Date.now() - startedAt + delay >= limits.wallTimeMs) return finish('wall_time', `wall time would run out waiting to retry after ${failure.message}`);
          input.recorder?.retry(failure.kind, failure.message, delay);
          retries++;
          await sleepUnlessAborted(delay, session);
        } finally {
          clearTimeout(requestTimeout);
        }
      }
      steps++;
      tokens = addTokens(tokens, step.tokens);
      messages.push(...step.messages);
      input.recorder?.step(step.messages, step.tokens, performance.now() - callStarted);
      if (input.isDone()) return finish('submitted', `submitted after ${steps} model call${steps === 1 ? '' : 's'}`);
      if (tokens.input + tokens.output >= limits.maxTokens) return finish('token_limit', `token limit of ${limits.maxTokens} reached (${tokens.input + tokens.output} used) without submit`);
      if (step.toolCalls === 0) {
        messages.push({ role: 'user', content: NUDGE });
        input.recorder?.user(NUDGE);
      }
    }
    return finish('step_limit', `step limit of ${limits.maxSteps} model calls reached without submit`);
  } finally {
    clearTimeout(timer);
  }
}
