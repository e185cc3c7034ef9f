import type { Metrics } from '../core/trial.ts';

/**
 * How much of the score command's stdout autolab reads (the executors' `stdoutTail`,
 * `DEFAULT_STDOUT_TAIL_BYTES`): a metrics line that starts before this window is cut.
 */
export const METRICS_WINDOW_BYTES = 8192;

export interface MetricsLineOptions {
  /** Metrics that must be finite numbers when present (the objective, the gates' metrics): another value is an error, never a score. */
  required?: readonly string[];
  /** The size of the window `stdoutTail` was read through (default `METRICS_WINDOW_BYTES`). */
  windowBytes?: number;
}

/**
 * Reads the metrics JSON from the last non-empty stdout line of the score command.
 * Finite numbers are kept; any other value (a boolean, a string, null) is left out, and
 * is an error when its name is `required` (so `{"loss": false}` is never a score of 0).
 * A last line that fills the whole read window is reported as too long, not as "not JSON".
 *
 * @example
 * parseMetricsLine('{"loss": 0.5}\n');                              // { metrics: { loss: 0.5 } }
 * parseMetricsLine('{"loss": false}', { required: ['loss'] });      // { error: "... 'loss' is false (a boolean), not a finite number" }
 */
export function parseMetricsLine(stdoutTail: string, options: MetricsLineOptions = {}): { metrics: Metrics } | { error: string } {
  const lines = stdoutTail.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
  const last = lines.at(-1);
  if (last === undefined) return { error: 'the score command printed nothing on stdout; its last line must be a JSON object of metrics' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    const window = options.windowBytes ?? METRICS_WINDOW_BYTES;
    if (lines.length === 1 && Buffer.byteLength(stdoutTail) >= window - 4) {
      return { error: `the score command's last stdout line is longer than the ${window} bytes of stdout autolab reads, so it is cut; print the metrics JSON on a short line of its own, last` };
    }
    return { error: `the score command's last stdout line is not JSON: ${JSON.stringify(last.slice(0, 200))}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { error: `the score command's last stdout line is not a JSON object: ${JSON.stringify(last.slice(0, 200))}` };
  }
  const metrics: Metrics = {};
  const refused: string[] = [];
  const required = new Set(options.required ?? []);
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value === 'number' && Number.isFinite(value)) metrics[name] = value;
    else if (required.has(name)) refused.push(`'${name}' is ${describeValue(value)}, not a finite number`);
  }
  if (refused.length > 0) return { error: `the score command's metrics line is refused: ${refused.join('; ')}` };
  return { metrics };
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  if (value === null) return 'null';
  if (typeof value === 'number') return `${String(value)} (not finite)`;
  return `${shown} (a${typeof value === 'object' ? (Array.isArray(value) ? 'n array' : 'n object') : ` ${typeof value}`})`;
}
