import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTrial } from '../testing/trial-fixture.ts';
import { diffTrials, reverseUnifiedDiff } from './trial-diff.ts';

const DIFF = [
  'diff --git a/train.py b/train.py',
  'index 1111111..2222222 100644',
  '--- a/train.py',
  '+++ b/train.py',
  '@@ -1,4 +1,4 @@',
  ' import torch',
  '--- a comment that starts with dashes',
  '+++ a comment that starts with pluses',
  ' lr = 0.1',
  '-steps = 100',
  '+steps = 200',
  'diff --git a/new.txt b/new.txt',
  'new file mode 100644',
  'index 0000000..3333333',
  '--- /dev/null',
  '+++ b/new.txt',
  '@@ -0,0 +1 @@',
  '+hello',
  '',
].join('\n');

describe('reverseUnifiedDiff', () => {
  it('undoes a diff, as git apply sees it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autolab-revdiff-'));
    try {
      await writeFile(join(dir, 'train.py'), 'import torch\n-- a comment that starts with dashes\nlr = 0.1\nsteps = 100\n');
      execFileSync('git', ['init', '-q'], { cwd: dir });
      await writeFile(join(dir, 'forward.patch'), DIFF);
      execFileSync('git', ['apply', 'forward.patch'], { cwd: dir });
      expect(await readFile(join(dir, 'train.py'), 'utf8')).toContain('++ a comment that starts with pluses\nlr = 0.1\nsteps = 200\n');
      await writeFile(join(dir, 'reverse.patch'), reverseUnifiedDiff(DIFF));
      execFileSync('git', ['apply', 'reverse.patch'], { cwd: dir });
      expect(await readFile(join(dir, 'train.py'), 'utf8')).toBe('import torch\n-- a comment that starts with dashes\nlr = 0.1\nsteps = 100\n');
      await expect(readFile(join(dir, 'new.txt'))).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('diffTrials without the private repo', () => {
  it('undoes the steps up to the common ancestor, then applies the steps down', async () => {
    const trials = [
      makeTrial({ id: 0, parent: null, diff: null }),
      makeTrial({ id: 1, parent: 0, diff: DIFF }),
      makeTrial({ id: 2, parent: 1, diff: 'diff --git a/x b/x\n' }),
      makeTrial({ id: 3, parent: 0, diff: 'diff --git a/y b/y\n' }),
    ];
    const byId = new Map(trials.map((t) => [t.id, t]));
    const result = await diffTrials(byId.get(2)!, byId.get(3)!, byId, null);
    expect(result.source).toBe('stored');
    if (result.source !== 'stored') return;
    expect(result.steps.map((s) => [s.trial, s.reversed])).toEqual([
      [2, true],
      [1, true],
      [3, false],
    ]);
    expect(result.steps[1]!.diff).toBe(reverseUnifiedDiff(DIFF));
    expect(result.note).toContain('#0');
  });
});
