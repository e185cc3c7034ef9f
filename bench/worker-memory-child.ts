/**
 * A remote worker's memory, for `npm run bench:worker-memory` (not run by itself): a
 * fresh process opens the study as `autolab worker` does (`openStudy`, then
 * `study.work()`: the runtime, the research memory hook, the worker loop) and claims
 * `maxTrials` queued trials, evaluating each for real (worktree, sandbox, run and score
 * commands). After garbage collection it samples its memory before the worker starts
 * and every `every` trials recorded, and sends back the samples (RSS, heap used,
 * external, ArrayBuffers, MB). Run with `--expose-gc`. Arguments: the task folder, the
 * store location, the study name, maxTrials, every.
 */
import { openStudy } from '../src/engine/open-study.ts';

/** One sample of the worker's memory, after garbage collection (MB). */
export interface Sample {
  recorded: number;
  rssMB: number;
  heapMB: number;
  externalMB: number;
  arrayBuffersMB: number;
}

const [taskDir, location, studyName, maxText, everyText] = process.argv.slice(2);
const maxTrials = Number(maxText);
const every = Number(everyText);
const collect = () => (globalThis as { gc?: () => void }).gc?.();
const megabytes = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const samples: Sample[] = [];
let recorded = 0;
const sample = () => {
  collect();
  const memory = process.memoryUsage();
  samples.push({ recorded, rssMB: megabytes(memory.rss), heapMB: megabytes(memory.heapUsed), externalMB: megabytes(memory.external), arrayBuffersMB: megabytes(memory.arrayBuffers) });
};

sample();
const study = await openStudy(taskDir!, { store: location!, study: studyName! });
const started = Date.now();
let peakRss = 0;
const peak = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const summary = await study.work({
  maxTrials,
  parallel: 2,
  pollMs: 100,
  idleExitMs: 30_000,
  sameHost: !location!.startsWith('postgres'),
  log: (line) => {
    if (!/^#\d+ (kept|discarded|failed|interrupted)/.test(line)) return;
    recorded++;
    if (recorded % every === 0) sample();
  },
});
clearInterval(peak);
if (recorded % every !== 0) sample();
await study.close();
process.send!(
  { recorded: summary.recordedCount, stopReason: summary.stopReason, ms: Date.now() - started, peakRssMB: megabytes(peakRss), samples },
  () => process.exit(0),
);
