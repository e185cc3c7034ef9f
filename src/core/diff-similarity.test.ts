import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.ts';
import { diffSimilarity, nearestDuplicate, NearestDuplicateSearch } from './diff-similarity.ts';

const edit = (body: string, file = 'train.py') => `diff --git a/${file} b/${file}\nindex 1..2 100644\n--- a/${file}\n+++ b/${file}\n@@ -1,3 +1,3 @@\n import torch\n${body}\n`;

const warmup = edit('-    lr = 0.01\n+    lr = 0.01\n+    warmup = lr_schedule(steps=100, kind="cosine")');

describe('diffSimilarity', () => {
  it('is 1 for the same change up to whitespace, 0 for unrelated changes', () => {
    expect(diffSimilarity(warmup, warmup.replace(/ {4}/g, '\t').replace('steps=100', 'steps = 100'))).toBe(1);
    expect(diffSimilarity(warmup, edit('-x = 1\n+y = 2', 'data.py'))).toBe(0);
  });

  it('sees the file: the same lines in another file are a different edit', () => {
    expect(diffSimilarity(warmup, warmup.replace(/train\.py/g, 'eval.py'))).toBe(0);
  });

  it('ranks a changed constant below a reformatting', () => {
    const other = warmup.replace('steps=100', 'steps=200');
    const similarity = diffSimilarity(warmup, other);
    expect(similarity).toBeGreaterThan(0.9);
    expect(similarity).toBeLessThan(1);
  });
});

describe('nearestDuplicate', () => {
  it('points to the most similar earlier edit at or above the threshold', () => {
    const earlier = [
      { id: 3, diff: edit('-x = 1\n+y = 2', 'data.py') },
      { id: 5, diff: warmup.replace('cosine', 'linear') },
      { id: 7, diff: warmup.replace(/ {4}/g, '  ') },
    ];
    expect(nearestDuplicate(warmup, earlier, 0.95)).toEqual({ id: 7, similarity: 1 });
    expect(nearestDuplicate(warmup, earlier.slice(0, 2), 0.99)).toBeNull();
    expect(nearestDuplicate(warmup, earlier.slice(0, 2), 0.9)?.id).toBe(5);
  });

  it('gives the same answer a page at a time as over every earlier edit at once (NearestDuplicateSearch)', () => {
    const random = seededRandom(11);
    const lines = ['-    lr = 0.01', '+    lr = 0.02', '+    warmup = 100', '-    x = 1', '+    y = 2', '+    dropout = 0.1'];
    const pick = () => lines.filter(() => random() < 0.5).join('\n') || lines[0]!;
    for (let round = 0; round < 50; round++) {
      const earlier = Array.from({ length: 1 + Math.floor(random() * 40) }, (_, id) => ({ id, diff: edit(pick(), random() < 0.8 ? 'train.py' : 'data.py') }));
      const diff = edit(pick());
      const threshold = [0.5, 0.8, 0.95, 1][round % 4]!;
      const search = new NearestDuplicateSearch(diff, threshold);
      for (let at = 0; at < earlier.length; ) {
        const size = 1 + Math.floor(random() * 7);
        search.consider(earlier.slice(at, at + size));
        at += size;
      }
      expect(search.best).toEqual(nearestDuplicate(diff, earlier, threshold));
    }
  });
});
