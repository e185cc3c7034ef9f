import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeJsonLines } from './write-jsonl.ts';

async function* records(count: number, size: number): AsyncIterable<{ i: number; pad: string }> {
  for (let i = 0; i < count; i++) yield { i, pad: 'x'.repeat(size) };
}

describe('writeJsonLines', () => {
  let dir: string;
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-jsonl-'));
    warnings.length = 0;
    process.on('warning', onWarning);
  });
  afterEach(async () => {
    process.off('warning', onWarning);
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every record through many drains without piling up listeners on the file', async () => {
    const out = join(dir, 'nested', 'records.jsonl');
    // 200 records of 32 KiB: each write fills the stream's 16 KiB buffer, so each waits for a drain.
    expect(await writeJsonLines(records(200, 32 * 1024), out)).toBe(200);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(200);
    expect(JSON.parse(lines[199]!).i).toBe(199);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning').map((warning) => warning.message)).toEqual([]);
  });

  it('says which file it cannot write and what to check', async () => {
    await expect(writeJsonLines(records(3, 10), join(dir, 'missing-dir-is-made', '..', '..', '..', '..', '..', '..', '..', '..', 'proc', 'nope.jsonl'))).rejects.toThrow(/cannot write .*nope\.jsonl/);
  });
});
