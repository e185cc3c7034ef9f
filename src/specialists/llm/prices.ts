/**
 * What tokens cost: a built-in table of a few well-known models (USD per million
 * tokens, as the providers listed them in 2025) that the task file's `prices:` table
 * overrides. A model in neither costs $0, with a one-time warning, so a local model
 * served by Ollama or vLLM costs nothing unless the user prices it.
 */
import type { AutolabWarning } from '../../core/errors.ts';
import type { TrialCost } from '../../core/trial.ts';

/** USD per million tokens. `cached`: prompt tokens read from the cache; `cacheWrite`: written to it. */
export interface ModelPrice {
  input: number;
  output: number;
  cached?: number;
  cacheWrite?: number;
}

/** The built-in price table, keyed `provider:model-id` (a dated id matches its prefix). */
export const BUILT_IN_PRICES: Readonly<Record<string, ModelPrice>> = {
  'openai:gpt-4o': { input: 2.5, output: 10, cached: 1.25 },
  'openai:gpt-4o-mini': { input: 0.15, output: 0.6, cached: 0.075 },
  'openai:gpt-4.1': { input: 2, output: 8, cached: 0.5 },
  'openai:gpt-4.1-mini': { input: 0.4, output: 1.6, cached: 0.1 },
  'openai:gpt-4.1-nano': { input: 0.1, output: 0.4, cached: 0.025 },
  'openai:o3': { input: 2, output: 8, cached: 0.5 },
  'openai:o4-mini': { input: 1.1, output: 4.4, cached: 0.275 },
  'openai:gpt-5': { input: 1.25, output: 10, cached: 0.125 },
  'openai:gpt-5-mini': { input: 0.25, output: 2, cached: 0.025 },
  'anthropic:claude-opus-4-1': { input: 15, output: 75, cached: 1.5, cacheWrite: 18.75 },
  'anthropic:claude-opus-4': { input: 15, output: 75, cached: 1.5, cacheWrite: 18.75 },
  'anthropic:claude-sonnet-4-5': { input: 3, output: 15, cached: 0.3, cacheWrite: 3.75 },
  'anthropic:claude-sonnet-4': { input: 3, output: 15, cached: 0.3, cacheWrite: 3.75 },
  'anthropic:claude-haiku-4-5': { input: 1, output: 5, cached: 0.1, cacheWrite: 1.25 },
  'anthropic:claude-3-5-haiku': { input: 0.8, output: 4, cached: 0.08, cacheWrite: 1 },
};

/** Token counts of one or more model calls. `input` counts every prompt token, cached ones included. */
export interface TokenCounts {
  input: number;
  output: number;
  /** Prompt tokens read from the cache. */
  cached: number;
  /** Prompt tokens written to the cache. */
  cacheWrite: number;
}

export const NO_TOKENS: TokenCounts = { input: 0, output: 0, cached: 0, cacheWrite: 0 };

export function addTokens(a: TokenCounts, b: TokenCounts): TokenCounts {
  return { input: a.input + b.input, output: a.output + b.output, cached: a.cached + b.cached, cacheWrite: a.cacheWrite + b.cacheWrite };
}

/**
 * The price of `model` (`provider:model-id`): the task's override first, then the
 * built-in table; an exact key wins, else the longest key that is a prefix of the id
 * followed by `-` (so `claude-sonnet-4-5-20250929` finds `claude-sonnet-4-5`).
 */
export function findPrice(model: string, overrides: Readonly<Record<string, ModelPrice>> = {}): ModelPrice | null {
  for (const table of [overrides, BUILT_IN_PRICES]) {
    if (Object.hasOwn(table, model)) return table[model]!;
    let best: string | null = null;
    for (const key of Object.keys(table)) {
      if (model.startsWith(key + '-') && (best === null || key.length > best.length)) best = key;
    }
    if (best !== null) return table[best]!;
  }
  return null;
}

/** USD of `tokens` at `price` (cached tokens at the cached rate, or the input rate when none is listed). */
export function costOf(tokens: TokenCounts, price: ModelPrice | null): TrialCost {
  const uncached = Math.max(0, tokens.input - tokens.cached - tokens.cacheWrite);
  const usd = price
    ? (uncached * price.input + tokens.cached * (price.cached ?? price.input) + tokens.cacheWrite * (price.cacheWrite ?? price.input) + tokens.output * price.output) / 1e6
    : 0;
  return { usd, inputTokens: tokens.input, outputTokens: tokens.output, cachedTokens: tokens.cached };
}

const warnedModels = new Set<string>();

/** A warning the first time (per process) a model without a price is used; null afterwards. */
export function unknownPriceWarning(model: string): AutolabWarning | null {
  if (warnedModels.has(model)) return null;
  warnedModels.add(model);
  return {
    code: 'llm_price_unknown',
    message: `no price is known for ${model}; its tokens are counted but cost $0 (add it under \`prices:\` in the task file, e.g. prices: { "${model}": { input: 2.5, output: 10, cached: 1.25 } } in USD per million tokens)`,
  };
}
