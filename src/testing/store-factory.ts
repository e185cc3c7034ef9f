import type { Store } from '../core/store.ts';

/** A fresh, migrated, empty store, and how to dispose of it: what the Store contract suites run against. */
export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;
