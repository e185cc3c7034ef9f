/** Writing records as JSON lines to a file or stdout, respecting backpressure. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes each record of `records` as one JSON line to `out` (a file path, or `-` /
 * undefined for stdout). Returns how many records were written.
 */
export async function writeJsonLines(records: AsyncIterable<unknown>, out: string | undefined): Promise<number> {
  const toStdout = out === undefined || out === '-';
  const stream: Writable = toStdout ? process.stdout : createWriteStream(out, { encoding: 'utf8' });
  let count = 0;
  try {
    for await (const record of records) {
      if (!stream.write(JSON.stringify(record) + '\n')) await once(stream, 'drain');
      count++;
    }
  } finally {
    if (!toStdout) {
      stream.end();
      await once(stream, 'finish');
    }
  }
  return count;
}
