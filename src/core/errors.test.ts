import { describe, expect, it } from 'vitest';
import { AutolabError, ERROR_CODES, coerceError, isNotFound, isStoreError, isTaskFileError, isUsageError, isWorkspaceError } from './errors.ts';

describe('AutolabError', () => {
  it('carries its code as name and code, a hint and a cause', () => {
    const cause = new Error('disk I/O error');
    const error = new AutolabError('StoreError', 'the store could not be written', { hint: 'free some disk', cause });
    expect(error.name).toBe('StoreError');
    expect(error.code).toBe('StoreError');
    expect(error.hint).toBe('free some disk');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });

  it('is() recognises autolab errors, by code or by any of several codes', () => {
    const error = new AutolabError('NotFound', 'no trial #7');
    expect(AutolabError.is(error)).toBe(true);
    expect(AutolabError.is(error, 'NotFound')).toBe(true);
    expect(AutolabError.is(error, 'UsageError')).toBe(false);
    expect(AutolabError.is(error, ['UsageError', 'NotFound'])).toBe(true);
    expect(AutolabError.is(new Error('plain'))).toBe(false);
    expect(AutolabError.is('NotFound')).toBe(false);
  });

  it('is() works across module copies (structural), but only for codes of the closed set', () => {
    const copy = Object.assign(new Error('from another copy'), { name: 'TaskFileError', hint: undefined });
    expect(AutolabError.is(copy, 'TaskFileError')).toBe(true);
    const stranger = Object.assign(new Error('not ours'), { name: 'SomethingElse', hint: undefined });
    expect(AutolabError.is(stranger)).toBe(false);
  });

  it('has one predicate per family of codes', () => {
    expect(isTaskFileError(new AutolabError('TaskChanged', 'x'))).toBe(true);
    expect(isNotFound(new AutolabError('NotFound', 'x'))).toBe(true);
    expect(isUsageError(new AutolabError('UsageError', 'x'))).toBe(true);
    expect(isStoreError(new AutolabError('LockError', 'x'))).toBe(true);
    expect(isWorkspaceError(new AutolabError('PatchError', 'x'))).toBe(true);
    expect(isWorkspaceError(new AutolabError('StoreError', 'x'))).toBe(false);
  });

  it('documents every code in docs/errors.md', async () => {
    const { readFile } = await import('node:fs/promises');
    const page = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ERROR_CODES)) expect(page, code).toContain(`\`${code}\``);
  });
});

describe('coerceError', () => {
  it('turns anything thrown into an Error', () => {
    expect(coerceError('boom').message).toBe('boom');
    expect(coerceError({ a: 1 }).message).toBe('{"a":1}');
    const error = new Error('x');
    expect(coerceError(error)).toBe(error);
  });
});
