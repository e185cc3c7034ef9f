import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { CurvePoint } from '../core/trial.ts';

/**
 * Follows the JSON-lines file a run writes its intermediate metrics to
 * (`$AUTOLAB_METRICS_FILE`, e.g. `{"step": 100, "val_loss": 2.31}`), and hands every new
 * point to `onPoints`. Malformed lines are skipped; every numeric key but `step` is a
 * metric.
 */
export class CurveWatcher {
  readonly points: CurvePoint[] = [];
  private offset = 0;
  private partial = '';
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly repeat: number,
    private readonly onPoints: (added: CurvePoint[]) => void,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.reading = this.reading.then(async () => {
        await this.poll();
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops following (or, never started, reads the file once) and reads what is left, 4 MB at a time. */
  async stop(): Promise<CurvePoint[]> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reading;
    while (await this.poll());
    return this.points;
  }

  /** Reads what was added since the last poll (at most 4 MB); true when there may be more. */
  private async poll(): Promise<boolean> {
    let handle: FileHandle | null = null;
    try {
      // One stat while nothing was added (ten times a second during a run), no open:
      // synchronous, microseconds, no trip through the thread pool.
      const seen = statSync(this.file, { throwIfNoEntry: false })?.size ?? 0;
      if (seen <= this.offset) return false;
      let buffer: Buffer;
      if (seen - this.offset <= SMALL_READ_BYTES) {
        buffer = this.readSmall();
        if (buffer.length === 0) return false;
      } else {
        handle = await open(this.file, 'r');
        const { size } = await handle.stat();
        if (size <= this.offset) return false;
        buffer = Buffer.alloc(Math.min(size - this.offset, 4 << 20));
        await handle.read(buffer, 0, buffer.length, this.offset);
      }
      const length = buffer.length;
      this.offset += length;
      const text = this.partial + buffer.toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      const added: CurvePoint[] = [];
      for (const line of lines) added.push(...parseCurveLine(line, this.repeat));
      if (added.length > 0) {
        this.points.push(...added);
        this.onPoints(added);
      }
      return length === 4 << 20;
    } catch {
      // No file yet, or it vanished: nothing to read.
      return false;
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  /** What was added since the last poll (at most 4 MB), read with synchronous calls; empty when nothing was. */
  private readSmall(): Buffer {
    // Non-blocking: a run that swapped its file for a FIFO cannot hold up the driver (only a regular file is read).
    const fd = openSync(this.file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stats = fstatSync(fd);
      if (!stats.isFile()) return Buffer.alloc(0);
      const length = Math.max(0, Math.min(stats.size - this.offset, 4 << 20));
      const buffer = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const got = readSync(fd, buffer, done, length - done, this.offset + done);
        if (got === 0) break;
        done += got;
      }
      return buffer.subarray(0, done);
    } finally {
      closeSync(fd);
    }
  }
}

/** What is added to the file since the last poll is read synchronously up to this size (else asynchronously, 4 MB at a time). */
const SMALL_READ_BYTES = 256 * 1024;

/** Points of one JSON line, or none when it is not a line of metrics with a step. */
export function parseCurveLine(line: string, repeat: number): CurvePoint[] {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return [];
  }
  if (parsed === null || typeof parsed !== 'object') return [];
  const record = parsed as Record<string, unknown>;
  const step = record.step;
  if (typeof step !== 'number' || !Number.isFinite(step)) return [];
  const points: CurvePoint[] = [];
  for (const [name, value] of Object.entries(record)) {
    if (name === 'step' || typeof value !== 'number' || !Number.isFinite(value)) continue;
    points.push({ repeat, step, name, value });
  }
  return points;
}
