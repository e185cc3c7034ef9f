/**
 * The AI SDK language model of a checked `model:` (./model-ref.ts). Imported on the first
 * proposal of an llm specialist, so that commands that never propose do not load the SDK.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import type { CheckedConnection, ModelRef } from './model-ref.ts';

/**
 * Builds the provider's model for `ref` over a connection `checkModelConnection` accepted.
 *
 * @example
 * const model = createLanguageModel(ref, checkModelConnection(ref, { baseUrl }, where));
 */
export function createLanguageModel(ref: ModelRef, connection: CheckedConnection): LanguageModel {
  const { apiKey, baseURL } = connection;
  switch (ref.provider) {
    case 'openai':
      return createOpenAI({ apiKey: apiKey!, ...(baseURL ? { baseURL } : {}) }).chat(ref.modelId);
    case 'anthropic':
      return createAnthropic({ apiKey: apiKey!, ...(baseURL ? { baseURL } : {}) })(ref.modelId);
    case 'openai-compatible':
      return createOpenAICompatible({ name: 'openai-compatible', baseURL: baseURL!, includeUsage: true, ...(apiKey ? { apiKey } : {}) }).chatModel(ref.modelId);
  }
}
