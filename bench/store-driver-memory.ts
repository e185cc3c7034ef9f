/**
 * The driver's memory at a study's size, for `npm run bench:store` and `npm run
 * bench:driver-memory` (not run by itself): a fresh process opens the store (a
 * postgres:// URL or a SQLite file) and builds the driver as `driveStudy` does
 * (`openDriver`, src/scheduler/driver.ts, with the bandit chooser: the study's counts,
 * spend, the chooser's payoffs, the lineage index), then refreshes and reads it as before
 * a proposal (one lineage feedback, the trial history a specialist reads); collects
 * garbage, and sends back its RSS and heap, beside those of the same process before it
 * opened the driver, and at each phase (`phases`: after opening, after GC, after the
 * feedback; RSS, heap used and total, external memory, MB), and the RSS with V8's young
 * generation settled (given back) and churned (at its high-water mark), below. Run with `--expose-gc`. It
 * runs unchanged on any checkout whose `openDriver` takes (runtime, specialists,
 * options), so one study can be measured with two checkouts side by side.
 */
import type { LineageIndex } from '../src/core/lineage-index.ts';
import type { TrialSummary } from '../src/core/store.ts';
import type { StudyRuntime } from '../src/evaluator/study-runtime.ts';
import { BanditChooser } from '../src/scheduler/bandit-chooser.ts';
import { openDriver } from '../src/scheduler/driver.ts';
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
/** Idle time before the `settled` collection: V8 measures allocation throughput over the last 5 s. */
const SETTLE_MS = 6_000;
/** About 200 MB of small objects that die young (each lives for the next 16,384): every page of the young generation is touched. */
function churn(): void {
  const ring: Array<{ i: number; text: string } | undefined> = new Array(16_384);
  for (let i = 0; i < 4_000_000; i++) ring[i & 16_383] = { i, text: `x${i}` };
}
const phases: Record<string, { rssMB: number; heapMB: number; heapTotalMB: number; externalMB: number }> = {};
const phase = (name: string) => {
  const memory = process.memoryUsage();
  phases[name] = { rssMB: megabytes(memory.rss), heapMB: megabytes(memory.heapUsed), heapTotalMB: megabytes(memory.heapTotal), externalMB: megabytes(memory.external) };
};
collect();
const before = process.memoryUsage();
phase('before');
const never = new AbortController().signal;
// What openDriver reads of the runtime: the store, the study, the task's slots and seed (the workspace only when a specialist asks for files).
const runtime = { store, studyId, studyName: 'bench', task: { objective, parallel: 1, gpus: [], seed: 0 } } as unknown as StudyRuntime;
const chooser = new BanditChooser([], { objective });
const driver = await openDriver(runtime, [], { stop: never, kill: never, chooser });
phase('opened');
collect();
phase('openedAfterGc');
const index: LineageIndex = driver.lineageIndex;
await refresh.refreshLineageIndex(store, studyId, index);
const options = { study: 'bench', objective, viewer: 'knobs' };
const feedback = await index.feedbackLoading(options, (ids) => store.listTrials(studyId, { ids }));
const history = refresh.driverTrialHistory(store, studyId, index);
const payoffs = chooser.payoffs();
phase('feedback');
collect();
const after = process.memoryUsage();
phase('after');
// V8's young generation: after the opening pass it may be fully touched (a high-water mark
// any long-running driver reaches by allocating, whatever the study's size) or not yet.
// `settled`: nothing allocated for a few seconds, then a collection, which V8 runs at low
// allocation throughput and so gives the young generation back (as a driver waiting on
// its trials does at its next collection). `churned`: short-lived garbage allocated until
// the young generation is at its high-water mark, then a collection. Both bound what the
// driver holds, young generation aside, at every size alike.
await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
collect();
phase('settled');
churn();
collect();
phase('churned');
const summarize = (store as { summarizeTrials?: (studyId: number) => Promise<TrialSummary> }).summarizeTrials;
const summary = summarize ? await summarize.call(store, studyId) : null;
await store.close();
process.send!(
  {
    trials: index.size,
    causes: feedback.failures.length,
    recent: history.recent.length,
    chooserRows: payoffs.rows.length,
    studyTrials: driver.state.studyTrials,
    sinceImprovement: driver.state.sinceImprovement,
    spentUsd: Math.round(driver.state.spentUsd * 1e6) / 1e6,
    summaryTrials: summary?.trials ?? null,
    rssMB: megabytes(after.rss),
    heapMB: megabytes(after.heapUsed),
    rssBeforeMB: megabytes(before.rss),
    heapBeforeMB: megabytes(before.heapUsed),
    rssSettledMB: phases['settled']!.rssMB,
    rssChurnedMB: phases['churned']!.rssMB,
    phases,
  },
  () => process.exit(0),
);
