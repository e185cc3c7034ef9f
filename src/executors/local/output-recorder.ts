import { createWriteStream, type WriteStream } from 'node:fs';
import { OUT_OF_MEMORY_PHRASES, outOfMemoryPattern } from '../shared/out-of-memory.ts';
import { DEFAULT_OUTPUT_TAIL_BYTES, DEFAULT_STDOUT_TAIL_BYTES, TailBuffer, truncationNote } from '../shared/output-tail.ts';

const OUT_OF_MEMORY_PATTERN = outOfMemoryPattern(OUT_OF_MEMORY_PHRASES);
/** Bytes of the previous chunk kept so that a phrase split across two chunks is still found. */
const PHRASE_CARRY_BYTES = 64;
/** Upper bound on waiting for the log file to flush and close when the command is over. */
const LOG_CLOSE_TIMEOUT_MS = 10_000;

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
 * being counted and tailed.
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

  private readonly log: WriteStream;
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
    this.log = createWriteStream(options.logFile, { flags: 'w' });
    this.log.on('error', (error) => {
      this.logError ??= `log file ${options.logFile}: ${error.message}`;
    });
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
   * Appends the truncation note if output was dropped, then flushes and closes the log
   * file. Resolves (never rejects) once the file is closed, or after a bounded wait.
   */
  async close(): Promise<void> {
    if (this.truncated) {
      this.writeLog(Buffer.from(truncationNote(this.capBytes, this.outputBytes - this.capBytes, this.lastWrittenByte)));
    }
    if (this.log.closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.logError ??= `log file did not flush within ${LOG_CLOSE_TIMEOUT_MS} ms`;
        this.log.destroy();
        resolve();
      }, LOG_CLOSE_TIMEOUT_MS);
      this.log.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (!this.log.destroyed) this.log.end();
    });
  }

  private writeLog(bytes: Buffer): void {
    this.writtenBytes += bytes.length;
    this.lastWrittenByte = bytes[bytes.length - 1] ?? this.lastWrittenByte;
    if (this.logError !== null || this.log.destroyed) return;
    this.log.write(bytes);
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
