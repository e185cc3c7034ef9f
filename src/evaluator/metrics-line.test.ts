import { describe, expect, it } from 'vitest';
import { METRICS_WINDOW_BYTES, parseMetricsLine } from './metrics-line.ts';

describe('parseMetricsLine', () => {
  it('keeps finite numbers from the last non-empty line', () => {
    expect(parseMetricsLine('progress\n{"loss": 0.5, "size": 3}\n\n')).toEqual({ metrics: { loss: 0.5, size: 3 } });
  });

  it('refuses a required metric that is a boolean, a string, null or not finite, saying what it is', () => {
    for (const [value, described] of [
      ['false', 'false (a boolean)'],
      ['"0.1"', '"0.1" (a string)'],
      ['null', 'null'],
      ['1e999', 'Infinity (not finite)'],
      ['[0]', '[0] (an array)'],
    ] as const) {
      const result = parseMetricsLine(`{"loss": ${value}}`, { required: ['loss'] });
      expect(result, value).toHaveProperty('error');
      expect((result as { error: string }).error).toContain(`'loss' is ${described}`);
    }
  });

  it('leaves out other non-numbers without failing', () => {
    expect(parseMetricsLine('{"loss": 1, "note": "ok", "flag": true}', { required: ['loss'] })).toEqual({ metrics: { loss: 1 } });
  });

  it('says when the metrics line is longer than the read window', () => {
    const line = `{"loss": 1, "pad": "${'x'.repeat(3 * METRICS_WINDOW_BYTES)}"}`;
    const tail = line.slice(-METRICS_WINDOW_BYTES);
    const result = parseMetricsLine(tail);
    expect((result as { error: string }).error).toMatch(/longer than the 8192 bytes of stdout autolab reads/);
    expect((parseMetricsLine('garbage') as { error: string }).error).toMatch(/is not JSON/);
  });
});
