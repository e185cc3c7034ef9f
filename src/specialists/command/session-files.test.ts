import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillPlaceholders, readHypothesisFile, shellQuote } from './session-files.ts';

describe('command specialist session files', () => {
  it('fills placeholders with shell-safe words and leaves unknown ones alone', () => {
    expect(fillPlaceholders('agent --lineage {lineage_file} --x {unknown}', { lineage_file: '/tmp/a-b/lineage.md' })).toBe('agent --lineage /tmp/a-b/lineage.md --x {unknown}');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
  });

  it('reads the hypothesis as plain text (first line, the rest notes) or JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autolab-hyp-'));
    try {
      const file = join(dir, 'h');
      expect(await readHypothesisFile(file)).toBeNull();
      await writeFile(file, 'raise the lr\nbecause the loss plateaus\n');
      expect(await readHypothesisFile(file)).toEqual({ hypothesis: 'raise the lr', notes: 'because the loss plateaus' });
      await writeFile(file, JSON.stringify({ hypothesis: 'wider MLP', expected_delta: -0.02 }));
      expect(await readHypothesisFile(file)).toEqual({ hypothesis: 'wider MLP', expectedDelta: -0.02 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
