/**
 * npm run bench:store [-- --trials 100000] [--stores sqlite,postgres] [--claims 2000] [--template 10000] [--record-all] [--slots 8] [--cost-events]
 * — the store at the scale of a long study, on SQLite and on PostgreSQL (the server of
 * AUTOLAB_TEST_PG_URL, in a fresh schema dropped afterwards; skipped with a note when
 * unset):
 * - trials recorded per second by one driver, each trial written as the engine writes
 *   it (created; started, written behind as `startStep` writes it; materialised; finished
 *   with the outcome `recordStep` gives, metrics and the acceptance decision): `--trials` (or BENCH_STORE_TRIALS; default 10,000), measured at 10,000
 *   and at the full size when larger. Past `--template` trials (10,000) the study is
 *   filled with SQL copies of them (bench/store-fill.ts) and the last BENCH_STORE_RECORD_AT_SIZE
 *   (2,000) are recorded the engine's way, giving that size's rate; `--record-all`
 *   records every trial the engine's way instead;
 * - trials recorded per second by `--slots` (8) slots at once, as a driver with that many
 *   slots records (each slot one trial after another, the slots' writes interleaved, so
 *   writes that arrive while a transaction runs commit together: sql/commit-group.ts),
 *   BENCH_STORE_CONCURRENT_TRIALS (1,000) at each size (`recordConcurrentPerSec`);
 * - p50/p95 latency at each size of what the engine and the shells read: a page of
 *   trials (the newest 50, as `trials` and the dashboard draw it), the whole list (every
 *   row validated), getIncumbent, and the lineage feedback as the driver now builds it
 *   before each proposal (a LineageIndex refreshed with the trial recorded since the last
 *   proposal), beside its first full build; the process's RSS;
 * - the driver's memory (`rssMB`, `heapMB`): a fresh process that holds what a driver
 *   holds across proposals (its LineageIndex of the study) after garbage collection
 *   (bench/store-driver-memory.ts), at 1,000 trials and at each size; the bench's own
 *   RSS (which also read the whole list) is `benchRssMB`;
 * - claims per second with 8 concurrent worker processes draining a queue of
 *   BENCH_STORE_CLAIMS trials (default 2,000), and the double claims (must be 0): on
 *   PostgreSQL (remote workers) and on one SQLite file (the processes of one host).
 * Ends with one JSON line of figures.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { LineageIndex } from '../src/core/lineage-index.ts';
import { refreshLineageIndex } from '../src/scheduler/lineage-refresh.ts';
import type { AcceptanceDecision, Store } from '../src/core/store.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../src/testing/postgres.ts';
import { fillStudy } from './store-fill.ts';
import { MATERIALISED_WRITE } from '../src/evaluator/record-step.ts';
import { countPostgresRoundTrips, type WireCounts } from '../src/testing/postgres-round-trips.ts';

/** `--name value` from the command line, else `fallback`. */
function argument(name: string, fallback: string | undefined): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const TRIALS = Number(argument('trials', process.env.BENCH_STORE_TRIALS ?? '10000'));
const QUERY_RUNS = Number(process.env.BENCH_STORE_QUERY_RUNS ?? 25);
const CLAIMS = Number(argument('claims', process.env.BENCH_STORE_CLAIMS ?? '2000'));
const STORES = new Set((argument('stores', 'sqlite,postgres') ?? '').split(','));
/** The sizes figures are taken at: 10,000 and the full size. */
const SIZES = [...new Set([Math.min(10_000, TRIALS), TRIALS])];
const WORKERS = 8;
/** Record every trial the engine's way (hours on PostgreSQL at 100,000) instead of filling past 10,000 with copies. */
const RECORD_ALL = process.argv.includes('--record-all');
/** Trials recorded the engine's way at each size past the first (their rate is the size's recording figure). */
const RECORD_AT_SIZE = Number(process.env.BENCH_STORE_RECORD_AT_SIZE ?? 2000);
/** Trials recorded the engine's way before any fill, the rows the fill copies (`--template`, default 10,000). */
const TEMPLATE = Number(argument('template', '10000'));
/**
 * `--cost-events`: each trial also logs its cost prediction right after its creation, as
 * the engine's driver does (`announceTrialCost`: an event about the trial, its own
 * transaction) — the writes of one engine trial; off by default, as the figures before.
 */
const COST_EVENTS = process.argv.includes('--cost-events');
/** Slots recording at once in the concurrent measurement (`--slots`, default 8), and the trials it records at each size. */
const SLOTS = Number(argument('slots', '8'));
const CONCURRENT_TRIALS = Number(process.env.BENCH_STORE_CONCURRENT_TRIALS ?? 1000);
const OBJECTIVE = { metric: 'val_loss', direction: 'minimize' as const };
const keepIfLower: AcceptanceDecision = (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A realistic trial: a ~1 KB patch, a diff, a log excerpt, a handful of metrics. */
function patchFor(i: number): string {
  const lines = Array.from({ length: 12 }, (_, k) => `-lr_${k} = ${(i * 7 + k) % 97}e-4\n+lr_${k} = ${(i * 11 + k) % 89}e-4\n`).join('');
  return `diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1,12 +1,12 @@\n${lines}`;
}

interface RecordFigures {
  trials: number;
  recordPerSec: number;
  recordMsPerTrial: number;
  /** PostgreSQL: per recorded trial, round trips, statements, and commits that wait for the disk or not (src/testing/postgres-round-trips.ts). */
  perTrial?: WireCounts;
}

/** What the PostgreSQL store sends (zero for SQLite). */
const wire = countPostgresRoundTrips();

const owner = { host: 'bench', pid: process.pid, token: 'bench' };

async function recordBaseline(store: Store, studyId: number): Promise<void> {
  await store.createTrial(studyId, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner });
  await store.finishTrial(studyId, 0, { status: 'scored', label: null, labelDetail: null, metrics: { val_loss: 3 }, score: 3, timings: { totalMs: 1000 }, logExcerpt: '' }, keepIfLower);
}

/** The incumbent as the bench's driver knows it. */
let incumbent = 0;

/** Records trial `i` as the engine does (created, started, materialised, finished). */
async function recordTrial(store: Store, studyId: number, i: number, slot: number): Promise<void> {
  const patch = patchFor(i);
  const trial = await store.createTrial(studyId, {
    specialist: ['knobs', 'llm', 'combine', 'ablate'][i % 4]!,
    parent: incumbent,
    hypothesis: `trial ${i}: move the learning rate schedule a little`,
    seed: i,
    edit: { kind: 'patch', patch },
    cost: i % 4 === 1 ? { usd: 0.01, inputTokens: 2000, outputTokens: 300, cachedTokens: 1000 } : null,
    owner,
  });
  if (COST_EVENTS) await store.appendEvent(studyId, trial.id, 'trial.cost_predicted', { levels: [{ level: 0, levelName: 'run', expectedRunMs: 900 }], factor: 1, terms: [{ feature: 'lines', value: 12, coefficient: 0.1 }], fittedOn: 500, usd: null });
  // startStep (src/evaluator/record-step.ts): written behind, it rides in the next write.
  await store.updateTrial(studyId, trial.id, { status: 'running', startedAt: new Date().toISOString(), owner }, { type: 'trial.started', data: { slot, gpu: null } }, { writeBehind: true });
  const commit = `c${trial.id}`.padEnd(40, '0');
  const tree = `t${trial.id}`.padEnd(40, '0');
  // materialisedStep: written behind as the engine writes it (MATERIALISED_WRITE), it rides in the outcome's transaction here.
  await store.updateTrial(studyId, trial.id, { commit, tree, diff: patch, timings: { materialiseMs: 12 } }, { type: 'trial.materialised', data: { commit } }, MATERIALISED_WRITE);
  const failed = i % 5 === 0;
  const score = 3 - Math.log1p(i) / 10 + Math.random() * 0.05;
  const metrics = { val_loss: score, accuracy: 0.9, artifact_bytes: 15e6, run_seconds: 0.9 };
  // recordStep: the outcome carries the commit, tree, diff, repeats and curve again, as the evaluator's does.
  const shared = { commit, tree, diff: patch, repeats: [{ repeat: 0, seed: i, metrics: failed ? {} : metrics, runMs: 900, verification: false }], curve: [] };
  const recorded = await store.finishTrial(
    studyId,
    trial.id,
    failed
      ? { status: 'failed', label: 'crash', labelDetail: 'exit code 1', metrics: {}, score: null, timings: { runMs: 900, totalMs: 1000 }, logExcerpt: 'Traceback (most recent call last):\n  ...\nValueError: nan loss', ...shared }
      : { status: 'scored', label: null, labelDetail: null, metrics, score, timings: { runMs: 900, scoreMs: 50, totalMs: 1000 }, logExcerpt: 'step 100 loss 2.9\nstep 200 loss 2.8\ndone', ...shared },
    keepIfLower,
  );
  if (recorded.status === 'kept') incumbent = recorded.id;
}

/** Records trials `from`..`to` (inclusive) as the engine does, one after the other (one slot). */
async function recordTrials(store: Store, studyId: number, from: number, to: number): Promise<RecordFigures> {
  const sent = wire.snapshot();
  const started = performance.now();
  for (let i = from; i <= to; i++) {
    await recordTrial(store, studyId, i, 0);
    if (i % 2000 === 0) process.stdout.write(`  … ${i} trials recorded\n`);
  }
  const ms = performance.now() - started;
  const count = to - from + 1;
  const perTrial = wire.since(sent, count);
  return { trials: count, recordPerSec: round((count / ms) * 1000, 1), recordMsPerTrial: round(ms / count, 3), ...(perTrial.statements > 0 ? { perTrial } : {}) };
}

/**
 * Records trials `from`..`to` as a driver with `slots` slots does: each slot records one
 * trial after another, the slots at once (a trial's writes in order, the slots'
 * interleaved), so writes of several slots may commit together (sql/commit-group.ts).
 */
async function recordTrialsConcurrently(store: Store, studyId: number, from: number, to: number, slots: number): Promise<ConcurrentFigures> {
  const started = performance.now();
  let next = from;
  await Promise.all(
    Array.from({ length: slots }, async (_, slot) => {
      while (next <= to) await recordTrial(store, studyId, next++, slot);
    }),
  );
  const ms = performance.now() - started;
  const count = to - from + 1;
  return { slots, concurrentTrials: count, recordConcurrentPerSec: round((count / ms) * 1000, 1) };
}

interface ConcurrentFigures {
  slots: number;
  concurrentTrials: number;
  recordConcurrentPerSec: number;
}

interface QueryFigures {
  listTrialsP50Ms: number;
  listTrialsP95Ms: number;
  listAllP50Ms: number;
  listAllP95Ms: number;
  getIncumbentP50Ms: number;
  getIncumbentP95Ms: number;
  lineageP50Ms: number;
  lineageP95Ms: number;
  lineageFullBuildMs: number;
}

async function timeQuery(runs: number, query: () => Promise<unknown>, between?: () => Promise<unknown>): Promise<number[]> {
  await query(); // warm up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (between) await between();
    const t0 = performance.now();
    await query();
    samples.push(performance.now() - t0);
  }
  return samples;
}

async function lineageQueries(store: Store, studyId: number, size: number): Promise<QueryFigures> {
  const page = await timeQuery(QUERY_RUNS * 4, () => store.listTrials(studyId, { descending: true, limit: 50 }));
  const all = await timeQuery(size > 50_000 ? 3 : size > 20_000 ? 5 : QUERY_RUNS, () => store.listTrials(studyId));
  const incumbentRead = await timeQuery(QUERY_RUNS * 4, () => store.getIncumbent(studyId));
  const index = new LineageIndex();
  const t0 = performance.now();
  await refreshLineageIndex(store, studyId, index);
  index.feedback({ study: 'bench', objective: OBJECTIVE, viewer: 'knobs' });
  const lineageFullBuildMs = performance.now() - t0;
  // Before each proposal the driver refreshes its index: here one trial was recorded since (not timed).
  let next = size + 1;
  const lineage = await timeQuery(
    QUERY_RUNS,
    async () => {
      await refreshLineageIndex(store, studyId, index);
      return index.feedback({ study: 'bench', objective: OBJECTIVE, viewer: 'knobs' });
    },
    async () => {
      await recordTrials(store, studyId, next, next);
      next++;
    },
  );
  // The trials recorded here are removed from the next size's count by starting after them.
  extraRecorded = next - size - 1;
  return {
    listTrialsP50Ms: round(percentile(page, 0.5), 3),
    listTrialsP95Ms: round(percentile(page, 0.95), 3),
    listAllP50Ms: round(percentile(all, 0.5)),
    listAllP95Ms: round(percentile(all, 0.95)),
    getIncumbentP50Ms: round(percentile(incumbentRead, 0.5), 3),
    getIncumbentP95Ms: round(percentile(incumbentRead, 0.95), 3),
    lineageP50Ms: round(percentile(lineage, 0.5), 3),
    lineageP95Ms: round(percentile(lineage, 0.95), 3),
    lineageFullBuildMs: round(lineageFullBuildMs),
  };
}

/** Trials the lineage measurement recorded past the size it measured. */
let extraRecorded = 0;

interface DriverMemory {
  trials: number;
  rssMB: number;
  heapMB: number;
  rssBeforeMB: number;
  heapBeforeMB: number;
}

/** The driver's memory at the study's current size (a fresh process: bench/store-driver-memory.ts). */
function driverMemory(location: string, studyId: number): Promise<DriverMemory> {
  const child = fork(join(import.meta.dirname, 'store-driver-memory.ts'), [location, String(studyId)], { execArgv: ['--expose-gc', '--import', 'tsx'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as DriverMemory));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`the driver memory process exited with ${code}`))));
  });
}

/** The driver's memory at 1,000 trials (taken while the template is recorded). */
let driverAtThousand: DriverMemory | null = null;

type SizeFigures = RecordFigures & ConcurrentFigures & QueryFigures & { rssMB: number; heapMB: number; benchRssMB: number };

async function benchStore(name: string, store: Store, location: string): Promise<Record<string, SizeFigures>> {
  const { study } = await store.openStudy({ name: 'bench', taskHash: 'h', taskJson: '{}' });
  await recordBaseline(store, study.id);
  incumbent = 0;
  const figures: Record<string, SizeFigures> = {};
  let recorded = 0;
  driverAtThousand = null;
  if (TRIALS >= 1000) {
    await recordTrials(store, study.id, 1, 1000);
    recorded = 1000;
    driverAtThousand = await driverMemory(location, study.id);
    process.stdout.write(`${name}: the driver at ${driverAtThousand.trials} trials: RSS ${driverAtThousand.rssMB} MB, heap ${driverAtThousand.heapMB} MB\n`);
  }
  for (const size of SIZES) {
    // The template: the first TEMPLATE trials, recorded the engine's way (its rate is printed when it is not a size).
    if (!RECORD_ALL && recorded < TEMPLATE && size > TEMPLATE) {
      const template = await recordTrials(store, study.id, recorded + 1, TEMPLATE);
      process.stdout.write(`${name}: the first ${TEMPLATE} trials recorded at ${template.recordPerSec} trials/s\n`);
      recorded = TEMPLATE;
    }
    // Past the template the study is filled with copies of it, and the last RECORD_AT_SIZE recorded the engine's way (see store-fill.ts).
    if (!RECORD_ALL && recorded >= TEMPLATE && size - RECORD_AT_SIZE > recorded) {
      const t0 = performance.now();
      recorded = await fillStudy(location, study.id, { from: 1, to: TEMPLATE }, recorded, size - RECORD_AT_SIZE);
      process.stdout.write(`${name}: filled to ${recorded} trials with copies of the first ${TEMPLATE} in ${round((performance.now() - t0) / 1000, 1)} s\n`);
    }
    process.stdout.write(`${name}: recording up to ${size} trials …\n`);
    const record = await recordTrials(store, study.id, recorded + 1, size);
    process.stdout.write(`${name}: ${record.recordPerSec} trials/s (${record.recordMsPerTrial} ms per trial: create, start, materialise, finish)\n`);
    if (record.perTrial) {
      const { roundTrips, statements, durableCommits, asyncCommits } = record.perTrial;
      process.stdout.write(`${name}: per trial ${roundTrips} round trips, ${statements} statements, ${durableCommits} commits waiting for the disk, ${asyncCommits} not waiting\n`);
    }
    const queries = await lineageQueries(store, study.id, size);
    recorded = size + extraRecorded;
    const concurrent = await recordTrialsConcurrently(store, study.id, recorded + 1, recorded + CONCURRENT_TRIALS, SLOTS);
    recorded += CONCURRENT_TRIALS;
    process.stdout.write(`${name}: ${concurrent.recordConcurrentPerSec} trials/s recorded by ${SLOTS} slots at once (${CONCURRENT_TRIALS} trials)\n`);
    const benchRssMB = round(process.memoryUsage().rss / 2 ** 20, 1);
    const driver = await driverMemory(location, study.id);
    process.stdout.write(
      `${name}: at ${size + 1} trials, a page of listTrials p50 ${queries.listTrialsP50Ms} ms / p95 ${queries.listTrialsP95Ms} ms; the whole list p95 ${queries.listAllP95Ms} ms; getIncumbent p95 ${queries.getIncumbentP95Ms} ms; lineage feedback before a proposal p95 ${queries.lineageP95Ms} ms (first full build ${queries.lineageFullBuildMs} ms); the driver's RSS ${driver.rssMB} MB (heap ${driver.heapMB} MB; ${driverAtThousand?.rssMB ?? '?'} MB at 1,000 trials); this process's RSS ${benchRssMB} MB\n`,
    );
    figures[String(size)] = { ...record, ...concurrent, ...queries, rssMB: driver.rssMB, heapMB: driver.heapMB, benchRssMB };
  }
  return figures;
}

interface ClaimFigures {
  workers: number;
  queued: number;
  claimed: number;
  claimsPerSec: number;
  doubleClaims: number;
  unclaimed: number;
  perWorker: number[];
}

/** Opens the store at `location` (a postgres:// URL or a SQLite file) as the bench does. */
function openBenchStore(location: string): Promise<PostgresStore | SqliteStore> {
  return location.startsWith('postgres') ? PostgresStore.open(location, { maxConnections: 2 }) : SqliteStore.open(location);
}

async function benchClaims(name: string, location: string): Promise<ClaimFigures> {
  const store = await openBenchStore(location);
  try {
    const { study } = await store.openStudy({ name: 'queue', taskHash: 'h', taskJson: '{}' });
    for (let i = 0; i < CLAIMS; i++) await store.createTrial(study.id, { specialist: 'knobs', parent: null, hypothesis: `queued ${i}`, seed: i, edit: { kind: 'patch', patch: patchFor(i) }, owner: null });
    process.stdout.write(`${name}: ${CLAIMS} trials queued; ${WORKERS} worker processes claim them …\n`);
    const children = Array.from({ length: WORKERS }, () => fork(join(import.meta.dirname, 'store-claim-worker.ts'), [location, String(study.id), '600000'], { execArgv: ['--import', 'tsx'] }));
    const ready = children.map((child) => new Promise<void>((resolve) => child.once('message', () => resolve())));
    const done = children.map(
      (child) =>
        new Promise<{ ids: number[]; ms: number }>((resolve, reject) => {
          child.on('message', (message: { type: string; ids: number[]; ms: number }) => {
            if (message.type === 'done') resolve(message);
          });
          child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`a claim worker exited with ${code}`))));
        }),
    );
    await Promise.all(ready);
    const started = performance.now();
    for (const child of children) child.send('go');
    const results = await Promise.all(done);
    const wallMs = performance.now() - started;
    const ids = results.flatMap((result) => result.ids);
    const claimEvents = (await store.listEvents(study.id)).filter((event) => event.type === 'trial.claimed');
    const perTrial = new Map<number, number>();
    for (const event of claimEvents) perTrial.set(event.trialId!, (perTrial.get(event.trialId!) ?? 0) + 1);
    const doubleClaims = ids.length - new Set(ids).size + [...perTrial.values()].filter((n) => n > 1).length;
    return {
      workers: WORKERS,
      queued: CLAIMS,
      claimed: ids.length,
      claimsPerSec: round((ids.length / wallMs) * 1000, 1),
      doubleClaims,
      unclaimed: await store.countTrials(study.id, { status: ['pending'] }),
      perWorker: results.map((result) => result.ids.length),
    };
  } finally {
    await store.close();
  }
}

console.log(`bench:store on ${process.platform} ${process.arch}, ${cpus().length} cores, node ${process.version}; ${TRIALS} trials; stores ${[...STORES].join(', ')}`);
const figures: Record<string, unknown> = { bench: 'store', trials: TRIALS };

const dir = await mkdtemp(join(tmpdir(), 'autolab-bench-store-'));
try {
  if (STORES.has('sqlite')) {
    const sqlite = await SqliteStore.open(join(dir, 'bench.db'));
    let recorded: Record<string, SizeFigures>;
    try {
      recorded = await benchStore('sqlite', sqlite, join(dir, 'bench.db'));
    } finally {
      await sqlite.close();
    }
    const claims = CLAIMS > 0 ? await benchClaims('sqlite', join(dir, 'queue.db')) : null;
    if (claims) process.stdout.write(`sqlite: ${claims.claimed} claims by ${claims.workers} processes at ${claims.claimsPerSec} claims/s; double claims: ${claims.doubleClaims}; per process ${claims.perWorker.join(', ')}\n`);
    figures.sqlite = { ...recorded, driverAt1000: driverAtThousand, claims };
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const server = postgresTestUrl();
if (!STORES.has('postgres')) {
  figures.postgres = null;
} else if (server.url === null) {
  console.log(server.reason);
  figures.postgres = null;
} else {
  const db = freshPostgresSchema(server.url, 'autolab_bench');
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  figures.postgresVersion = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? null;
  await client.end();
  try {
    const postgres = await PostgresStore.open(db.url, { maxConnections: 2 });
    let recorded: Record<string, SizeFigures>;
    try {
      recorded = await benchStore('postgres', postgres, db.url);
    } finally {
      await postgres.close();
    }
    const claims = CLAIMS > 0 ? await benchClaims('postgres', db.url) : null;
    if (claims) process.stdout.write(`postgres: ${claims.claimed} claims by ${claims.workers} workers at ${claims.claimsPerSec} claims/s; double claims: ${claims.doubleClaims}; per worker ${claims.perWorker.join(', ')}\n`);
    figures.postgres = { ...recorded, driverAt1000: driverAtThousand, claims };
  } finally {
    await db.drop();
  }
}

console.log(JSON.stringify(figures));
