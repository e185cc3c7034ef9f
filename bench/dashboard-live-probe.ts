/**
 * npx tsx --expose-gc bench/dashboard-live-probe.ts [DB] [WRITES] — the dashboard's views
 * right after another process records a trial, in one process on one snapshot, the
 * full computation (what main rebuilds per revision: `buildOverview`, `thinTimeline(
 * timelineData(…))`, every trial summarised) and the trackers (overview, timeline, trials
 * rows) alternating after each write, so both see the same load. DB defaults to the
 * 100k study bench:dashboard cached. Prints p50/p95 per view and a JSON line.
 */
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storedTask } from '../src/server/study-source.ts';
import { openStore } from '../src/store/open-store.ts';
import { buildOverview } from '../src/views/overview.ts';
import { OverviewTracker } from '../src/views/overview-tracker.ts';
import { StudySnapshot } from '../src/views/study-snapshot.ts';
import { thinTimeline } from '../src/views/timeline-thinning.ts';
import { TimelineTracker } from '../src/views/timeline-tracker.ts';
import { timelineData } from '../src/views/timeline-view.ts';
import { TrialRowsTracker } from '../src/views/trial-rows-tracker.ts';
import { summarizeTrial } from '../src/views/trial-summary.ts';

const cacheDir = join(tmpdir(), 'autolab-bench-dashboard-cache');
const source = process.argv[2] || join(cacheDir, (await readdir(cacheDir)).filter((name) => name.startsWith('100000-') && name.endsWith('.db'))[0]!);
const WRITES = Number(process.argv[3] ?? 20);
const dir = await mkdtemp(join(tmpdir(), 'autolab-live-probe-'));
const file = join(dir, 'autolab.db');
await copyFile(source, file);
const served = await openStore(file);
const writer = await openStore(file);
const study = (await served.getStudy('bench'))!;
const objective = storedTask(study).objective;
let t = performance.now();
const snapshot = await StudySnapshot.load(served, study, { light: true });
await snapshot.loadSlots();
console.log(`snapshot of ${snapshot.trials.size} trials loaded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
const overview = new OverviewTracker(objective, snapshot.sorted(), snapshot.trials);
const timeline = new TimelineTracker(snapshot.sorted(), snapshot.slots);
const rows = new TrialRowsTracker(objective, snapshot.sorted(), snapshot.trials);
snapshot.onTrialChange((previous, next) => {
  overview.change(previous, next, snapshot.trials);
  timeline.change(next, snapshot.slots);
  rows.change(previous, next, snapshot.trials);
});
const times: Record<string, number[]> = { 'overview full': [], 'overview tracked': [], 'timeline full': [], 'timeline tracked': [], 'rows full': [], 'rows tracked': [], refresh: [] };
const time = (name: string, run: () => unknown) => {
  const start = performance.now();
  run();
  times[name]!.push(performance.now() - start);
};
for (let i = 0; i < WRITES; i++) {
  const trial = await writer.createTrial(study.id, { specialist: 'tuner', parent: 0, hypothesis: `live ${i}`, seed: 0, edit: null, owner: null });
  await writer.updateTrial(study.id, trial.id, { status: 'running' }, { type: 'trial.started', data: { slot: i % 8, gpu: String(i % 8) } });
  await writer.finishTrial(study.id, trial.id, { status: 'scored', label: null, labelDetail: null, metrics: { val_bpb: 1.6 }, score: 1.6, timings: { totalMs: 1000 }, logExcerpt: '' }, () => false);
  t = performance.now();
  await snapshot.refresh();
  times.refresh!.push(performance.now() - t);
  const now = Date.now();
  const full = () => {
    const sorted = [...snapshot.trials.values()].sort((a, b) => a.id - b.id);
    time('overview full', () => JSON.stringify(buildOverview({ study, objective, trials: sorted, slots: snapshot.slots, revision: snapshot.revision, now }, { timeline: false })));
    time('timeline full', () => JSON.stringify(thinTimeline(timelineData(sorted, snapshot.slots, now))));
    time('rows full', () => sorted.map((trial) => summarizeTrial(trial, snapshot.trials, objective)));
  };
  const tracked = () => {
    time('overview tracked', () => JSON.stringify(overview.overview({ study, revision: snapshot.revision, trials: snapshot.trials })));
    time('timeline tracked', () => JSON.stringify(timeline.timeline(now)));
    time('rows tracked', () => rows.rows().slice());
  };
  if (i % 2 === 0) {
    full();
    tracked();
  } else {
    tracked();
    full();
  }
}
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(values.length * p) - 1)]!;
const figures = Object.fromEntries(Object.entries(times).map(([name, values]) => [name, { p50: Math.round(percentile(values, 0.5) * 10) / 10, p95: Math.round(percentile(values, 0.95) * 10) / 10 }]));
for (const [name, figure] of Object.entries(figures)) console.log(`  ${name.padEnd(18)} p50 ${String(figure.p50).padStart(7)} ms  p95 ${String(figure.p95).padStart(7)} ms`);
await served.close();
await writer.close();
await rm(dir, { recursive: true, force: true });
console.log(JSON.stringify({ bench: 'dashboard-live-probe', trials: snapshot.trials.size, writes: WRITES, figures }));
