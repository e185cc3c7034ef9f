/**
 * npx tsx bench/store-ab-probe.ts ANCHOR_CHECKOUT [rounds] [trials per batch] [--cost-events]
 * — PostgreSQL recording, one slot, this checkout's store against another checkout's
 * (main), in ONE process, alternating batches (anchor, this, anchor, this, ...) on two
 * fresh schemas of AUTOLAB_TEST_PG_URL, so both see the same load. Each trial is written
 * as bench:store writes it (created; started, written behind; materialised, as that
 * checkout's engine writes it; finished).
 * Prints trials per second per batch and the medians; ends with one JSON line.
 */
import { join } from 'node:path';
import type { AcceptanceDecision, ProgressWriteOptions, Store } from '../src/core/store.ts';
import { freshPostgresSchema, postgresTestUrl } from '../src/testing/postgres.ts';

const [anchorDir, roundsText = '6', batchText = '100'] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const COST_EVENTS = process.argv.includes('--cost-events');
const keepIfLower: AcceptanceDecision = (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);
const owner = { host: 'probe', pid: process.pid, token: 'probe' };
const server = postgresTestUrl();
if (server.url === null || anchorDir === undefined) throw new Error('usage: AUTOLAB_TEST_PG_URL=... tsx bench/store-ab-probe.ts ANCHOR_CHECKOUT [rounds] [batch]');

type Open = (url: string, options: { maxConnections: number }) => Promise<Store & { close(): Promise<void> }>;
const open = async (dir: string): Promise<Open> => {
  const module = (await import(join(dir, 'src/store/postgres-store.ts'))) as { PostgresStore: { open: Open } };
  return (url, options) => module.PostgresStore.open(url, options);
};

/** How the checkout's engine writes what a trial materialised (`MATERIALISED_WRITE` of its record-step.ts; before it existed, at once). */
const materialisedWrite = async (dir: string): Promise<ProgressWriteOptions | undefined> =>
  ((await import(join(dir, 'src/evaluator/record-step.ts'))) as { MATERIALISED_WRITE?: ProgressWriteOptions }).MATERIALISED_WRITE;

async function prepare(openStore: Open, materialised: ProgressWriteOptions | undefined) {
  const db = freshPostgresSchema(server.url!, 'autolab_probe');
  const store = await openStore(db.url, { maxConnections: 2 });
  const { study } = await store.openStudy({ name: 'probe', taskHash: 'h', taskJson: '{}' });
  await store.createTrial(study.id, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'b', seed: 0, edit: null, owner });
  await store.finishTrial(study.id, 0, { status: 'scored', label: null, labelDetail: null, metrics: { val_loss: 3 }, score: 3, timings: {}, logExcerpt: '' }, keepIfLower);
  return { db, store, studyId: study.id, incumbent: 0, n: 0, materialised };
}

async function batch(side: Awaited<ReturnType<typeof prepare>>, count: number): Promise<number> {
  const { store, studyId } = side;
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
  return Math.round((count / (performance.now() - t0)) * 1000 * 10) / 10;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const anchor = await prepare(await open(anchorDir), await materialisedWrite(anchorDir));
const branch = await prepare(await open(join(import.meta.dirname, '..')), await materialisedWrite(join(import.meta.dirname, '..')));
const rates = { anchor: [] as number[], branch: [] as number[] };
try {
  await batch(anchor, 20); // connections, prepared statements
  await batch(branch, 20);
  for (let round = 0; round < Number(roundsText); round++) {
    rates.anchor.push(await batch(anchor, Number(batchText)));
    rates.branch.push(await batch(branch, Number(batchText)));
    console.log(`round ${round + 1}: anchor ${rates.anchor.at(-1)} / this checkout ${rates.branch.at(-1)} trials/s`);
  }
} finally {
  for (const side of [anchor, branch]) {
    await side.store.close();
    await side.db.drop();
  }
}
console.log(`median one-slot trials/s: anchor ${median(rates.anchor)}, this checkout ${median(rates.branch)} (ratio ${Math.round((median(rates.branch) / median(rates.anchor)) * 100) / 100})${COST_EVENTS ? ', with the cost event' : ''}`);
console.log(JSON.stringify({ bench: 'store-ab-probe', costEvents: COST_EVENTS, anchor: rates.anchor, branch: rates.branch, anchorMedian: median(rates.anchor), branchMedian: median(rates.branch) }));
