/**
 * npx tsx bench/store-ab-probe.ts ANCHOR_CHECKOUT [rounds] [trials per batch] [--cost-events] [--sqlite]
 * — recording, one slot, this checkout's store against another checkout's (main), in ONE
 * process, alternating batches (anchor, this, anchor, this, ...) on two fresh schemas of
 * AUTOLAB_TEST_PG_URL (PostgreSQL), or two fresh SQLite files with `--sqlite`, so both see
 * the same load. Besides trials per second, the process's CPU time per trial (user and
 * system) of each side's batches: on a shared machine the CPU a trial costs moves less
 * with the load than its wall time. Each trial is written
 * as bench:store writes it (created; started, written behind; materialised, as that
 * checkout's engine writes it; finished).
 * Prints trials per second per batch and the medians; ends with one JSON line.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AcceptanceDecision, ProgressWriteOptions, Store } from '../src/core/store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../src/testing/postgres.ts';

const [anchorDir, roundsText = '6', batchText = '100'] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const COST_EVENTS = process.argv.includes('--cost-events');
const SQLITE = process.argv.includes('--sqlite');
const keepIfLower: AcceptanceDecision = (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);
const owner = { host: 'probe', pid: process.pid, token: 'probe' };
const server = postgresTestUrl();
if ((server.url === null && !SQLITE) || anchorDir === undefined) throw new Error('usage: AUTOLAB_TEST_PG_URL=... tsx bench/store-ab-probe.ts ANCHOR_CHECKOUT [rounds] [batch] [--sqlite]');

type Open = (url: string, options: { maxConnections: number }) => Promise<Store & { close(): Promise<void> }>;
const open = async (dir: string): Promise<Open> => {
  if (SQLITE) {
    const module = (await import(join(dir, 'src/store/sqlite-store.ts'))) as { SqliteStore: { open: (file: string) => Promise<Store & { close(): Promise<void> }> } };
    return (file) => module.SqliteStore.open(file);
  }
  const module = (await import(join(dir, 'src/store/postgres-store.ts'))) as { PostgresStore: { open: Open } };
  return (url, options) => module.PostgresStore.open(url, options);
};

/** A fresh database: a PostgreSQL schema, or a SQLite file in a temporary folder. */
function freshDatabase(): { url: string; drop: () => Promise<void> } {
  if (!SQLITE) return freshPostgresSchema(server.url!, 'autolab_probe');
  const dir = mkdtempSync(join(tmpdir(), 'autolab-ab-probe-'));
  return { url: join(dir, 'probe.db'), drop: () => rm(dir, { recursive: true, force: true }) };
}

/** How the checkout's engine writes what a trial materialised (`MATERIALISED_WRITE` of its record-step.ts; before it existed, at once). */
const materialisedWrite = async (dir: string): Promise<ProgressWriteOptions | undefined> =>
  ((await import(join(dir, 'src/evaluator/record-step.ts'))) as { MATERIALISED_WRITE?: ProgressWriteOptions }).MATERIALISED_WRITE;

async function prepare(openStore: Open, materialised: ProgressWriteOptions | undefined) {
  const db = freshDatabase();
  const store = await openStore(db.url, { maxConnections: 2 });
  const { study } = await store.openStudy({ name: 'probe', taskHash: 'h', taskJson: '{}' });
  await store.createTrial(study.id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'b', seed: 0, edit: null, owner });
  await store.finishTrial(study.id, 0, { status: 'scored', label: null, labelDetail: null, metrics: { val_loss: 3 }, score: 3, timings: {}, logExcerpt: '' }, keepIfLower);
  return { db, store, studyId: study.id, incumbent: 0, n: 0, materialised };
}

/** The process's CPU time (user and system) per trial of each side's batches, ms. */
const cpuMs = { anchor: [] as number[], branch: [] as number[] };

async function batch(side: Awaited<ReturnType<typeof prepare>>, count: number, cpu?: number[]): Promise<number> {
  const { store, studyId } = side;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < count; k++) {
    const i = ++side.n;
    const patch = `diff --git a/train.py b/train.py\n-lr = ${i}\n+lr = ${i + 1}\n`;
    const trial = await store.createTrial(studyId, { specialist: 'knobs', parent: side.incumbent, hypothesis: `trial ${i}`, seed: i, edit: { kind: 'patch', patch }, cost: i % 4 === 1 ? { usd: 0.01, inputTokens: 2000, outputTokens: 300, cachedTokens: 1000 } : null, owner });
    if (COST_EVENTS) await store.appendEvent(studyId, trial.id, 'trial.cost_predicted', { levels: [{ level: 0, levelName: 'run', expectedRunMs: 900 }], factor: 1, terms: [], fittedOn: 500, usd: null });
    await store.updateTrial(studyId, trial.id, { status: 'running', startedAt: new Date().toISOString(), owner }, { type: 'trial.started', data: { slot: 0, gpu: null } }, { writeBehind: true });
    const commit = `c${trial.id}`.padEnd(40, '0');
    await store.updateTrial(studyId, trial.id, { commit, tree: `t${trial.id}`.padEnd(40, '0'), diff: patch, timings: { materialiseMs: 12 } }, { type: 'trial.materialised', data: { commit } }, side.materialised);
    const score = 3 - Math.log1p(i) / 10 + Math.random() * 0.05;
    const failed = i % 5 === 0;
    const recorded = await store.finishTrial(
      studyId,
      trial.id,
      failed
        ? { status: 'failed', label: 'crash', labelDetail: 'exit code 1', metrics: {}, score: null, timings: { runMs: 900, totalMs: 1000 }, logExcerpt: 'ValueError: nan loss' }
        : { status: 'scored', label: null, labelDetail: null, metrics: { val_loss: score, accuracy: 0.9, artifact_bytes: 15e6, run_seconds: 0.9 }, score, timings: { runMs: 900, totalMs: 1000 }, logExcerpt: 'done' },
      keepIfLower,
    );
    if (recorded.status === 'kept') side.incumbent = recorded.id;
  }
  const rate = Math.round((count / (performance.now() - t0)) * 1000 * 10) / 10;
  const used = process.cpuUsage(cpu0);
  cpu?.push(Math.round(((used.user + used.system) / 1000 / count) * 1000) / 1000);
  return rate;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const anchor = await prepare(await open(anchorDir), await materialisedWrite(anchorDir));
const branch = await prepare(await open(join(import.meta.dirname, '..')), await materialisedWrite(join(import.meta.dirname, '..')));
const rates = { anchor: [] as number[], branch: [] as number[] };
try {
  await batch(anchor, 20); // connections, prepared statements
  await batch(branch, 20);
  for (let round = 0; round < Number(roundsText); round++) {
    rates.anchor.push(await batch(anchor, Number(batchText), cpuMs.anchor));
    rates.branch.push(await batch(branch, Number(batchText), cpuMs.branch));
    console.log(`round ${round + 1}: anchor ${rates.anchor.at(-1)} / this checkout ${rates.branch.at(-1)} trials/s; CPU ${cpuMs.anchor.at(-1)} / ${cpuMs.branch.at(-1)} ms per trial`);
  }
} finally {
  for (const side of [anchor, branch]) {
    await side.store.close();
    await side.db.drop();
  }
}
const store = SQLITE ? 'sqlite' : 'postgres';
console.log(`${store}: median one-slot trials/s: anchor ${median(rates.anchor)}, this checkout ${median(rates.branch)} (ratio ${Math.round((median(rates.branch) / median(rates.anchor)) * 100) / 100}); CPU per trial ${median(cpuMs.anchor)} / ${median(cpuMs.branch)} ms${COST_EVENTS ? '; with the cost event' : ''}`);
console.log(JSON.stringify({ bench: 'store-ab-probe', store, costEvents: COST_EVENTS, anchor: rates.anchor, branch: rates.branch, anchorMedian: median(rates.anchor), branchMedian: median(rates.branch), anchorCpuMsPerTrial: cpuMs.anchor, branchCpuMsPerTrial: cpuMs.branch, anchorCpuMedian: median(cpuMs.anchor), branchCpuMedian: median(cpuMs.branch) }));
