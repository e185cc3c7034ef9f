/**
 * npm run bench:dashboard [-- --trials 100000] — the dashboard on a generated study of
 * 10,000 trials (`--trials` or BENCH_DASHBOARD_TRIALS; written straight through the Store
 * port; past 10,000, the first 10,000 are copied in SQL under new numbers until the study
 * has the size, as bench:store does: bench/store-fill.ts): API latency per endpoint (p50/p95/max; goal p95 <
 * 100 ms), the overview's latency right after another process records a trial (the
 * cache rebuilt), and the time to first meaningful paint of the overview page in
 * Chromium (the score plot's SVG in the DOM; goal < 2 s) with the browser's own paint
 * timings; then the knob views (the knobs view with its importance fit, trials with knob
 * columns sorted and filtered by a knob, the incumbent's configuration), their latency
 * after another process records a trial, and the knobs page in Chromium; then the
 * server's resident memory in a process of its own at 1,000 trials and at the bench's
 * size, after every endpoint (`--compare DIR`: another checkout's server too, e.g.
 * main's). Ends with one JSON line of figures.
 */
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { startDashboard } from '../src/server/serve-dashboard.ts';
import { writeSyntheticStudy } from '../src/testing/synthetic-study.ts';
import { openStore } from '../src/store/open-store.ts';
import { fillStudy } from './store-fill.ts';
import { measureServerRss, type ServerRss } from './dashboard-server-rss.ts';

/** `--name value` from the command line, else `fallback`. */
function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const TRIALS = Number(argument('trials', process.env.BENCH_DASHBOARD_TRIALS ?? '10000'));
const REQUESTS = Number(process.env.BENCH_DASHBOARD_REQUESTS ?? 60);
const PAGE_LOADS = Number(process.env.BENCH_DASHBOARD_PAGE_LOADS ?? 5);
const CHROMIUM = process.env.AUTOLAB_TEST_CHROMIUM || '/usr/bin/chromium';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] ?? NaN;
}
const round = (ms: number) => Math.round(ms * 10) / 10;

console.log(`bench:dashboard on ${process.platform} ${process.arch}, ${cpus().length} cores, node ${process.version}: ${TRIALS} trials`);
const dir = await mkdtemp(join(tmpdir(), 'autolab-bench-dashboard-'));

/**
 * A store file holding study 'bench' of `trials` trials (and the baseline), at `dbFile`.
 * The filled study is cached under the OS temp folder, keyed by the size and the code that
 * writes it (the synthetic study, the SQL fill, the migrations): a later run with the same
 * key copies the file instead of writing 10,000 trials again (BENCH_DASHBOARD_FRESH=1: never).
 */
async function filledStudy(trials: number, dbFile: string): Promise<{ writeMs: number; fromCache: boolean }> {
  const template = Math.min(trials, 10_000);
  const fillKey = createHash('sha256')
    .update(String(trials))
    .update(await readFile(new URL('../src/testing/synthetic-study.ts', import.meta.url)))
    .update(await readFile(new URL('./store-fill.ts', import.meta.url)))
    .update(await readFile(new URL('../src/store/migrations.ts', import.meta.url)))
    .digest('hex')
    .slice(0, 16);
  const cachedFill = join(tmpdir(), 'autolab-bench-dashboard-cache', `${trials}-${fillKey}.db`);
  if (process.env.BENCH_DASHBOARD_FRESH !== '1' && existsSync(cachedFill)) {
    await copyFile(cachedFill, dbFile);
    console.log(`the filled study of ${trials + 1} trials copied from ${cachedFill} (written by an earlier run with the same code; BENCH_DASHBOARD_FRESH=1 writes it again)`);
    return { writeMs: 0, fromCache: true };
  }
  const filler = await openStore(dbFile);
  const t = performance.now();
  const written = await writeSyntheticStudy(filler, { name: 'bench', trials: template, slots: 8 });
  const writeMs = performance.now() - t;
  console.log(`wrote ${template + 1} trials (4 store transactions each) in ${(writeMs / 1000).toFixed(1)} s`);
  await filler.close();
  if (trials > template) {
    const t = performance.now();
    await fillStudy(dbFile, written.id, { from: 1, to: template }, template, trials);
    console.log(`filled to ${trials + 1} trials with SQL copies of the first ${template} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  await mkdir(dirname(cachedFill), { recursive: true });
  await copyFile(dbFile, `${cachedFill}.partial`);
  await rename(`${cachedFill}.partial`, cachedFill);
  return { writeMs, fromCache: false };
}

const dbFile = join(dir, 'autolab.db');
const { writeMs, fromCache } = await filledStudy(TRIALS, dbFile);
const writer = await openStore(dbFile);
const study = (await writer.getStudy('bench'))!;
let started = performance.now();

const rssMB = () => Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;
const settledRssMB = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return rssMB();
};
const rssBeforeServer = settledRssMB();
const served = await openStore(dbFile);
const dashboard = await startDashboard({ store: served, port: 0 });
const base = dashboard.url.replace(/\/$/, '');
const get = async (path: string): Promise<{ ms: number; bytes: number }> => {
  const t = performance.now();
  // A keep-alive socket the server closed while idle (its keepAliveTimeout) fails the next
  // request at once ("other side closed"): that GET is sent again, once, timed from its start.
  const response = await fetch(base + path).catch(() => fetch(base + path));
  const body = await response.arrayBuffer();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${new TextDecoder().decode(body)}`);
  return { ms: performance.now() - t, bytes: body.byteLength };
};

started = performance.now();
const cold = await get('/api/studies/bench');
console.log(`first overview request: ${round(cold.ms)} ms, ${(cold.bytes / 1024).toFixed(0)} KiB`);
const rssAfterFirst = settledRssMB();

let seed = 1;
const randomId = () => {
  seed = (seed * 48271) % 2147483647;
  return seed % (TRIALS + 1);
};
const endpoints: Array<[string, () => string]> = [
  ['studies', () => '/api/studies'],
  ['overview', () => '/api/studies/bench'],
  ['timeline', () => '/api/studies/bench/timeline'],
  ['trials (newest, page of 50)', () => `/api/studies/bench/trials?limit=50&offset=${randomId() % 1000}`],
  ['trials (sort by score)', () => '/api/studies/bench/trials?sort=score&order=asc&limit=50'],
  ['trials (filter label+specialist)', () => '/api/studies/bench/trials?label=crash&specialist=optimizer&limit=50'],
  ['trials (text search)', () => '/api/studies/bench/trials?q=warmup&limit=50'],
  ['trial', () => `/api/studies/bench/trials/${randomId()}`],
  ['diff against a trial', () => `/api/studies/bench/trials/${randomId()}/diff?against=${randomId()}`],
  ['lineage', () => '/api/studies/bench/lineage'],
];
// The knob views, measured after the endpoints above (so those figures compare with earlier runs).
const knobEndpoints: Array<[string, () => string]> = [
  ['knobs (slices, parallel, importance)', () => '/api/studies/bench/knobs'],
  ['trials (knob columns, sort by a knob)', () => '/api/studies/bench/trials?columns=knobs&sort=knob:lr&limit=50'],
  ['trials (knob range filter)', () => '/api/studies/bench/trials?columns=knobs&filter=knob:lr:0.001..0.01&limit=50'],
  ['incumbent (configuration, diff)', () => '/api/studies/bench/incumbent'],
];
const api: Record<string, { p50: number; p95: number; max: number; kib: number }> = {};
const measureEndpoints = async (list: Array<[string, () => string]>, into: typeof api) => {
  for (const [name, path] of list) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const result = await get(path());
      times.push(result.ms);
      bytes = result.bytes;
    }
    into[name] = { p50: round(percentile(times, 0.5)), p95: round(percentile(times, 0.95)), max: round(Math.max(...times)), kib: Math.round(bytes / 1024) };
    console.log(`  ${name.padEnd(38)} p50 ${String(into[name]!.p50).padStart(6)} ms  p95 ${String(into[name]!.p95).padStart(6)} ms  max ${String(into[name]!.max).padStart(6)} ms  ${into[name]!.kib} KiB`);
  }
};
await measureEndpoints(endpoints, api);
const rssAfterApi = settledRssMB();
console.log(`process RSS (server and bench in one process): ${rssBeforeServer} MB before the server, ${rssAfterFirst} MB after its first request, ${rssAfterApi} MB after every endpoint (+${round(rssAfterApi - rssBeforeServer)} MB)`);

// Live: another connection records a trial, then the overview is asked for (its cache
// rebuilt). The first rebuilds run cold (JIT), so they are reported apart.
const recordOne = async (i: number) => {
  const trial = await writer.createTrial(study.id, { specialist: 'tuner', parent: 0, hypothesis: `live ${i}`, seed: 0, edit: null, owner: null });
  await writer.updateTrial(study.id, trial.id, { status: 'running' }, { type: 'trial.started', data: { slot: i % 8, gpu: String(i % 8) } });
  await writer.finishTrial(study.id, trial.id, { status: 'scored', label: null, labelDetail: null, metrics: { val_bpb: 1.6 }, score: 1.6, timings: { totalMs: 1000 }, logExcerpt: '' }, () => false);
};
const coldRebuilds: number[] = [];
for (let i = 0; i < 5; i++) {
  await recordOne(i);
  coldRebuilds.push((await get('/api/studies/bench')).ms);
}
const afterWrite: number[] = [];
const listAfterWrite: number[] = [];
const timelineAfterWrite: number[] = [];
for (let i = 5; i < 35; i++) {
  await recordOne(i);
  afterWrite.push((await get('/api/studies/bench')).ms);
  timelineAfterWrite.push((await get('/api/studies/bench/timeline')).ms);
  listAfterWrite.push((await get('/api/studies/bench/trials?limit=50')).ms);
}
const live = {
  overviewP50: round(percentile(afterWrite, 0.5)),
  overviewP95: round(percentile(afterWrite, 0.95)),
  coldMax: round(Math.max(...coldRebuilds)),
  trialsP95: round(percentile(listAfterWrite, 0.95)),
  timelineP95: round(percentile(timelineAfterWrite, 0.95)),
};
console.log(`  after another process records a trial: overview p50 ${live.overviewP50} ms, p95 ${live.overviewP95} ms (first ${coldRebuilds.length} rebuilds, cold: max ${live.coldMax} ms); timeline p95 ${live.timelineP95} ms; trials page p95 ${live.trialsP95} ms`);

// The knob views: the first request reads every trial's knob values and fits the importance forest.
started = performance.now();
const coldKnobs = await get('/api/studies/bench/knobs');
console.log(`first knobs request (knob values of every trial, importance fitted): ${round(coldKnobs.ms)} ms, ${(coldKnobs.bytes / 1024).toFixed(0)} KiB`);
const knobApi: typeof api = {};
await measureEndpoints(knobEndpoints, knobApi);
const knobsAfterWrite: number[] = [];
for (let i = 35; i < 50; i++) {
  await recordOne(i);
  knobsAfterWrite.push((await get('/api/studies/bench/knobs')).ms);
}
const liveKnobsP95 = round(percentile(knobsAfterWrite, 0.95));
console.log(`  after another process records a trial: knobs p50 ${round(percentile(knobsAfterWrite, 0.5))} ms, p95 ${liveKnobsP95} ms`);

// The overview page in Chromium.
let knobsPageMs: number | null = null;
let paint: { meaningfulMs: number; meaningfulMaxMs: number; firstPaintMs: number | null; firstContentfulPaintMs: number | null; largestContentfulPaintMs: number | null; loads: number } | null = null;
if (existsSync(CHROMIUM)) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const meaningful: number[] = [];
    let entries: Record<string, number | null> = {};
    for (let i = 0; i < PAGE_LOADS; i++) {
      const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      await page.addInitScript({
        content: `
          new MutationObserver((_, observer) => {
            if (document.querySelector('#score-plot svg')) { window.scorePlotAt = performance.now(); observer.disconnect(); }
          }).observe(document, { childList: true, subtree: true });
          new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.lcp = entry.startTime; })
            .observe({ type: 'largest-contentful-paint', buffered: true });`,
      });
      await page.goto(`${base}/studies/bench`);
      await page.waitForSelector('#score-plot svg [data-trial]', { timeout: 30_000 });
      await page.waitForTimeout(300);
      const measured = (await page.evaluate(`(() => {
        const paints = Object.fromEntries(performance.getEntriesByType('paint').map((entry) => [entry.name, entry.startTime]));
        return { scorePlotAt: window.scorePlotAt ?? null, firstPaint: paints['first-paint'] ?? null, firstContentfulPaint: paints['first-contentful-paint'] ?? null, lcp: window.lcp ?? null };
      })()`)) as { scorePlotAt: number | null; firstPaint: number | null; firstContentfulPaint: number | null; lcp: number | null };
      if (measured.scorePlotAt !== null) meaningful.push(measured.scorePlotAt);
      entries = { firstPaintMs: measured.firstPaint, firstContentfulPaintMs: measured.firstContentfulPaint, largestContentfulPaintMs: measured.lcp };
      if (i === 0) await page.screenshot({ path: join(dir, 'overview-10k.png') });
      await context.close();
    }
    paint = {
      meaningfulMs: round(percentile(meaningful, 0.5)),
      meaningfulMaxMs: round(Math.max(...meaningful)),
      firstPaintMs: entries.firstPaintMs == null ? null : round(entries.firstPaintMs),
      firstContentfulPaintMs: entries.firstContentfulPaintMs == null ? null : round(entries.firstContentfulPaintMs),
      largestContentfulPaintMs: entries.largestContentfulPaintMs == null ? null : round(entries.largestContentfulPaintMs),
      loads: meaningful.length,
    };
    const knobsPage: number[] = [];
    for (let i = 0; i < Math.max(1, Math.ceil(PAGE_LOADS / 2)); i++) {
      const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      const t = performance.now();
      await page.goto(`${base}/studies/bench/knobs`);
      await page.waitForSelector('#parallel svg .pc-axis', { timeout: 60_000 });
      knobsPage.push(performance.now() - t);
      if (i === 0) await page.screenshot({ path: join(dir, 'knobs-10k.png') });
      await context.close();
    }
    knobsPageMs = round(percentile(knobsPage, 0.5));
    console.log(`knobs page in Chromium: every plot drawn after ${knobsPageMs} ms (median of ${knobsPage.length} loads)`);
    console.log(`overview page in Chromium: score plot in the DOM after ${paint.meaningfulMs} ms (median of ${paint.loads} loads, max ${paint.meaningfulMaxMs}); first paint ${paint.firstPaintMs} ms, first contentful paint ${paint.firstContentfulPaintMs} ms, largest contentful paint ${paint.largestContentfulPaintMs} ms (last load)`);
  } finally {
    await browser.close();
  }
} else {
  console.log(`no Chromium at ${CHROMIUM}: the paint figures are left out`);
}

await dashboard.close();
await served.close();
await writer.close();

// The server's own memory, in a process of its own, at 1,000 trials and at the bench's
// size (goal: flat within a few MB); `--compare DIR` (or BENCH_DASHBOARD_COMPARE) measures
// another checkout's server too (e.g. main's), alternating with this one.
const compareRoot = argument('compare', process.env.BENCH_DASHBOARD_COMPARE ?? '') || null;
const rssSizes = [...new Set([Math.min(1000, TRIALS), TRIALS])];
const serverRss: Record<string, Record<string, ServerRss>> = {};
for (const size of rssSizes) {
  const file = join(dir, `rss-${size}.db`);
  if (size === TRIALS) await copyFile(dbFile, file);
  else await filledStudy(size, file);
  serverRss[size] = {};
  for (const [name, root] of [['this', process.cwd()], ...(compareRoot ? [['compare', compareRoot]] : [])] as const) {
    const figures = await measureServerRss(file, size, root);
    serverRss[size]![name] = figures;
    console.log(`server RSS at ${size} trials (${name === 'this' ? 'this checkout' : compareRoot}, a process of its own): ${figures.startMB} MB started, ${figures.afterEndpointsMB} MB after every endpoint (+${figures.growthMB} MB; heap used ${figures.heapUsedMB ?? '?'} MB of ${figures.heapTotalMB ?? '?'} MB committed, anonymous resident ${figures.anonMB ?? '?'} MB; ${figures.seconds} s)`);
  }
}
const flat = (name: string) => (rssSizes.length < 2 || !serverRss[TRIALS]?.[name] ? null : round(serverRss[TRIALS]![name]!.afterEndpointsMB - serverRss[rssSizes[0]!]![name]!.afterEndpointsMB));
console.log(`server RSS after every endpoint, ${TRIALS} trials against ${rssSizes[0]}: ${flat('this')} MB more${compareRoot ? ` (${compareRoot}: ${flat('compare')} MB more)` : ''}`);
await rm(dir, { recursive: true, force: true });

const worstP95 = Math.max(...Object.values(api).map((figures) => figures.p95));
console.log(
  JSON.stringify({
    bench: 'dashboard',
    trials: TRIALS,
    writeSeconds: round(writeMs / 1000),
    fillFromCache: fromCache,
    rssBeforeServerMB: rssBeforeServer,
    rssAfterFirstRequestMB: rssAfterFirst,
    rssAfterApiMB: rssAfterApi,
    serverRssGrowthMB: round(rssAfterApi - rssBeforeServer),
    coldOverviewMs: round(cold.ms),
    overviewKiB: Math.round(cold.bytes / 1024),
    apiP95Ms: Object.fromEntries(Object.entries(api).map(([name, figures]) => [name, figures.p95])),
    apiWorstP95Ms: worstP95,
    apiGoalMet: worstP95 < 100,
    liveOverviewP50Ms: live.overviewP50,
    liveOverviewP95Ms: live.overviewP95,
    liveOverviewColdMaxMs: live.coldMax,
    liveTimelineP95Ms: live.timelineP95,
    liveTrialsP95Ms: live.trialsP95,
    meaningfulPaintMs: paint?.meaningfulMs ?? null,
    meaningfulPaintMaxMs: paint?.meaningfulMaxMs ?? null,
    firstContentfulPaintMs: paint?.firstContentfulPaintMs ?? null,
    largestContentfulPaintMs: paint?.largestContentfulPaintMs ?? null,
    paintGoalMet: paint === null ? null : paint.meaningfulMaxMs < 2000,
    coldKnobsMs: round(coldKnobs.ms),
    knobsKiB: Math.round(coldKnobs.bytes / 1024),
    knobApiP95Ms: Object.fromEntries(Object.entries(knobApi).map(([name, figures]) => [name, figures.p95])),
    liveKnobsP95Ms: liveKnobsP95,
    knobsPageMs,
    serverRss,
    serverRssGrowthFrom1kMB: flat('this'),
    ...(compareRoot ? { compareRoot, compareServerRssGrowthFrom1kMB: flat('compare') } : {}),
  }),
);
