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
    let start = 0;
    // Skip UTF-8 continuation bytes (10xxxxxx) left over from a character cut by the window.
    while (start < bytes.length && start < 4 && ((bytes[start] ?? 0) & 0xc0) === 0x80) start += 1;
    return bytes.subarray(start).toString('utf8');
  }

  private compact(): void {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    const kept = all.length > this.capacityBytes ? Buffer.from(all.subarray(all.length - this.capacityBytes)) : all;
    this.chunks = kept.length === 0 ? [] : [kept];
    this.bytes = kept.length;
  }
}
