import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore, parseStoreLocation } from './open-store.ts';

describe('parseStoreLocation', () => {
  it('reads file paths and sqlite/file URLs', () => {
    expect(parseStoreLocation('/abs/study.db')).toEqual({ kind: 'sqlite', file: '/abs/study.db' });
    expect(parseStoreLocation('.autolab/study.db')).toEqual({ kind: 'sqlite', file: resolve('.autolab/study.db') });
    expect(parseStoreLocation('sqlite:///abs/path.db')).toEqual({ kind: 'sqlite', file: '/abs/path.db' });
    expect(parseStoreLocation('sqlite:relative.db')).toEqual({ kind: 'sqlite', file: resolve('relative.db') });
    expect(parseStoreLocation('sqlite://relative.db')).toEqual({ kind: 'sqlite', file: resolve('relative.db') });
    expect(parseStoreLocation(pathToFileURL('/abs/with space.db').href)).toEqual({ kind: 'sqlite', file: '/abs/with space.db' });
    expect(parseStoreLocation(':memory:')).toEqual({ kind: 'sqlite', file: ':memory:' });
    expect(parseStoreLocation('postgresql://u@h/db')).toEqual({ kind: 'postgres', url: 'postgresql://u@h/db' });
  });

  it('refuses empty and unknown locations', () => {
    expect(() => parseStoreLocation(' ')).toThrow(/empty/);
    expect(() => parseStoreLocation('sqlite:')).toThrow(/names no file/);
    expect(() => parseStoreLocation('mysql://h/db')).toThrow(/Unsupported store location/);
  });
});

describe('openStore', () => {
  it('opens a migrated SQLite store from a sqlite: URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autolab-open-'));
    try {
      const store = await openStore(`sqlite://${join(dir, 'nested', 'study.db')}`);
      try {
        const { created } = await store.openStudy({ name: 's', taskHash: 'h', taskJson: '{}' });
        expect(created).toBe(true);
      } finally {
        await store.close();
      }
      const again = await openStore(join(dir, 'nested', 'study.db'));
      try {
        expect((await again.listStudies()).map((s) => s.name)).toEqual(['s']);
      } finally {
        await again.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the PostgreSQL server it cannot reach', async () => {
    await expect(openStore('postgres://autolab@127.0.0.1:1/autolab')).rejects.toMatchObject({
      name: 'StoreError',
      message: expect.stringContaining('postgres://autolab@127.0.0.1:1/autolab'),
    });
  });
});

describe('openStore refuses a store file that is not a database', () => {
  it('an empty file and a file of something else are StoreErrors, and the file is left as it was', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autolab-open-'));
    try {
      const empty = join(dir, 'empty.db');
      const other = join(dir, 'other.db');
      await writeFile(empty, '');
      await writeFile(other, 'name: golf\n');
      await expect(openStore(empty)).rejects.toMatchObject({ name: 'StoreError', message: expect.stringMatching(/is empty \(0 bytes\): it is not a database/) });
      await expect(openStore(other)).rejects.toMatchObject({ name: 'StoreError', message: expect.stringMatching(/is not a SQLite database/) });
      expect((await readFile(empty)).length).toBe(0);
      expect(await readFile(other, 'utf8')).toBe('name: golf\n');
      const fresh = await openStore(join(dir, 'new.db'));
      await fresh.close();
      const reopened = await openStore(join(dir, 'new.db'));
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
