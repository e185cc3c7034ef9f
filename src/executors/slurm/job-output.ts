import { appendFile, open, stat, truncate, writeFile } from 'node:fs/promises';
import { coerceError } from '../../core/errors.ts';
import { OUT_OF_MEMORY_PHRASES, outOfMemoryPattern } from '../shared/out-of-memory.ts';
import { truncationNote, utf8Tail } from '../shared/output-tail.ts';

/**
 * Phrases that mean a command ran out of memory: what runtimes print when an allocation
 * fails, and what Slurm writes into the job's output when it kills a job over its
 * `--mem` (the accounting gatherer's OverMemoryKill, or the cgroup's OOM killer).
 * Matched case-insensitively in the tail of a failed job's output.
 */
export const SLURM_OUT_OF_MEMORY_PHRASES: readonly string[] = [
  ...OUT_OF_MEMORY_PHRASES,
  'Exceeded job memory limit',
  'exceeded memory limit',
  'oom-kill event',
  'oom_kill event',
];

const OUT_OF_MEMORY_PATTERN = outOfMemoryPattern(SLURM_OUT_OF_MEMORY_PHRASES);

/** How much of the end of the output is searched for the phrases. */
const PHRASE_WINDOW_BYTES = 64 * 1024;

export interface JobOutput {
  /** Bytes the job wrote (before any truncation). */
  outputBytes: number;
  outputTruncated: boolean;
  /** The end of the combined output (Slurm writes stdout and stderr into one file). */
  stdoutTail: string;
  outputTail: string;
  oomPhraseSeen: boolean;
  /** The first problem reading or truncating the file. */
  logError: string | null;
}

export interface CollectOutputOptions {
  /** The job's output file, which is also the phase's log file. */
  file: string;
  /** Bytes kept in the file; beyond them it is truncated and a note appended, as the local executor does. */
  capBytes: number;
  stdoutTailBytes: number;
  outputTailBytes: number;
}

/**
 * Reads what a finished job wrote: its size, the tails, whether it mentions running out
 * of memory, then truncates the file to the output cap (the job could not be stopped from
 * writing more while it ran: Slurm writes the file on the node). A missing file (a job
 * cancelled before it started) becomes an empty log. Never throws.
 */
export async function collectJobOutput(options: CollectOutputOptions): Promise<JobOutput> {
  const result: JobOutput = { outputBytes: 0, outputTruncated: false, stdoutTail: '', outputTail: '', oomPhraseSeen: false, logError: null };
  let size: number;
  try {
    size = (await stat(options.file)).size;
  } catch {
    await writeFile(options.file, '').catch((error: unknown) => {
      result.logError = `log file ${options.file}: ${coerceError(error).message}`;
    });
    return result;
  }
  result.outputBytes = size;
  try {
    const windowBytes = Math.min(size, Math.max(PHRASE_WINDOW_BYTES, options.stdoutTailBytes, options.outputTailBytes));
    const tail = Buffer.alloc(windowBytes);
    const handle = await open(options.file, 'r');
    try {
      await handle.read(tail, 0, windowBytes, size - windowBytes);
    } finally {
      await handle.close();
    }
    result.oomPhraseSeen = OUT_OF_MEMORY_PATTERN.test(tail.toString('latin1'));
    result.stdoutTail = utf8Tail(tail, options.stdoutTailBytes);
    result.outputTail = utf8Tail(tail, options.outputTailBytes);
    if (size > options.capBytes) {
      result.outputTruncated = true;
      const capBytes = Math.max(0, Math.floor(options.capBytes));
      await truncate(options.file, capBytes);
      const last = capBytes > 0 ? await lastByte(options.file, capBytes) : 0x0a;
      await appendFile(options.file, truncationNote(capBytes, size - capBytes, last));
    }
  } catch (error) {
    result.logError = `log file ${options.file}: ${coerceError(error).message}`;
  }
  return result;
}

async function lastByte(file: string, size: number): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, size - 1);
    return byte[0] ?? 0x0a;
  } finally {
    await handle.close();
  }
}
