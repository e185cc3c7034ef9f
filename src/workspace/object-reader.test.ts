import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { makeTempDir } from '../testing/workspace-fixtures.ts';
import { CatFileBatch } from './cat-file-batch.ts';
import { git } from './git.ts';
import { writeLooseObject } from './loose-objects.ts';
import { ObjectReader } from './object-reader.ts';

let temp: { dir: string; cleanup: () => Promise<void> };
let gitDir: string;
beforeEach(async () => {
  temp = await makeTempDir();
  gitDir = join(temp.dir, 'repo.git');
  await git(['init', '-q', '--bare', gitDir]);
});
afterEach(async () => {
  await temp.cleanup();
});

describe('ObjectReader', () => {
  it('gives the bytes git gives, from disk and from its cache, and caches only bytes it owns (not the 16 KiB inflate chunk a small body is a view of)', async () => {
    const random = seededRandom(19);
    const objects = join(gitDir, 'objects');
    const blobs: Array<{ id: string; bytes: Buffer }> = [];
    for (let i = 0; i < 30; i++) {
      const length = Math.floor(random() * (i % 3 === 0 ? 40_000 : 600));
      const bytes = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
      blobs.push({ id: await writeLooseObject(objects, 'sha1', 'blob', bytes), bytes });
    }
    const batch = new CatFileBatch(gitDir);
    try {
      const reader = new ObjectReader(gitDir, () => batch);
      for (const pass of ['disk', 'cache']) {
        for (const { id, bytes } of blobs) {
          const object = await reader.read(id);
          expect(object?.type, `${pass} ${id}`).toBe('blob');
          expect(object!.bytes.equals(bytes), `${pass} ${id}`).toBe(true);
          if (pass === 'cache') expect(object!.bytes.buffer.byteLength, `${pass} ${id}`).toBe(bytes.length);
        }
      }
      // Packed objects (read through `git cat-file --batch`) are cached the same way.
      await git(['repack', '-adq'], { gitDir: gitDir });
      await git(['prune-packed'], { gitDir: gitDir });
      const packed = new ObjectReader(gitDir, () => batch);
      for (const { id, bytes } of blobs.slice(0, 6)) {
        expect((await packed.read(id))!.bytes.equals(bytes)).toBe(true);
        const cached = (await packed.read(id))!;
        expect(cached.bytes.equals(bytes)).toBe(true);
        expect(cached.bytes.buffer.byteLength).toBe(bytes.length);
      }
      expect(await reader.read('0'.repeat(40))).toBeNull();
    } finally {
      batch.close();
    }
  });
});
