/**
 * `model: provider:model-id` in the task file, and the connection it needs, checked when
 * the specialist is built (./model-provider.ts builds the AI SDK model itself, on the
 * first proposal: commands that never propose do not load the AI SDK).
 * Providers: `openai` (chat completions), `anthropic` (messages), and
 * `openai-compatible` (Ollama, vLLM, llama.cpp server, LM Studio: any server speaking
 * OpenAI chat completions at `base_url`). Keys come from the provider's usual variable
 * (OPENAI_API_KEY, ANTHROPIC_API_KEY) or from the variable named by `api_key_env`.
 */
import { AutolabError } from '../../core/errors.ts';

export const PROVIDERS = ['openai', 'anthropic', 'openai-compatible'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export interface ModelRef {
  provider: ProviderName;
  modelId: string;
  /** `provider:model-id`, the key of the price table. */
  key: string;
}

/**
 * Parses `provider:model-id`.
 *
 * @example parseModelRef('anthropic:claude-sonnet-4-5') // { provider: 'anthropic', modelId: 'claude-sonnet-4-5', ... }
 */
export function parseModelRef(text: string, where: string): ModelRef {
  const at = text.indexOf(':');
  const provider = at > 0 ? text.slice(0, at) : '';
  const modelId = at > 0 ? text.slice(at + 1).trim() : '';
  if (!(PROVIDERS as readonly string[]).includes(provider) || modelId === '') {
    throw new AutolabError('TaskFileError', `${where}: model ${JSON.stringify(text)} is not provider:model-id`, {
      hint: `use one of ${PROVIDERS.map((name) => `${name}:<model>`).join(', ')}, e.g. model: anthropic:claude-sonnet-4-5, or model: openai-compatible:qwen2.5-coder with base_url: http://127.0.0.1:8000/v1`,
    });
  }
  return { provider: provider as ProviderName, modelId, key: `${provider}:${modelId}` };
}

const DEFAULT_KEY_ENV: Record<ProviderName, string | null> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  'openai-compatible': null,
};

export interface ModelConnection {
  baseUrl?: string;
  /** Name of the environment variable holding the key (overrides the provider's usual one). */
  apiKeyEnv?: string;
}

/** What a provider needs to be built: the key (when one is needed) and the endpoint. */
export interface CheckedConnection {
  apiKey?: string;
  baseURL?: string;
}

/**
 * Checks that `ref` can be connected to: throws a `TaskFileError` when the key's variable
 * is unset (an openai-compatible server needs a key only when `api_key_env` names one) or
 * when an openai-compatible model has no `base_url`.
 *
 * @example checkModelConnection(parseModelRef('openai:gpt-4o', 'x'), {}, "specialist 'opt'") // throws without OPENAI_API_KEY
 */
export function checkModelConnection(ref: ModelRef, connection: ModelConnection, where: string, env: NodeJS.ProcessEnv = process.env): CheckedConnection {
  const keyEnv = connection.apiKeyEnv ?? DEFAULT_KEY_ENV[ref.provider];
  const apiKey = keyEnv === null ? undefined : env[keyEnv];
  if (keyEnv !== null && (apiKey === undefined || apiKey === '')) {
    throw new AutolabError('TaskFileError', `${where}: ${ref.key} needs an API key in $${keyEnv}, which is not set`, {
      hint: connection.apiKeyEnv ? `export ${keyEnv}=...` : `export ${keyEnv}=..., or name another variable with api_key_env`,
    });
  }
  const baseURL = connection.baseUrl?.replace(/\/+$/, '');
  if (ref.provider === 'openai-compatible' && !baseURL) {
    throw new AutolabError('TaskFileError', `${where}: ${ref.key} needs base_url, the server's OpenAI-compatible endpoint`, {
      hint: 'e.g. base_url: http://127.0.0.1:11434/v1 (Ollama), http://127.0.0.1:8000/v1 (vLLM), http://127.0.0.1:8080/v1 (llama.cpp), http://127.0.0.1:1234/v1 (LM Studio)',
    });
  }
  return { ...(apiKey ? { apiKey } : {}), ...(baseURL ? { baseURL } : {}) };
}
