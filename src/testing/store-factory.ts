import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../core/store.ts';
import { SqliteStore } from '../store/sqlite-store.ts';

/** A fresh, migrated, empty store, and how to dispose of it: what the Store contract suites run against. */
export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

/**
 * A StoreFactory for a fresh SQLite study file in its own temporary folder (removed on cleanup).
 *
 * @example
 * describeStoreContract('SqliteStore (temp file)', sqliteStoreFactory('autolab-store-'));
 */
export function sqliteStoreFactory(prefix: string): () => Promise<{ store: SqliteStore; cleanup: () => Promise<void> }> {
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    const store = await SqliteStore.open(join(dir, 'study.db'));
    return {
      store,
      cleanup: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
}
