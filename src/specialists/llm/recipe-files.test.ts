import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EditPolicy } from '../shared/edit-policy.ts';
import { editFile, grepFiles, listFiles, readLines, ToolFailure, writeNewFile } from './recipe-files.ts';

describe('recipe files as an agent sees them', () => {
  let root: string;
  let outside: string;
  const policy = new EditPolicy({ name: 'model', paths: ['src/', 'config.json'], knobs: [] }, ['score.py']);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'autolab-files-'));
    outside = await mkdtemp(join(tmpdir(), 'autolab-outside-'));
    await mkdir(join(root, 'src'));
    await writeFile(join(root, 'src', 'model.py'), 'lr = 0.1\nwidth = 64\nlr = 0.1\n');
    await writeFile(join(root, 'config.json'), '{ "x": 0 }\n');
    await writeFile(join(root, 'score.py'), 'print(1)\n');
    await writeFile(join(root, 'long.txt'), Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`).join('\n'));
    await writeFile(join(outside, 'secret'), 'host file\n');
    await symlink(outside, join(root, 'src', 'escape'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  const failure = async (work: Promise<unknown>): Promise<string> => {
    const error = await work.then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolFailure);
    return (error as Error).message;
  };

  it('lists files with sizes and marks the editable ones', async () => {
    const listing = await listFiles(root, policy);
    expect(listing).toContain('src/model.py  (29 bytes, editable)');
    expect(listing).toContain('score.py  (9 bytes)');
    expect(await failure(listFiles(root, policy, 'nope'))).toContain('does not exist');
  });

  it('reads line ranges, numbered, and says how to read on', async () => {
    expect(await readLines(root, 'long.txt', 10, 12)).toBe('long.txt: lines 10-12 of 1000\n10: line 10\n11: line 11\n12: line 12\n… 988 more lines; read from start_line 13');
    expect(await readLines(root, 'long.txt')).toContain('… 600 more lines; read from start_line 401');
    expect(await failure(readLines(root, 'src/escape/secret'))).toContain('leads outside the recipe');
    expect(await failure(readLines(root, '../etc/passwd'))).toContain('leaves the recipe folder');
  });

  it('greps literally or by regular expression', async () => {
    expect(await grepFiles(root, 'lr =')).toBe('src/model.py:1: lr = 0.1\nsrc/model.py:3: lr = 0.1');
    expect(await grepFiles(root, '^width', { regex: true })).toBe('src/model.py:2: width = 64');
    expect(await grepFiles(root, 'zzz')).toBe('no match for "zzz"');
    expect(await failure(grepFiles(root, '(', { regex: true }))).toContain('invalid regular expression');
  });

  it('edits by exact search/replace, with a clear error when the text is missing, ambiguous or off limits', async () => {
    expect(await failure(editFile(root, policy, 'src/model.py', 'lr = 0.1', 'lr = 0.2'))).toBe(
      'old_text occurs 2 times in src/model.py (lines 1, 3); include more surrounding lines so it matches once, or set replace_all',
    );
    expect(await failure(editFile(root, policy, 'src/model.py', 'width = 65', 'width = 128'))).toContain('old_text was not found in src/model.py');
    expect(await failure(editFile(root, policy, 'score.py', 'print(1)', 'print(0)'))).toBe('refused: score.py is protected (evaluator-owned: score.py); no trial may change it');
    expect(await failure(editFile(root, policy, 'long.txt', 'line 1', 'x'))).toContain("refused: long.txt is outside your surface 'model' (you may edit: src/, config.json)");
    expect(await editFile(root, policy, 'src/model.py', 'width = 64', 'width = 128')).toBe('edited src/model.py: replaced 1 occurrence at line 2');
    expect(await editFile(root, policy, 'src/model.py', 'lr = 0.1', 'lr = 0.3', true)).toBe('edited src/model.py: replaced 2 occurrences at line 1');
    expect(await readFile(join(root, 'src', 'model.py'), 'utf8')).toBe('lr = 0.3\nwidth = 128\nlr = 0.3\n');
  });

  it('writes new files inside the surface only, never through a symlink', async () => {
    expect(await writeNewFile(root, policy, 'src/layers/attn.py', 'x = 1\n')).toBe('created src/layers/attn.py (6 bytes)');
    expect(await failure(writeNewFile(root, policy, 'src/layers/attn.py', 'y'))).toContain('already exists');
    expect(await writeNewFile(root, policy, 'config.json', '{ "x": 1 }\n', true)).toBe('replaced config.json (11 bytes)');
    expect(await failure(writeNewFile(root, policy, 'src/escape/planted', 'x'))).toContain('leads outside the recipe');
    expect(await failure(writeNewFile(root, policy, '.git/config', 'x'))).toContain("inside git's own files");
  });
});
