/** Option schemas shared by the task file and the adapters that own their options (executors, specialists): durations and sizes as users write them. */
import { z } from 'zod';
import { DURATION_EXPECTED, DURATION_PATTERN, SIZE_EXPECTED, SIZE_PATTERN, parseDurationMs, parseSizeBytes } from '../core/units.ts';

/** A duration in the file; parsed to milliseconds. `requiredHint` replaces the message when the key is missing. */
export function durationSchema(requiredHint?: string) {
  return z
    .union([z.number(), z.string().regex(DURATION_PATTERN, { error: DURATION_EXPECTED })], {
      error: (issue) => (issue.input === undefined && requiredHint !== undefined ? requiredHint : DURATION_EXPECTED),
    })
    .transform((value, context) => {
      const ms = parseDurationMs(value);
      if (ms === undefined) {
        context.issues.push({ code: 'custom', message: `${DURATION_EXPECTED}; it must be more than zero`, input: value });
        return z.NEVER;
      }
      return ms;
    })
    .describe('A duration: 90s, 10m, 1.5h, 1h30m, 500ms, or a number of seconds.');
}

/** A size in the file; parsed to bytes. */
export const sizeSchema = z
  .union([z.number(), z.string().regex(SIZE_PATTERN, { error: SIZE_EXPECTED })], { error: SIZE_EXPECTED })
  .transform((value, context) => {
    const bytes = parseSizeBytes(value);
    if (bytes === undefined) {
      context.issues.push({ code: 'custom', message: `${SIZE_EXPECTED}; it must be at least one byte`, input: value });
      return z.NEVER;
    }
    return bytes;
  })
  .describe('A size: 10MB, 512KiB, 1GB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024), or a number of bytes.');
