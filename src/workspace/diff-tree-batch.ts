/**
 * One long-lived `git diff-tree --stdin -r --raw -p --binary --no-renames -z` process per
 * private repo: a trial's diff and changed paths cost a line written to its stdin
 * instead of a git process started. Asked `<to> <from>` (a commit and the commit to
 * compare it with), git prints `<to>` NUL and then exactly what `git diff-tree -r --raw
 * -p --binary --no-renames -z <from> <to>` prints (nothing at all for an empty diff, and
 * nothing either for an object it cannot find: the caller tells those apart), flushed; a line that is not an object id is echoed back, which marks the end of each
 * answer. Only objects already in the repo's own objects folder can be compared (never
 * a quarantine). A process that dies fails what it was asked and is started again on
 * the next request.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { GitError, spawnGit } from './git.ts';

const FULL_OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

interface Pending {
  to: string;
  end: Buffer;
  resolve(output: Buffer): void;
  reject(error: Error): void;
}

/**
 * @example
 * const differ = new DiffTreeBatch(gitDir);
 * const output = await differ.diff(parentCommit, trialCommit); // as `git diff-tree -r --raw -p --binary --no-renames -z`
 * differ.close();
 */
export class DiffTreeBatch {
  private child: ChildProcessWithoutNullStreams | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private stderr = '';
  private sequence = 0;
  /** Marks the end of an answer; random, so no diff can hold it. */
  private readonly nonce = randomBytes(12).toString('hex');

  constructor(private readonly gitDir: string) {}

  /** The raw records and patch between two commits (full ids), as one `git diff-tree` call prints them. */
  diff(from: string, to: string): Promise<Buffer> {
    if (!FULL_OID.test(from) || !FULL_OID.test(to)) return Promise.reject(new Error(`diff-tree --stdin needs full object ids, not ${from} ${to}`));
    const child = this.running();
    const marker = `autolab-end-${this.nonce}-${this.sequence++}`;
    return new Promise((resolve, reject) => {
      this.pending.push({ to, end: Buffer.from(`${marker}\n`), resolve, reject });
      this.setHeld(true);
      child.stdin.write(`${to} ${from}\n${marker}\n`);
    });
  }

  /** Ends the process (pending requests fail). */
  close(): void {
    const child = this.child;
    this.child = null;
    if (child !== null) {
      child.stdin.end();
      child.kill();
    }
    this.failAll(new GitError(['diff-tree'], null, 'the differ was closed'));
  }

  private running(): ChildProcessWithoutNullStreams {
    if (this.child !== null) return this.child;
    const child = spawnGit(['diff-tree', '--stdin', '-r', '--raw', '-p', '--binary', '--no-renames', '-z'], { gitDir: this.gitDir });
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
      this.failAll(new GitError(['diff-tree', '--stdin'], code, error?.message ?? (this.stderr || 'git diff-tree --stdin ended')));
    };
    child.on('error', (error) => ended(null, error));
    child.on('close', (code) => ended(code));
    this.setHeld(false);
    return child;
  }

  /** Answers every request whose end marker has arrived. */
  private drain(): void {
    while (this.pending.length > 0) {
      const next = this.pending[0]!;
      const at = this.markerAt(next.end);
      if (at < 0) return;
      const answer = this.buffered.subarray(0, at);
      this.buffered = this.buffered.subarray(at + next.end.length);
      this.pending.shift();
      const header = Buffer.from(`${next.to}\0`);
      if (answer.length === 0) next.resolve(Buffer.alloc(0));
      else if (answer.subarray(0, header.length).equals(header)) next.resolve(Buffer.from(answer.subarray(header.length)));
      else next.reject(new GitError(['diff-tree', '--stdin'], null, `unexpected answer: ${answer.toString('utf8', 0, 200)}${this.stderr}`));
    }
    this.setHeld(false);
  }

  /** Where the end marker starts: at the start of the buffer or right after a line end or NUL; -1 when not there yet. */
  private markerAt(end: Buffer): number {
    let from = 0;
    for (;;) {
      const at = this.buffered.indexOf(end, from);
      if (at < 0) return -1;
      if (at === 0 || this.buffered[at - 1] === 0x0a || this.buffered[at - 1] === 0) return at;
      from = at + 1;
    }
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.splice(0)) waiting.reject(error);
  }

  /** Keeps Node running only while a request is pending. */
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
