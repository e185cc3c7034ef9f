import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, makeUserRepo } from '../testing/workspace-fixtures.ts';
import { CatFileBatch } from './cat-file-batch.ts';
import { git } from './git.ts';
import { ObjectReader } from './object-reader.ts';
import { readBlobAt } from './read-blob-at.ts';

let temp: { dir: string; cleanup: () => Promise<void> };
let gitDir: string;
let head: string;
let batch: CatFileBatch;
beforeEach(async () => {
  temp = await makeTempDir();
  ({ head } = await makeUserRepo(temp.dir));
  gitDir = join(temp.dir, 'user', '.git');
  batch = new CatFileBatch(gitDir);
});
afterEach(async () => {
  batch.close();
  await temp.cleanup();
});

describe('readBlobAt', () => {
  it('answers <commit>:<path> exactly as git cat-file --batch, loose and packed', async () => {
    const paths = ['README.md', 'recipe/train.py', 'recipe/data/weights.bin', 'recipe/run.sh', 'recipe/main.py', 'recipe', 'recipe/data', 'missing', 'recipe/missing.py', 'recipe/train.py/x', 'recipe/main.py/x', 'recipe/eval/score.py'];
    for (const packed of [false, true]) {
      if (packed) await git(['repack', '-a', '-d', '-q'], { gitDir });
      const reader = new ObjectReader(gitDir, () => batch);
      for (const path of paths) {
        const found = await batch.read(`${head}:${path}`);
        const expected = found?.type === 'blob' ? found.bytes : null;
        expect(await readBlobAt(reader, head, path), `${path} (packed: ${packed})`).toEqual(expected);
      }
    }
  });

  it('leaves to git what it cannot be sure of', async () => {
    const reader = new ObjectReader(gitDir, () => batch);
    for (const [commit, path] of [['HEAD', 'README.md'], [head, './README.md'], [head, 'recipe//train.py'], [head, 'recipe/../README.md'], [head, ''], ['0'.repeat(40), 'README.md']] as const) {
      expect(await readBlobAt(reader, commit, path), `${commit}:${path}`).toBeUndefined();
    }
  });
});
