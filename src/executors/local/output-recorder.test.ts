import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputRecorder } from './output-recorder.ts';

describe('OutputRecorder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'autolab-recorder-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes combined output in arrival order and keeps separate tails', async () => {
    const logFile = join(dir, 'log');
    const recorder = new OutputRecorder({ logFile, capBytes: 1000, stdoutTailBytes: 6, outputTailBytes: 8 });
    recorder.record('stdout', Buffer.from('out-1\n'));
    recorder.record('stderr', Buffer.from('err-1\n'));
    recorder.record('stdout', Buffer.from('out-2\n'));
    await recorder.close();
    expect(readFileSync(logFile, 'utf8')).toBe('out-1\nerr-1\nout-2\n');
    expect(recorder.stdoutTail()).toBe('out-2\n');
    expect(recorder.outputTail()).toBe('1\nout-2\n');
    expect(recorder.outputBytes).toBe(18);
    expect(recorder.truncated).toBe(false);
    expect(recorder.logError).toBeNull();
  });

  it('cuts the log at the cap exactly and appends the truncation note on its own line', async () => {
    const logFile = join(dir, 'log');
    const recorder = new OutputRecorder({ logFile, capBytes: 10 });
    recorder.record('stdout', Buffer.from('12345678'));
    recorder.record('stdout', Buffer.from('abcdef'));
    recorder.record('stderr', Buffer.from('dropped'));
    await recorder.close();
    expect(readFileSync(logFile, 'utf8')).toBe(
      '12345678ab\n[autolab: output truncated after 10 bytes; 11 bytes dropped]\n',
    );
    expect(recorder.truncated).toBe(true);
    expect(recorder.outputBytes).toBe(21);
    expect(recorder.stdoutTail()).toBe('12345678abcdef');
  });

  it('finds out-of-memory phrases, even split across chunks, and not in clean output', async () => {
    const clean = new OutputRecorder({ logFile: join(dir, 'a'), capBytes: 100 });
    clean.record('stdout', Buffer.from('memory use is fine\n'));
    await clean.close();
    expect(clean.outOfMemoryPhraseSeen).toBe(false);

    const split = new OutputRecorder({ logFile: join(dir, 'b'), capBytes: 0 });
    split.record('stdout', Buffer.from('x'.repeat(10_000) + 'RuntimeError: CUDA out of me'));
    split.record('stderr', Buffer.from('mory. Tried to allocate 2.00 GiB'));
    await split.close();
    expect(split.outOfMemoryPhraseSeen).toBe(true);

    const lateInLongOutput = new OutputRecorder({ logFile: join(dir, 'c'), capBytes: 0 });
    for (let i = 0; i < 100; i += 1) lateInLongOutput.record('stdout', Buffer.alloc(4096, 0x61));
    lateInLongOutput.record('stderr', Buffer.from('terminate called after throwing an instance of std::bad_alloc'));
    await lateInLongOutput.close();
    expect(lateInLongOutput.outOfMemoryPhraseSeen).toBe(true);
  });

  it('records a log file that cannot be written instead of throwing', async () => {
    const recorder = new OutputRecorder({ logFile: join(dir, 'missing', 'log'), capBytes: 100 });
    recorder.record('stdout', Buffer.from('still counted\n'));
    await recorder.close();
    expect(recorder.logError).toMatch(/ENOENT/);
    expect(recorder.outputBytes).toBe(14);
    expect(recorder.stdoutTail()).toBe('still counted\n');
  });
});
