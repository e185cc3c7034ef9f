/** Writing records as JSON lines to a file or stdout, respecting backpressure. */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { AutolabError } from '../core/errors.ts';

/**
 * Writes each record of `records` as one JSON line to `out` (a file path, its folder
 * created when absent; or `-` / undefined for stdout). Returns how many were written.
 */
export async function writeJsonLines(records: AsyncIterable<unknown>, out: string | undefined): Promise<number> {
  const toStdout = out === undefined || out === '-';
  let stream: Writable = process.stdout;
  let failure: Error | null = null;
  if (!toStdout) {
    await mkdir(dirname(resolve(out)), { recursive: true });
    stream = createWriteStream(out, { encoding: 'utf8' });
    stream.on('error', (error) => (failure = error));
    // `once` also settles on 'error' and then removes both of its listeners: racing it
    // against a second `once(stream, 'error')` left that one behind, one per drain.
    await once(stream, 'open').catch(() => undefined);
  }
  const check = () => {
    if (failure) throw new AutolabError('ExportError', `cannot write ${out}: ${failure.message}`, { cause: failure, hint: 'check that the folder is writable' });
  };
  let count = 0;
  try {
    for await (const record of records) {
      check();
      if (!stream.write(JSON.stringify(record) + '\n')) await once(stream, 'drain').catch(() => undefined);
      count++;
    }
  } finally {
    if (!toStdout) {
      stream.end();
      // `finished` also settles for a stream that already failed (an unwritable path):
      // waiting for 'finish' there waited forever.
      await finished(stream).catch(() => undefined);
    }
  }
  check();
  return count;
}
