import { appendFile, open, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { coerceError } from '../../core/errors.ts';
import { OUT_OF_MEMORY_PHRASES, outOfMemoryPattern } from '../shared/out-of-memory.ts';
import { truncationNote, utf8Tail } from '../shared/output-tail.ts';

/**
 * Phrases that mean a command ran out of memory: what runtimes print when an allocation
 * fails, and what Slurm writes into the job's output when it kills a job over its
 * `--mem` (the accounting gatherer's OverMemoryKill, or the cgroup's OOM killer).
 * Matched case-insensitively in the tail of a failed job's output and Slurm's messages.
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
/** How much of Slurm's own messages is added to the log. */
const SLURM_MESSAGES_BYTES = 4096;

export interface JobOutput {
  /** Bytes the command wrote (before any truncation). */
  outputBytes: number;
  outputTruncated: boolean;
  /** The end of the combined output (the job writes stdout and stderr into one stream). */
  stdoutTail: string;
  /** The end of the combined output, Slurm's messages about the job after it. */
  outputTail: string;
  oomPhraseSeen: boolean;
  /** The first problem reading or truncating the file. */
  logError: string | null;
}

export interface CollectOutputOptions {
  /** The phase's log file. */
  file: string;
  /** Bytes kept in the file; beyond them it is cut and a note appended, as the local executor does. */
  capBytes: number;
  stdoutTailBytes: number;
  outputTailBytes: number;
  /**
   * Bytes the batch script dropped past the cap while the job ran (its status file's
   * `output` line); null or absent when it did not cut the output (then it is cut now).
   */
  droppedBytes?: number | null;
  /** The end of what was dropped, as the batch script kept it. */
  tailFile?: string;
  /** Slurm's own messages about the job (its `--output`): a memory kill, a cancel, the time limit. */
  slurmMessagesFile?: string;
  /** The output's size as an earlier collection of this job recorded it (status file `collected`); the files are then left as they are. */
  collectedBytes?: number | null;
}

async function readTail(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer;
  } finally {
    await handle.close();
  }
}

/** Slurm's messages as lines for the log (`[slurm] …`), or '' when there are none. */
async function slurmMessages(file: string | undefined): Promise<string> {
  if (file === undefined) return '';
  const text = await readTail(file, SLURM_MESSAGES_BYTES).then((buffer) => utf8Tail(buffer, buffer.length), () => '');
  const lines = text.split('\n').map((line) => line.trimEnd()).filter((line) => line !== '');
  return lines.length === 0 ? '' : lines.map((line) => `[slurm] ${line}\n`).join('');
}

/**
 * Reads what a finished job wrote: its size, the tails, whether it mentions running out
 * of memory; keeps the log at the output cap (the batch script cut it while the job ran
 * and counted the rest; where it could not, the file is cut now) with the same note as
 * the local executor, and adds Slurm's own messages about the job at its end. A missing
 * file (a job cancelled before it started) becomes an empty log. Collecting a job that
 * was collected before (`collectedBytes`: a driver that adopted it) changes no file.
 * Never throws.
 */
export async function collectJobOutput(options: CollectOutputOptions): Promise<JobOutput> {
  const result: JobOutput = { outputBytes: 0, outputTruncated: false, stdoutTail: '', outputTail: '', oomPhraseSeen: false, logError: null };
  const collected = options.collectedBytes ?? null;
  const messages = collected === null ? await slurmMessages(options.slurmMessagesFile) : '';
  let size: number;
  try {
    size = (await stat(options.file)).size;
  } catch {
    await writeFile(options.file, messages).catch((error: unknown) => {
      result.logError = `log file ${options.file}: ${coerceError(error).message}`;
    });
    return { ...result, outputTail: messages, oomPhraseSeen: OUT_OF_MEMORY_PATTERN.test(messages) };
  }
  try {
    const capBytes = Math.max(0, Math.floor(options.capBytes));
    const dropped = options.droppedBytes ?? 0;
    const window = Math.max(PHRASE_WINDOW_BYTES, options.stdoutTailBytes, options.outputTailBytes);
    const kept = await readTail(options.file, window);
    const rest = dropped > 0 && options.tailFile !== undefined ? await readFile(options.tailFile).catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
    const tail = collected === null && dropped > 0 ? Buffer.concat([kept, rest]) : kept;
    result.outputBytes = collected ?? size + dropped;
    // A job killed while its output was being cut (a timeout, an abort) never wrote its
    // count of dropped bytes: a log that reached the cap was cut all the same.
    const cutUncounted = collected === null && options.droppedBytes == null && capBytes > 0 && size >= capBytes;
    result.outputTruncated = result.outputBytes > capBytes || cutUncounted;
    result.oomPhraseSeen = OUT_OF_MEMORY_PATTERN.test(tail.toString('latin1')) || OUT_OF_MEMORY_PATTERN.test(messages);
    result.stdoutTail = utf8Tail(tail, options.stdoutTailBytes);
    result.outputTail = utf8Tail(Buffer.concat([tail, Buffer.from(messages)]), options.outputTailBytes);
    if (collected === null) await cutAndNote(options.file, size, capBytes, result.outputBytes - capBytes, messages);
  } catch (error) {
    result.logError = `log file ${options.file}: ${coerceError(error).message}`;
  }
  return result;
}

/** Cuts the file at the cap (when the job could not), notes what was dropped, and adds Slurm's messages. */
async function cutAndNote(file: string, size: number, capBytes: number, droppedBytes: number, messages: string): Promise<void> {
  if (size > capBytes) await truncate(file, capBytes);
  const kept = Math.min(size, capBytes);
  const last = kept > 0 ? ((await readTail(file, 1))[0] ?? 0x0a) : 0x0a;
  const note = droppedBytes > 0 ? truncationNote(capBytes, droppedBytes, last) : '';
  const separator = messages !== '' && note === '' && kept > 0 && last !== 0x0a ? '\n' : '';
  if (note !== '' || messages !== '') await appendFile(file, `${note}${separator}${messages}`);
}
