import { describe, expect, it } from 'vitest';
import { normaliseRelativePath, pathMatches, semanticIssues } from './semantic-checks.ts';
import { closestMatch } from '../core/suggest.ts';

describe('pathMatches', () => {
  it.each([
    ['config.json', 'config.json', true],
    ['./config.json', 'config.json', true],
    ['src/model.py', 'src', true],
    ['src/model.py', 'src/', true],
    ['srcx/model.py', 'src', false],
    ['src/a/b.py', 'src/**', true],
    ['src/a/b.py', 'src/**/*.py', true],
    ['src/b.py', 'src/**/*.py', true],
    ['src/a/b.js', 'src/**/*.py', false],
    ['src/a/b.py', 'src/*', true],
    ['src/a/b.py', 'src/*.py', false],
    ['train.py', '*.py', true],
    ['lib/train.py', '*.py', false],
    ['lib/train.py', '**/*.py', true],
    ['a1.json', 'a?.json', true],
    ['anything/at/all', '.', true],
  ] as const)('%s under %s: %s', (file, pattern, expected) => {
    expect(pathMatches(file, pattern)).toBe(expected);
  });

  it('normalises ./ prefixes and doubled slashes', () => {
    expect(normaliseRelativePath('././src//a.py')).toBe('src/a.py');
  });
});

describe('closestMatch', () => {
  it('suggests near misses and nothing for unrelated words', () => {
    expect(closestMatch('objectiv', ['objective', 'run'])).toBe('objective');
    expect(closestMatch('outputCap', ['output_cap', 'memory'])).toBe('output_cap');
    expect(closestMatch('banana', ['objective', 'run'])).toBeUndefined();
    expect(closestMatch('x', ['run'])).toBeUndefined();
  });
});

describe('semanticIssues', () => {
  it('ignores values of the wrong type (left to the schema)', () => {
    expect(semanticIssues({ surfaces: 3, specialists: 'x' })).toEqual([]);
    expect(semanticIssues(null)).toEqual([]);
  });

  it('checks knob bounds, log scale and categorical choices', () => {
    const issues = semanticIssues({
      surfaces: {
        s: {
          paths: ['c.json'],
          knobs: {
            a: { file: 'c.json', key: 'a', type: 'float', low: 0, high: 1, log: true },
            b: { file: 'c.json', key: 'b', type: 'int', low: 1.5, high: 4 },
            c: { file: 'c.json', key: 'c', type: 'categorical', choices: [], low: 1 },
            d: { file: 'c.json', type: 'float' },
          },
        },
      },
    });
    expect(issues).toEqual([
      { path: ['surfaces', 's', 'knobs', 'a', 'low'], message: 'must be > 0 with log: true, got 0' },
      { path: ['surfaces', 's', 'knobs', 'b', 'low'], message: 'expected an integer for an int knob, got 1.5' },
      { path: ['surfaces', 's', 'knobs', 'c', 'choices'], message: 'must list at least one choice' },
      { path: ['surfaces', 's', 'knobs', 'c', 'low'], message: 'low applies to float and int knobs only' },
      { path: ['surfaces', 's', 'knobs', 'd'], message: expect.stringContaining('a knob needs key') },
      { path: ['surfaces', 's', 'knobs', 'd'], message: 'a float knob needs low and high' },
    ]);
  });

  it('refuses knobs in protected files and paths that leave the recipe', () => {
    const issues = semanticIssues({
      protected: ['score.py', '/etc/passwd'],
      surfaces: { s: { paths: ['.', '../outside'], knobs: { k: { file: 'score.py', marker: 'k', type: 'int', low: 1, high: 2 } } } },
    });
    expect(issues.map((issue) => [issue.path.join('.'), issue.message.split(' ').slice(0, 3).join(' ')])).toEqual([
      ['protected.1', 'expected a path'],
      ['surfaces.s.paths.1', 'expected a path'],
      ['surfaces.s.knobs.k.file', '"score.py" is protected'],
    ]);
  });

  it('wants a knobs specialist to have knobs on its surface', () => {
    const issues = semanticIssues({ surfaces: { s: { paths: ['a'] } }, specialists: [{ name: 't', kind: 'knobs', surface: 's' }] });
    expect(issues).toEqual([{ path: ['specialists', 0, 'kind'], message: expect.stringContaining('declares none') }]);
  });
});
