/**
 * The driver's memory at a study's size, for `npm run bench:store` (not run by itself):
 * a fresh process opens the store (a postgres:// URL or a SQLite file), holds what a
 * driver holds across proposals (its bounded LineageIndex, built from the store and
 * refreshed as before a proposal, one lineage feedback, and the trial history a
 * specialist reads), collects garbage, and sends back its RSS and heap, beside those of
 * the same process before it read the study. Run with `--expose-gc`.
 */
import { LineageIndex } from '../src/core/lineage-index.ts';
import { RECENT_TRIALS } from '../src/core/trial-history.ts';
import { driverTrialHistory, refreshLineageIndex } from '../src/scheduler/lineage-refresh.ts';
import { parseStoreLocation } from '../src/store/open-store.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';

const [location, studyText] = process.argv.slice(2);
const parsed = parseStoreLocation(location!);
const store = parsed.kind === 'postgres' ? await PostgresStore.open(parsed.url, { maxConnections: 1 }) : await SqliteStore.open(parsed.file);
const collect = () => (globalThis as { gc?: () => void }).gc?.();
const megabytes = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
collect();
const before = process.memoryUsage();
const studyId = Number(studyText);
const index = new LineageIndex({ retainRecent: RECENT_TRIALS });
await refreshLineageIndex(store, studyId, index);
await refreshLineageIndex(store, studyId, index);
const feedback = await index.feedbackLoading({ study: 'bench', objective: { metric: 'val_loss', direction: 'minimize' }, viewer: 'knobs' }, (ids) => store.listTrials(studyId, { ids }));
const history = driverTrialHistory(store, studyId, index);
collect();
const after = process.memoryUsage();
await store.close();
process.send!(
  { trials: index.size, causes: feedback.failures.length, recent: history.recent.length, rssMB: megabytes(after.rss), heapMB: megabytes(after.heapUsed), rssBeforeMB: megabytes(before.rss), heapBeforeMB: megabytes(before.heapUsed) },
  () => process.exit(0),
);
