/**
 * One worker of `npm run bench:store` (not run by itself): opens the store (a postgres://
 * URL or a SQLite file), tells the parent it is ready, and on `go` claims queued trials
 * until none is left. Sends back the ids it claimed and how long it took.
 */
import { hostname } from 'node:os';
import { parseStoreLocation } from '../src/store/open-store.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';

const [location, studyText, leaseText] = process.argv.slice(2);
const parsed = parseStoreLocation(location!);
const store = parsed.kind === 'postgres' ? await PostgresStore.open(parsed.url, { maxConnections: 1 }) : await SqliteStore.open(parsed.file);
const worker = { host: hostname(), pid: process.pid, token: `bench-${process.pid}` };
process.send!({ type: 'ready' });
await new Promise<void>((resolve) => process.once('message', () => resolve()));
const ids: number[] = [];
const started = performance.now();
for (;;) {
  const trial = await store.claimTrial(Number(studyText), worker, Number(leaseText));
  if (trial === null) break;
  ids.push(trial.id);
}
const ms = performance.now() - started;
await store.close();
process.send!({ type: 'done', ids, ms }, () => process.exit(0));
