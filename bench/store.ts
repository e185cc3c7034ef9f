/**
 * npm run bench:store — the store at the scale of a long study, on SQLite and on
 * PostgreSQL (the server of AUTOLAB_TEST_PG_URL, in a fresh schema dropped afterwards;
 * skipped with a note when unset):
 * - trials recorded per second by one driver, each trial written as the engine writes
 *   it (created, started, materialised, finished with metrics and the acceptance
 *   decision): BENCH_STORE_TRIALS trials (default 10,000);
 * - p50/p95 latency of the lineage queries at that size: listTrials (every trial, rows
 *   validated), getIncumbent, and buildLineageFeedback over listTrials;
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
import { buildLineageFeedback } from '../src/core/lineage-feedback.ts';
import type { AcceptanceDecision, Store } from '../src/core/store.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../src/testing/postgres.ts';

const TRIALS = Number(process.env.BENCH_STORE_TRIALS ?? 10_000);
const QUERY_RUNS = Number(process.env.BENCH_STORE_QUERY_RUNS ?? 25);
const CLAIMS = Number(process.env.BENCH_STORE_CLAIMS ?? 2_000);
const WORKERS = 8;
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
}

async function recordTrials(store: Store, studyId: number, count: number): Promise<RecordFigures> {
  const owner = { host: 'bench', pid: process.pid, token: 'bench' };
  await store.createTrial(studyId, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner });
  await store.finishTrial(studyId, 0, { status: 'scored', label: null, labelDetail: null, metrics: { val_loss: 3 }, score: 3, timings: { totalMs: 1000 }, logExcerpt: '' }, keepIfLower);
  let incumbent = 0;
  const started = performance.now();
  for (let i = 1; i <= count; i++) {
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
    await store.updateTrial(studyId, trial.id, { status: 'running', owner }, { type: 'trial.started', data: { slot: 0, gpu: null } });
    const commit = `c${i}`.padEnd(40, '0');
    await store.updateTrial(studyId, trial.id, { commit, tree: `t${i}`.padEnd(40, '0'), diff: patch, timings: { materialiseMs: 12 } }, { type: 'trial.materialised', data: { commit } });
    const failed = i % 5 === 0;
    const score = 3 - Math.log1p(i) / 10 + Math.random() * 0.05;
    const recorded = await store.finishTrial(
      studyId,
      trial.id,
      failed
        ? { status: 'failed', label: 'crash', labelDetail: 'exit code 1', metrics: {}, score: null, timings: { runMs: 900, totalMs: 1000 }, logExcerpt: 'Traceback (most recent call last):\n  ...\nValueError: nan loss' }
        : { status: 'scored', label: null, labelDetail: null, metrics: { val_loss: score, accuracy: 0.9, artifact_bytes: 15e6, run_seconds: 0.9 }, score, timings: { runMs: 900, scoreMs: 50, totalMs: 1000 }, logExcerpt: 'step 100 loss 2.9\nstep 200 loss 2.8\ndone' },
      keepIfLower,
    );
    if (recorded.status === 'kept') incumbent = recorded.id;
    if (i % 2000 === 0) process.stdout.write(`  … ${i} trials recorded\n`);
  }
  const ms = performance.now() - started;
  return { trials: count, recordPerSec: round((count / ms) * 1000, 1), recordMsPerTrial: round(ms / count, 3) };
}

interface QueryFigures {
  listTrialsP50Ms: number;
  listTrialsP95Ms: number;
  getIncumbentP50Ms: number;
  getIncumbentP95Ms: number;
  lineageP50Ms: number;
  lineageP95Ms: number;
}

async function timeQuery(runs: number, query: () => Promise<unknown>): Promise<number[]> {
  await query(); // warm up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await query();
    samples.push(performance.now() - t0);
  }
  return samples;
}

async function lineageQueries(store: Store, studyId: number): Promise<QueryFigures> {
  const list = await timeQuery(QUERY_RUNS, () => store.listTrials(studyId));
  const incumbent = await timeQuery(QUERY_RUNS * 4, () => store.getIncumbent(studyId));
  const lineage = await timeQuery(QUERY_RUNS, async () => buildLineageFeedback(await store.listTrials(studyId), { study: 'bench', objective: OBJECTIVE, viewer: 'knobs' }));
  return {
    listTrialsP50Ms: round(percentile(list, 0.5)),
    listTrialsP95Ms: round(percentile(list, 0.95)),
    getIncumbentP50Ms: round(percentile(incumbent, 0.5), 3),
    getIncumbentP95Ms: round(percentile(incumbent, 0.95), 3),
    lineageP50Ms: round(percentile(lineage, 0.5)),
    lineageP95Ms: round(percentile(lineage, 0.95)),
  };
}

async function benchStore(name: string, store: Store): Promise<RecordFigures & QueryFigures> {
  const { study } = await store.openStudy({ name: 'bench', taskHash: 'h', taskJson: '{}' });
  process.stdout.write(`${name}: recording ${TRIALS} trials …\n`);
  const recorded = await recordTrials(store, study.id, TRIALS);
  process.stdout.write(`${name}: ${recorded.recordPerSec} trials/s (${recorded.recordMsPerTrial} ms per trial: create, start, materialise, finish)\n`);
  const queries = await lineageQueries(store, study.id);
  process.stdout.write(
    `${name}: at ${TRIALS + 1} trials, listTrials p50 ${queries.listTrialsP50Ms} ms / p95 ${queries.listTrialsP95Ms} ms; getIncumbent p95 ${queries.getIncumbentP95Ms} ms; lineage feedback p95 ${queries.lineageP95Ms} ms\n`,
  );
  return { ...recorded, ...queries };
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
    const children = Array.from({ length: WORKERS }, () => fork(join(import.meta.dirname, 'store-claim-worker.ts'), [location, String(study.id), '60000'], { execArgv: ['--import', 'tsx'] }));
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

console.log(`bench:store on ${process.platform} ${process.arch}, ${cpus().length} cores, node ${process.version}; ${TRIALS} trials`);
const figures: Record<string, unknown> = { bench: 'store', trials: TRIALS };

const dir = await mkdtemp(join(tmpdir(), 'autolab-bench-store-'));
try {
  const sqlite = await SqliteStore.open(join(dir, 'bench.db'));
  let recorded: RecordFigures & QueryFigures;
  try {
    recorded = await benchStore('sqlite', sqlite);
  } finally {
    await sqlite.close();
  }
  const claims = await benchClaims('sqlite', join(dir, 'queue.db'));
  process.stdout.write(`sqlite: ${claims.claimed} claims by ${claims.workers} processes at ${claims.claimsPerSec} claims/s; double claims: ${claims.doubleClaims}; per process ${claims.perWorker.join(', ')}\n`);
  figures.sqlite = { ...recorded, claims };
} finally {
  await rm(dir, { recursive: true, force: true });
}

const server = postgresTestUrl();
if (server.url === null) {
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
    let recorded: RecordFigures & QueryFigures;
    try {
      recorded = await benchStore('postgres', postgres);
    } finally {
      await postgres.close();
    }
    const claims = await benchClaims('postgres', db.url);
    process.stdout.write(`postgres: ${claims.claimed} claims by ${claims.workers} workers at ${claims.claimsPerSec} claims/s; double claims: ${claims.doubleClaims}; per worker ${claims.perWorker.join(', ')}\n`);
    figures.postgres = { ...recorded, claims };
  } finally {
    await db.drop();
  }
}

console.log(JSON.stringify(figures));
