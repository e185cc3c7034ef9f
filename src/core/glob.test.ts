import { describe, expect, it } from 'vitest';
import { matchesAny } from './glob.ts';

describe('matchesAny', () => {
  it('matches a plain path exactly', () => {
    expect(matchesAny('train.py', ['train.py'])).toBe(true);
    expect(matchesAny('train.pyc', ['train.py'])).toBe(false);
    expect(matchesAny('src/train.py', ['train.py'])).toBe(false);
    expect(matchesAny('xtrain.py', ['train.py'])).toBe(false);
  });

  it('treats a folder, with or without a trailing slash, as everything beneath it', () => {
    for (const glob of ['src', 'src/', './src/', '/src']) {
      expect(matchesAny('src/a.ts', [glob])).toBe(true);
      expect(matchesAny('src/deep/er/b.ts', [glob])).toBe(true);
      expect(matchesAny('srcx/a.ts', [glob])).toBe(false);
      expect(matchesAny('lib/src/a.ts', [glob])).toBe(false);
    }
  });

  it('lets * match within one segment only', () => {
    expect(matchesAny('train.py', ['*.py'])).toBe(true);
    expect(matchesAny('src/train.py', ['*.py'])).toBe(false);
    expect(matchesAny('src/train.py', ['src/*.py'])).toBe(true);
    expect(matchesAny('src/a/train.py', ['src/*.py'])).toBe(false);
    expect(matchesAny('config.yaml', ['conf*.yaml'])).toBe(true);
    expect(matchesAny('conf/x.yaml', ['conf*.yaml'])).toBe(false);
  });

  it('lets ? match one character except /', () => {
    expect(matchesAny('run1.sh', ['run?.sh'])).toBe(true);
    expect(matchesAny('run12.sh', ['run?.sh'])).toBe(false);
    expect(matchesAny('run/.sh', ['run?.sh'])).toBe(false);
  });

  it('lets ** match any depth, including none', () => {
    expect(matchesAny('a.py', ['**/*.py'])).toBe(true);
    expect(matchesAny('x/y/z/a.py', ['**/*.py'])).toBe(true);
    expect(matchesAny('x/y/z/a.pyc', ['**/*.py'])).toBe(false);
    expect(matchesAny('a/b', ['a/**/b'])).toBe(true);
    expect(matchesAny('a/x/y/b', ['a/**/b'])).toBe(true);
    expect(matchesAny('a/xb', ['a/**/b'])).toBe(false);
    expect(matchesAny('data/train/0.bin', ['data/**'])).toBe(true);
    expect(matchesAny('database/x', ['data/**'])).toBe(false);
    expect(matchesAny('anything/at/all', ['**'])).toBe(true);
  });

  it('treats regex metacharacters literally', () => {
    expect(matchesAny('a+b(c).txt', ['a+b(c).txt'])).toBe(true);
    expect(matchesAny('aab(c).txt', ['a+b(c).txt'])).toBe(false);
    expect(matchesAny('file.txt', ['file.txt'])).toBe(true);
    expect(matchesAny('fileXtxt', ['file.txt'])).toBe(false);
    expect(matchesAny('[x].md', ['[x].md'])).toBe(true);
    expect(matchesAny('x.md', ['[x].md'])).toBe(false);
  });

  it('matches when any glob matches and never for an empty list', () => {
    expect(matchesAny('eval/score.py', ['src/', 'eval/score.py'])).toBe(true);
    expect(matchesAny('eval/score.py', [])).toBe(false);
    expect(matchesAny('anything', ['.'])).toBe(true);
  });

  it('accepts paths with a leading ./', () => {
    expect(matchesAny('./src/a.ts', ['src'])).toBe(true);
  });
});
