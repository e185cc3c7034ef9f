/**
 * Opens the Store a location names: a SQLite file path (the default), a `sqlite:` URL,
 * or a PostgreSQL URL (`postgres://user:password@host:5432/database[?schema=name]`).
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutolabError } from '../core/errors.ts';
import type { Store } from '../core/store.ts';
import { SqliteStore } from './sqlite-store.ts';

/** What a store location names. */
export type StoreLocation = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

const SCHEME = /^([a-z][a-z0-9+.-]+):/i;

/**
 * Parses a store location. Relative paths resolve against the current directory.
 *
 * @example
 * parseStoreLocation('.autolab/study.db');        // { kind: 'sqlite', file: '/cwd/.autolab/study.db' }
 * parseStoreLocation('sqlite:///var/autolab.db');  // { kind: 'sqlite', file: '/var/autolab.db' }
 * parseStoreLocation('sqlite:runs/study.db');      // { kind: 'sqlite', file: '/cwd/runs/study.db' }
 * parseStoreLocation('postgres://host/db');       // { kind: 'postgres', url: 'postgres://host/db' }
 */
export function parseStoreLocation(location: string): StoreLocation {
  const trimmed = location.trim();
  if (trimmed.length === 0) throw new AutolabError('StoreError', 'The store location is empty', { hint: 'give a SQLite file path such as .autolab/study.db' });
  if (trimmed === ':memory:') return { kind: 'sqlite', file: ':memory:' };
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase();
  // One letter before ':' is a Windows drive (C:\...), not a scheme; the regex needs two.
  if (scheme === undefined) return { kind: 'sqlite', file: resolve(trimmed) };
  if (scheme === 'postgres' || scheme === 'postgresql') return { kind: 'postgres', url: trimmed };
  if (scheme === 'file') return { kind: 'sqlite', file: fileURLToPath(trimmed) };
  if (scheme === 'sqlite') {
    let rest = trimmed.slice('sqlite:'.length);
    if (rest.startsWith('//')) rest = rest.slice(2); // sqlite:///abs/path -> /abs/path; sqlite://rel.db -> rel.db
    if (rest.length === 0) throw new AutolabError('StoreError', `The store location ${location} names no file`, { hint: 'write sqlite:///absolute/path.db or sqlite:relative.db' });
    return { kind: 'sqlite', file: rest === ':memory:' ? rest : resolve(decodeURIComponent(rest)) };
  }
  throw new AutolabError('StoreError', `Unsupported store location ${location} (scheme ${scheme}:)`, {
    hint: 'use a SQLite file path, sqlite:///absolute/path.db, sqlite:relative.db, or postgres://user:password@host:5432/database',
  });
}

/**
 * Opens (creating and migrating when needed) the store at `location`. The caller owns
 * `close()`.
 *
 * @example
 * const store = await openStore('.autolab/study.db');
 * const shared = await openStore('postgres://autolab:secret@db:5432/research?schema=golf');
 * try { ... } finally { await store.close(); }
 */
export async function openStore(location: string): Promise<Store> {
  const parsed = parseStoreLocation(location);
  // The PostgreSQL driver is loaded only for a PostgreSQL store (a shorter start for every CLI command on SQLite).
  if (parsed.kind === 'postgres') return (await import('./postgres-store.ts')).PostgresStore.open(parsed.url);
  if (parsed.file !== ':memory:') await assertSqliteFileOrAbsent(parsed.file);
  return SqliteStore.open(parsed.file);
}

/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Refuses a store file that exists but is not a SQLite database (empty, truncated,
 * another kind of file): opening it would start a new study over the old one's trial
 * folders. An absent file is fine (a new store is created).
 */
export async function assertSqliteFileOrAbsent(file: string): Promise<void> {
  const info = await stat(file).catch(() => null);
  if (info === null) return;
  const hint = `restore the store from a backup, or, to start over, move it away (\`mv ${file} ${file}.broken\`): trial folders under .autolab/studies are kept and set aside, never written over`;
  if (!info.isFile()) throw new AutolabError('StoreError', `the store ${file} is not a file`, { hint });
  // A database whose content is all still in its write-ahead log (a crash before the first checkpoint) is not empty.
  if (info.size === 0 && ((await stat(`${file}-wal`).catch(() => null))?.size ?? 0) > 0) return;
  if (info.size === 0) throw new AutolabError('StoreError', `the store ${file} is empty (0 bytes): it is not a database, and autolab will not start a new study over the old one`, { hint });
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const handle = await open(file, 'r');
  try {
    await handle.read(header, 0, header.length, 0);
  } finally {
    await handle.close();
  }
  if (!header.equals(SQLITE_HEADER)) throw new AutolabError('StoreError', `the store ${file} is not a SQLite database (${info.size} bytes of something else)`, { hint });
}
