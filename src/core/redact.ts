/**
 * Redaction of key-shaped strings: whatever a trial printed reaches the next model's
 * prompt (lineage feedback), the trajectory archive and the dashboard, so text from a
 * trial's output passes through `redactSecrets` before it is recorded or served.
 *
 * It recognises the shapes credentials have (provider key prefixes, PEM blocks, JWTs,
 * passwords in URLs, `api_key=...` assignments), not particular values; it is a second
 * line behind the sandbox, which keeps credentials out of a trial's reach.
 */
import { terminalText } from './terminal-text.ts';

/** One kind of secret and the pattern that finds it; group 1, when present, is the part kept. */
interface SecretShape {
  kind: string;
  pattern: RegExp;
}

const SHAPES: readonly SecretShape[] = [
  { kind: 'private key', pattern: /-----BEGIN [A-Z0-9 ]*(?:PRIVATE KEY|KEY)[A-Z0-9 ]*-----[\s\S]*?(?:-----END [A-Z0-9 ]*-----|$)/g },
  { kind: 'anthropic key', pattern: /\bsk-ant-[A-Za-z0-9_-]{8,}/g },
  { kind: 'api key', pattern: /\bsk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{16,}/g },
  { kind: 'github token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g },
  { kind: 'gitlab token', pattern: /\bglpat-[A-Za-z0-9_-]{16,}/g },
  { kind: 'slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'aws access key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { kind: 'google api key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { kind: 'hugging face token', pattern: /\bhf_[A-Za-z0-9]{30,}\b/g },
  { kind: 'npm token', pattern: /\bnpm_[A-Za-z0-9]{30,}\b/g },
  { kind: 'pypi token', pattern: /\bpypi-[A-Za-z0-9_-]{40,}/g },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
];

/** `scheme://user:password@host`: the password goes. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi;
/** `api_key = "…"`, `PASSWORD: …`, `Authorization: Bearer …`: the value goes. */
const ASSIGNMENT =
  /\b((?:[A-Za-z0-9_]*(?:api[_-]?key|secret|token|password|passwd|credentials?|access[_-]?key)[A-Za-z0-9_]*|authorization)["']?\s*[:=]\s*["']?(?:bearer\s+|basic\s+|token\s+)?)((?=[^\s"',;]*[A-Za-z])[^\s"',;]{8,})/gi;

/**
 * `text` with every key-shaped string replaced by `[redacted <kind>]`.
 *
 * @example
 * redactSecrets('key sk-abcdefghijklmnopqrstu printed'); // 'key [redacted api key] printed'
 * redactSecrets('postgres://me:hunter22@db/x');         // 'postgres://me:[redacted]@db/x'
 */
export function redactSecrets(text: string): string {
  if (text === '') return text;
  let result = text;
  for (const shape of SHAPES) result = result.replace(shape.pattern, `[redacted ${shape.kind}]`);
  result = result.replace(URL_PASSWORD, (_match, head: string, _password: string, at: string) => `${head}[redacted]${at}`);
  result = result.replace(ASSIGNMENT, (match: string, head: string, value: string) => (value.startsWith('[redacted') || value === 'AUTOLAB_RUN_TOKEN' ? match : `${head}[redacted]`));
  return result;
}

/**
 * Text from a trial's output as autolab records and shows it (log excerpts, failure
 * details, log files served to the dashboard, preflight output given to a model):
 * secrets redacted, terminal control sequences removed.
 *
 * @example
 * cleanTrialText('\u001b[2Kkept OPENAI_API_KEY=sk-abcdefghijklmnopqrstu'); // 'kept OPENAI_API_KEY=[redacted]'
 */
export function cleanTrialText(text: string): string {
  return redactSecrets(terminalText(text));
}
