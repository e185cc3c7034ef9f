/**
 * A child process for the multi-process tests of the stores (not a test itself).
 *
 *   node --import tsx store-child.ts migrate <location> <barrierDir>
 *   node --import tsx store-child.ts trials  <location> <barrierDir> <count> <study>
 *   node --import tsx store-child.ts claim   <location> <barrierDir> <study>
 *
 * `location` is a SQLite file or a postgres:// URL. Each child opens the store (except
 * for `migrate`), writes `<barrierDir>/ready-<pid>` and starts racing when the parent
 * creates `<barrierDir>/go`, so all children start at the same instant. `migrate`
 * opens (so migrates) the store. `trials` creates `count` trials at once on the
 * baseline, then finishes each with a random score (kept when lower than the incumbent
 * of that instant). `claim` claims queued trials until none is left and records each
 * one it claimed as failed. Prints one JSON line: `{ ok: true, ids }` or
 * `{ ok: false, error }`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../core/store.ts';
import { parseStoreLocation } from '../store/open-store.ts';
import { PostgresStore } from '../store/postgres-store.ts';
import { SqliteStore } from '../store/sqlite-store.ts';

async function barrier(dir: string): Promise<void> {
  writeFileSync(join(dir, `ready-${process.pid}`), '');
  const deadline = Date.now() + 30_000;
  while (!existsSync(join(dir, 'go'))) {
    if (Date.now() > deadline) throw new Error('the parent never said go');
    await sleep(2);
  }
}

/** The store at `location`, with a small pool on PostgreSQL (several children share one server). */
function open(location: string, connections: number): Promise<PostgresStore | SqliteStore> {
  const parsed = parseStoreLocation(location);
  return parsed.kind === 'postgres' ? PostgresStore.open(parsed.url, { maxConnections: connections }) : SqliteStore.open(parsed.file);
}

const keepIfLower = (candidate: { score: number }, incumbent: { score: number | null } | null) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);

async function race(mode: 'trials' | 'claim', store: Store, studyId: number, count: number): Promise<number[]> {
  const owner = { host: 'localhost', pid: process.pid, token: `child-${process.pid}` };
  if (mode === 'claim') {
    if (store.claimTrial === undefined) throw new Error('this store has no work queue');
    const ids: number[] = [];
    for (;;) {
      const trial = await store.claimTrial(studyId, owner, 60_000);
      if (trial === null) return ids;
      ids.push(trial.id);
      await store.finishTrial(studyId, trial.id, { status: 'failed', label: 'crash', labelDetail: 'test', metrics: {}, score: null, timings: {}, logExcerpt: '' }, () => false);
    }
  }
  const drafts = Array.from({ length: count }, (_, i) => ({ specialist: `pid-${process.pid}`, parent: 0, hypothesis: `trial ${i} of ${process.pid}`, seed: i, edit: null, owner }));
  const trials = await Promise.all(drafts.map((draft) => store.createTrial(studyId, draft)));
  for (const trial of trials) {
    const score = Math.random();
    await store.finishTrial(studyId, trial.id, { status: 'scored', label: null, labelDetail: null, metrics: { loss: score }, score, timings: {}, logExcerpt: '' }, keepIfLower);
  }
  return trials.map((t) => t.id);
}

async function main(): Promise<number[]> {
  const [mode, location, barrierDir, arg1, arg2] = process.argv.slice(2);
  if (location === undefined || barrierDir === undefined) throw new Error('usage: store-child.ts migrate|trials|claim <location> <barrierDir> ...');
  if (mode === 'migrate') {
    await barrier(barrierDir);
    await (await open(location, 2)).close();
    return [];
  }
  if (mode !== 'trials' && mode !== 'claim') throw new Error(`unknown mode ${mode}`);
  const studyName = mode === 'trials' ? arg2 : arg1;
  const store = await open(location, 4);
  try {
    const study = studyName === undefined ? null : await store.getStudy(studyName);
    if (study === null) throw new Error(`no study ${studyName}`);
    await barrier(barrierDir);
    return await race(mode, store, study.id, Number(arg1));
  } finally {
    await store.close();
  }
}

main().then(
  (ids) => process.stdout.write(`${JSON.stringify({ ok: true, ids })}\n`),
  (error: unknown) => {
    process.stdout.write(`${JSON.stringify({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })}\n`);
    process.exitCode = 1;
  },
);
