import { closeSync, openSync, writeSync } from 'node:fs';
import { OUT_OF_MEMORY_PHRASES, outOfMemoryPattern } from '../shared/out-of-memory.ts';
import { DEFAULT_OUTPUT_TAIL_BYTES, DEFAULT_STDOUT_TAIL_BYTES, TailBuffer, truncationNote } from '../shared/output-tail.ts';

const OUT_OF_MEMORY_PATTERN = outOfMemoryPattern(OUT_OF_MEMORY_PHRASES);
/** Bytes of the previous chunk kept so that a phrase split across two chunks is still found. */
const PHRASE_CARRY_BYTES = 64;

export interface OutputRecorderOptions {
  /** Combined output goes here (created, truncated). */
  logFile: string;
  /** Bytes of output written to the log file; the rest is counted and dropped. */
  capBytes: number;
  stdoutTailBytes?: number;
  outputTailBytes?: number;
}

/**
 * Records the combined output of one command: writes it to the log file up to a cap
 * (then appends a truncation note), keeps rolling tails of stdout and of combined output,
 * counts every byte, and notices out-of-memory phrases. A failing log file (full disk,
 * missing folder) never throws: the first error is kept in `logError` and output keeps
 * being counted and tailed. The log is written with synchronous calls (at most `capBytes`
 * in all, into the page cache): no trip through libuv's thread pool per chunk and to
 * close, where a loaded driver's other file work (deleting old worktrees) would queue
 * them behind its own.
 *
 * @example
 * const recorder = new OutputRecorder({ logFile: '/tmp/run.log', capBytes: 1 << 20 });
 * child.stdout.on('data', (chunk) => recorder.record('stdout', chunk));
 * await recorder.close();
 */
export class OutputRecorder {
  outputBytes = 0;
  logError: string | null = null;
  outOfMemoryPhraseSeen = false;

  /** The log file's descriptor; null once closed or when it could not be opened or written. */
  private fd: number | null = null;
  private readonly capBytes: number;
  private readonly stdoutTailBuffer: TailBuffer;
  private readonly outputTailBuffer: TailBuffer;
  private writtenBytes = 0;
  private lastWrittenByte = 0x0a;
  private phraseCarry = '';

  constructor(options: OutputRecorderOptions) {
    this.capBytes = Math.max(0, Math.floor(options.capBytes));
    this.stdoutTailBuffer = new TailBuffer(options.stdoutTailBytes ?? DEFAULT_STDOUT_TAIL_BYTES);
    this.outputTailBuffer = new TailBuffer(options.outputTailBytes ?? DEFAULT_OUTPUT_TAIL_BYTES);
    this.logFile = options.logFile;
    try {
      this.fd = openSync(options.logFile, 'w');
    } catch (error) {
      this.failed(error);
    }
  }

  private readonly logFile: string;

  /** Keeps the first error of the log file and stops writing it. */
  private failed(error: unknown): void {
    this.logError ??= `log file ${this.logFile}: ${(error as Error).message}`;
    this.closeFile();
  }

  private closeFile(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch (error) {
      this.logError ??= `log file ${this.logFile}: ${(error as Error).message}`;
    }
    this.fd = null;
  }

  /** True once more output arrived than the cap allows in the log file. */
  get truncated(): boolean {
    return this.outputBytes > this.capBytes;
  }

  /** Records one chunk of output from the command. */
  record(source: 'stdout' | 'stderr', chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.outputBytes += chunk.length;
    if (source === 'stdout') this.stdoutTailBuffer.push(chunk);
    this.outputTailBuffer.push(chunk);
    this.scanForOutOfMemory(chunk);
    const room = this.capBytes - this.writtenBytes;
    if (room <= 0) return;
    this.writeLog(chunk.length <= room ? chunk : chunk.subarray(0, room));
  }

  /** The last bytes of stdout alone, as text. */
  stdoutTail(): string {
    return this.stdoutTailBuffer.text();
  }

  /** The last bytes of combined output, as text. */
  outputTail(): string {
    return this.outputTailBuffer.text();
  }

  /**
   * Appends the truncation note if output was dropped, then closes the log file. Resolves
   * (never rejects) once the file is closed.
   */
  async close(): Promise<void> {
    if (this.truncated) {
      this.writeLog(Buffer.from(truncationNote(this.capBytes, this.outputBytes - this.capBytes, this.lastWrittenByte)));
    }
    this.closeFile();
  }

  private writeLog(bytes: Buffer): void {
    this.writtenBytes += bytes.length;
    this.lastWrittenByte = bytes[bytes.length - 1] ?? this.lastWrittenByte;
    if (this.fd === null) return;
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done);
    } catch (error) {
      this.failed(error);
    }
  }

  private scanForOutOfMemory(chunk: Buffer): void {
    if (this.outOfMemoryPhraseSeen) return;
    // latin1 maps bytes 1:1 to characters, so the ASCII phrases match whatever the encoding.
    const text = this.phraseCarry + chunk.toString('latin1');
    if (OUT_OF_MEMORY_PATTERN.test(text)) {
      this.outOfMemoryPhraseSeen = true;
      return;
    }
    this.phraseCarry = text.slice(-PHRASE_CARRY_BYTES);
  }
}
