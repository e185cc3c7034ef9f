/**
 * The driver's memory at a study's size, for `npm run bench:store` and `npm run
 * bench:driver-memory` (not run by itself): a fresh process opens the store (a
 * postgres:// URL or a SQLite file) and holds what a driver holds across proposals, as
 * `openDriver` builds it (the study read once, every finished trial recorded by the
 * bandit chooser and applied to the driver's lineage index), then refreshed and read as
 * before a proposal (one lineage feedback, the trial history a specialist reads);
 * collects garbage, and sends back its RSS and heap, beside those of the same process
 * before it read the study. Run with `--expose-gc`. It runs unchanged on code from
 * before the bounded index (an index of every record, no history), so one study can be
 * measured with two checkouts side by side.
 */
import { LineageIndex } from '../src/core/lineage-index.ts';
import { BanditChooser } from '../src/scheduler/bandit-chooser.ts';
import * as refresh from '../src/scheduler/lineage-refresh.ts';
import { parseStoreLocation } from '../src/store/open-store.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';

const [location, studyText] = process.argv.slice(2);
const parsed = parseStoreLocation(location!);
const store = parsed.kind === 'postgres' ? await PostgresStore.open(parsed.url, { maxConnections: 1 }) : await SqliteStore.open(parsed.file);
const studyId = Number(studyText);
const objective = { metric: 'val_loss', direction: 'minimize' } as const;
const collect = () => (globalThis as { gc?: () => void }).gc?.();
const megabytes = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
/** The driver's window (`RECENT_TRIALS`), where the code has one. */
const recentTrials = ((await import('../src/core/trial-history.ts').catch(() => null)) as { RECENT_TRIALS?: number } | null)?.RECENT_TRIALS;
collect();
const before = process.memoryUsage();
const index = new LineageIndex(...((recentTrials === undefined ? [] : [{ retainRecent: recentTrials }]) as []));
const chooser = new BanditChooser([], { objective });
/** As openDriver: the study read once, recorded by the chooser, applied to the index (in a function, so that its frame lets go of the list). */
async function openLikeDriver(): Promise<void> {
  const trials = await store.listTrials(studyId);
  for (const trial of trials) if (trial.finishedAt !== null) chooser.record(trial);
  index.apply(trials);
}
await openLikeDriver();
await refresh.refreshLineageIndex(store, studyId, index);
const options = { study: 'bench', objective, viewer: 'knobs' };
const bounded = index as LineageIndex & { feedbackLoading?: LineageIndex['feedbackLoading'] };
const feedback = bounded.feedbackLoading ? await bounded.feedbackLoading(options, (ids) => store.listTrials(studyId, { ids })) : index.feedback(options);
const history = (refresh as { driverTrialHistory?: typeof refresh.driverTrialHistory }).driverTrialHistory?.(store, studyId, index);
const payoffs = chooser.payoffs();
collect();
const after = process.memoryUsage();
await store.close();
process.send!(
  {
    trials: index.size,
    causes: feedback.failures.length,
    recent: history?.recent.length ?? null,
    chooserRows: payoffs.rows.length,
    rssMB: megabytes(after.rss),
    heapMB: megabytes(after.heapUsed),
    rssBeforeMB: megabytes(before.rss),
    heapBeforeMB: megabytes(before.heapUsed),
  },
  () => process.exit(0),
);
