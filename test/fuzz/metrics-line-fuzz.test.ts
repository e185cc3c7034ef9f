import { describe, expect, it } from 'vitest';
import { parseMetricsLine } from '../../src/evaluator/metrics-line.ts';
import { damageText, picker } from './fuzz-random.ts';

/**
 * The score command's stdout is shaped by what the trial left in its artifacts, so its
 * last line is fuzzed too: damaged, type-confused and oversized metrics lines must give
 * finite numbers or an error message, never an exception or a NaN score.
 */
describe('parseMetricsLine on random and damaged score output', () => {
  it('returns finite metrics or an error message, every time', () => {
    const p = picker(Number(process.env.AUTOLAB_FUZZ_SEED ?? 9_001));
    const values = ['0.25', '-1', '1e308', '1e309', '-1e400', 'NaN', 'Infinity', 'null', 'true', 'false', '"3"', '[]', '{}', '{"a": 1}', '1.0e-320', '0x10', '.5', '5.'];
    let parsed = 0;
    let errors = 0;
    for (let round = 0; round < 3_000; round++) {
      const fields = Array.from({ length: p.int(5) }, () => `${JSON.stringify(p.pick(['loss', 'size', '__proto__', 'constructor', '', 'a'.repeat(300), 'lo\u0000ss']))}: ${p.pick(values)}`);
      let line = `{${fields.join(', ')}}`;
      if (p.chance(0.4)) line = damageText(line, p);
      const before = p.chance(0.5) ? 'progress 10%\n{"loss": 0}\n' : '';
      const after = p.pick(['', '\n', '\n\n  \n', '\r\n', ' trailing']);
      const result = parseMetricsLine(`${before}${line}${after}`);
      if ('error' in result) {
        expect(result.error.length).toBeGreaterThan(0);
        errors++;
      } else {
        for (const [name, value] of Object.entries(result.metrics)) expect(Number.isFinite(value), `${name} = ${value} from ${line}`).toBe(true);
        expect(Object.getPrototypeOf(result.metrics)).toBe(Object.prototype);
        parsed++;
      }
    }
    expect(parsed).toBeGreaterThan(300);
    expect(errors).toBeGreaterThan(300);
  });
});
