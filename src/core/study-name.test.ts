import { describe, expect, it } from 'vitest';
import { assertStudyName, MAX_STUDY_NAME_BYTES, studyNameProblem } from './study-name.ts';

describe('study names', () => {
  it('accepts ordinary names, archived names and non-ASCII letters', () => {
    for (const name of ['golf', 'golf-2', 'a.b_c', 'golf@2026-01-01T00-00-00-000Z', 'étude', 'x'.repeat(MAX_STUDY_NAME_BYTES)]) {
      expect(studyNameProblem(name), name).toBeNull();
    }
  });

  it.each([
    ['', /cannot be empty/],
    ['.', /cannot be `\.`/],
    ['..', /cannot be `\.\.`/],
    ['../etc', /cannot contain `\/`/],
    ['a/b', /cannot contain `\/`/],
    ['a\\b', /cannot contain `\/` or `\\`/],
    ['a\0b', /NUL or other control characters/],
    ['a\nb', /control characters/],
    ['a\x7fb', /control characters/],
    ['x'.repeat(MAX_STUDY_NAME_BYTES + 1), /at most 100 bytes long \(this one is 101\)/],
    ['é'.repeat(51), /this one is 102/],
    ['-rf', /cannot start with `-`/],
  ])('rejects %j, naming the rule', (name, rule) => {
    expect(studyNameProblem(name)).toMatch(rule);
  });

  it('throws a UsageError that names the source and the rule', () => {
    expect(() => assertStudyName('..', '--study')).toThrowError(expect.objectContaining({ name: 'UsageError', message: expect.stringMatching(/invalid study name "\.\." \(--study\): a study name cannot be `\.\.`/) }));
    expect(() => assertStudyName('golf')).not.toThrow();
  });
});
