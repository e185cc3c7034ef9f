/**
 * Durations and sizes as users write them in the task file: `90s`, `1.5h`, `1h30m`,
 * `500ms` or a bare number of seconds; `10MB`, `512KiB`, `1GB` or a bare number of bytes.
 */

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** One or more `<number><unit>` parts (`1h30m`), or a bare number of seconds. */
export const DURATION_PATTERN = /^\s*(?:(?:\d+(?:\.\d+)?|\.\d+)\s*(?:ms|s|m|h)\s*)+$|^\s*(?:\d+(?:\.\d+)?|\.\d+)\s*$/;

/** What a duration looks like, for error messages. */
export const DURATION_EXPECTED = 'expected a duration such as 90s, 10m, 1.5h, 1h30m, 500ms or a number of seconds';

/**
 * Parses a duration into milliseconds (rounded to a whole millisecond). A number is seconds.
 * Returns undefined when the value is not a duration, is not finite or is not positive.
 *
 * @example parseDurationMs('1.5h') // 5_400_000
 * @example parseDurationMs(90) // 90_000
 */
export function parseDurationMs(value: string | number): number | undefined {
  let ms: number;
  if (typeof value === 'number') {
    ms = value * 1000;
  } else {
    if (!DURATION_PATTERN.test(value)) return undefined;
    const text = value.trim();
    if (/^(?:\d+(?:\.\d+)?|\.\d+)$/.test(text)) {
      ms = Number(text) * 1000;
    } else {
      ms = 0;
      for (const part of text.matchAll(/(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)/g)) {
        ms += Number(part[1]) * DURATION_UNITS_MS[part[2]!]!;
      }
    }
  }
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return Math.max(1, Math.round(ms));
}

const SIZE_UNITS_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** A number with an optional unit: B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024). */
export const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kKmMgGtT][iI]?[bB]|[bB])?\s*$/;

/** What a size looks like, for error messages. */
export const SIZE_EXPECTED = 'expected a size such as 10MB, 512KiB, 1GB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024) or a number of bytes';

/**
 * Parses a size into whole bytes. A number is bytes. Units are case-insensitive;
 * `KB`/`MB`/`GB`/`TB` are powers of 1000, `KiB`/`MiB`/`GiB`/`TiB` powers of 1024.
 * Returns undefined when the value is not a size or is not at least one byte.
 *
 * @example parseSizeBytes('10MB') // 10_000_000
 * @example parseSizeBytes('512KiB') // 524_288
 */
export function parseSizeBytes(value: string | number): number | undefined {
  let bytes: number;
  if (typeof value === 'number') {
    bytes = value;
  } else {
    const match = SIZE_PATTERN.exec(value);
    if (!match) return undefined;
    const unit = (match[2] ?? 'b').toLowerCase();
    bytes = Number(match[1]) * SIZE_UNITS_BYTES[unit]!;
  }
  if (!Number.isFinite(bytes)) return undefined;
  bytes = Math.round(bytes);
  if (bytes < 1 || !Number.isSafeInteger(bytes)) return undefined;
  return bytes;
}
