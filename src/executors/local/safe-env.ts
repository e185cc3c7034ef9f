/** Variables passed from the driver's environment to every run when they are set. */
export const BASE_ENV_NAMES: readonly string[] = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'USER',
  'SHELL',
  'TERM',
];

export interface RunEnvOptions {
  /** Further names copied from the driver's environment when set (e.g. `CUDA_HOME`). */
  pass?: string[];
  /** Fixed values from the task file; override passed values. */
  set?: Record<string, string>;
  /** Values autolab adds per run (`CUDA_VISIBLE_DEVICES`, `AUTOLAB_RUN_TOKEN`, ...); override everything. */
  extra?: Record<string, string>;
  /** The environment to copy from. Default `process.env`. */
  from?: NodeJS.ProcessEnv;
}

/**
 * Builds the whole environment of a run command: a clean allow-list instead of the
 * driver's environment. It holds only BASE_ENV_NAMES and the `pass` names that are set
 * in `from`, then `set`, then `extra` (later wins). Nothing else is inherited: API keys
 * and tokens of the driver (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, `AWS_*`, `HF_TOKEN`,
 * ...) never reach a trial unless they are named explicitly in `pass` or `set`.
 *
 * @example
 * buildRunEnv({ pass: ['CUDA_HOME'], set: { PYTHONHASHSEED: '0' }, extra: { CUDA_VISIBLE_DEVICES: '1' } });
 * // { PATH: '/usr/bin:...', HOME: '/home/me', CUDA_HOME: '/usr/local/cuda', PYTHONHASHSEED: '0', CUDA_VISIBLE_DEVICES: '1' }
 */
export function buildRunEnv(options: RunEnvOptions = {}): Record<string, string> {
  const from = options.from ?? process.env;
  const env: Record<string, string> = {};
  for (const name of [...BASE_ENV_NAMES, ...(options.pass ?? [])]) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, options.set ?? {}, options.extra ?? {});
  return env;
}
