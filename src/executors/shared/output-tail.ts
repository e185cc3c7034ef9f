/**
 * The end of a command's output, as every executor reports it (`stdoutTail`,
 * `outputTail`), and the note that closes a log cut at the output cap.
 */

/** Default size of `CommandResult.stdoutTail` (where a score command prints its metrics line). */
export const DEFAULT_STDOUT_TAIL_BYTES = 8192;
/** Default size of `CommandResult.outputTail` (log excerpts). */
export const DEFAULT_OUTPUT_TAIL_BYTES = 4096;

/**
 * The last `bytes` bytes of `buffer` as UTF-8, never starting in the middle of a
 * character (continuation bytes cut by the window are skipped).
 *
 * @example utf8Tail(Buffer.from('aé€'), 4) // '€'
 */
export function utf8Tail(buffer: Buffer, bytes: number): string {
  const slice = buffer.subarray(Math.max(0, buffer.length - Math.max(0, bytes)));
  let start = 0;
  // Skip UTF-8 continuation bytes (10xxxxxx) left over from a character cut by the window.
  while (start < slice.length && start < 4 && ((slice[start] ?? 0) & 0xc0) === 0x80) start += 1;
  return slice.subarray(start).toString('utf8');
}

/**
 * The line appended to a log file cut at `capBytes`: on a line of its own (a newline
 * first when the kept output does not end with one, `lastKeptByte`).
 *
 * @example truncationNote(10, 11, 0x62) // '\n[autolab: output truncated after 10 bytes; 11 bytes dropped]\n'
 */
export function truncationNote(capBytes: number, droppedBytes: number, lastKeptByte: number): string {
  const separator = lastKeptByte === 0x0a ? '' : '\n';
  return `${separator}[autolab: output truncated after ${capBytes} bytes; ${droppedBytes} bytes dropped]\n`;
}

/**
 * A rolling tail of a byte stream: keeps (about) the last `capacityBytes` bytes written,
 * in constant memory, whatever the stream's length.
 *
 * @example
 * const tail = new TailBuffer(8192);
 * tail.push(chunk);
 * tail.text(); // the last 8 KiB as UTF-8, never starting in the middle of a character
 */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(readonly capacityBytes: number) {}

  /** Appends a chunk; older bytes beyond twice the capacity are forgotten. */
  push(chunk: Buffer): void {
    if (this.capacityBytes <= 0 || chunk.length === 0) return;
    if (chunk.length >= this.capacityBytes) {
      this.chunks = [Buffer.from(chunk.subarray(chunk.length - this.capacityBytes))];
      this.bytes = this.capacityBytes;
      return;
    }
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes > 2 * this.capacityBytes) this.compact();
  }

  /** The last `capacityBytes` bytes. */
  buffer(): Buffer {
    this.compact();
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** The tail decoded as UTF-8, skipping a partial character cut at its start. */
  text(): string {
    const bytes = this.buffer();
    return utf8Tail(bytes, bytes.length);
  }

  private compact(): void {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    const kept = all.length > this.capacityBytes ? Buffer.from(all.subarray(all.length - this.capacityBytes)) : all;
    this.chunks = kept.length === 0 ? [] : [kept];
    this.bytes = kept.length;
  }
}
