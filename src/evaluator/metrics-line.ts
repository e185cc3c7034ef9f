import type { Metrics } from '../core/trial.ts';

/**
 * Reads the metrics JSON from the last non-empty stdout line of the score command.
 * Numbers are kept; booleans become 1/0; anything else is ignored.
 */
export function parseMetricsLine(stdoutTail: string): { metrics: Metrics } | { error: string } {
  const lines = stdoutTail.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
  const last = lines.at(-1);
  if (last === undefined) return { error: 'the score command printed nothing on stdout; its last line must be a JSON object of metrics' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    return { error: `the score command's last stdout line is not JSON: ${JSON.stringify(last.slice(0, 200))}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { error: `the score command's last stdout line is not a JSON object: ${JSON.stringify(last.slice(0, 200))}` };
  }
  const metrics: Metrics = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value === 'number' && Number.isFinite(value)) metrics[name] = value;
    else if (typeof value === 'boolean') metrics[name] = value ? 1 : 0;
  }
  return { metrics };
}
