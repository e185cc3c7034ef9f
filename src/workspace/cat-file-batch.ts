/**
 * One long-lived `git cat-file --batch` process per private repo: reading a file at a
 * commit (what knob specialists and the file tools do before every proposal) costs a
 * line written to its stdin instead of a git process started. Requests are answered in
 * order; a process that dies fails what it was asked and is started again on the next
 * read. Its pipes do not keep Node running while nothing is asked.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { GitError, spawnGit } from './git.ts';

interface Pending {
  resolve(value: { type: string; bytes: Buffer } | null): void;
  reject(error: Error): void;
}

/**
 * @example
 * const reader = new CatFileBatch(gitDir);
 * const blob = await reader.read(`${commit}:train.py`); // { type: 'blob', bytes } or null
 * reader.close();
 */
export class CatFileBatch {
  private child: ChildProcessWithoutNullStreams | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private stderr = '';

  constructor(private readonly gitDir: string) {}

  /** The object named by `spec` (`<commit>:<path>`, an id, ...), or null when git finds none. `spec` may not hold a line break. */
  read(spec: string): Promise<{ type: string; bytes: Buffer } | null> {
    if (/[\n\r\0]/.test(spec)) return Promise.resolve(null);
    const child = this.running();
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.setHeld(true);
      child.stdin.write(`${spec}\n`);
    });
  }

  /** Ends the process (pending reads fail). */
  close(): void {
    const child = this.child;
    this.child = null;
    if (child !== null) {
      child.stdin.end();
      child.kill();
    }
    this.failAll(new GitError(['cat-file'], null, 'the reader was closed'));
  }

  private running(): ChildProcessWithoutNullStreams {
    if (this.child !== null) return this.child;
    const child = spawnGit(['cat-file', '--batch'], { gitDir: this.gitDir });
    this.child = child;
    this.buffered = Buffer.alloc(0);
    this.stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.drain();
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    child.stdin.on('error', () => undefined); // the exit below tells the story
    const ended = (code: number | null, error?: Error) => {
      if (this.child !== child) return;
      this.child = null;
      this.failAll(new GitError(['cat-file', '--batch'], code, error?.message ?? (this.stderr || 'git cat-file --batch ended')));
    };
    child.on('error', (error) => ended(null, error));
    child.on('close', (code) => ended(code));
    this.setHeld(false);
    return child;
  }

  /** Answers every request whose whole reply has arrived. */
  private drain(): void {
    while (this.pending.length > 0) {
      const headerEnd = this.buffered.indexOf(0x0a);
      if (headerEnd < 0) return;
      const header = this.buffered.toString('utf8', 0, headerEnd).split(' ');
      if (header.length !== 3 || !/^\d+$/.test(header[2]!)) {
        // `<spec> missing` / `ambiguous`: a one-line answer.
        this.buffered = this.buffered.subarray(headerEnd + 1);
        this.pending.shift()!.resolve(null);
        continue;
      }
      const size = Number(header[2]);
      if (this.buffered.length < headerEnd + 1 + size + 1) return;
      const bytes = Buffer.from(this.buffered.subarray(headerEnd + 1, headerEnd + 1 + size));
      this.buffered = this.buffered.subarray(headerEnd + 1 + size + 1);
      this.pending.shift()!.resolve({ type: header[1]!, bytes });
    }
    this.setHeld(false);
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.splice(0)) waiting.reject(error);
  }

  /** Keeps Node running only while a read is pending. */
  private setHeld(held: boolean): void {
    const child = this.child;
    if (child === null) return;
    const wanted = held || this.pending.length > 0;
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as Array<{ ref?: () => void; unref?: () => void }>) {
      if (wanted) handle.ref?.();
      else handle.unref?.();
    }
  }
}
