/**
 * A child process for the multi-process tests of the PostgreSQL store (not a test itself).
 *
 *   node --import tsx postgres-child.ts migrate <url> <barrierDir>
 *   node --import tsx postgres-child.ts trials  <url> <barrierDir> <count> <study>
 *   node --import tsx postgres-child.ts claim   <url> <barrierDir> <study>
 *
 * Each child writes `<barrierDir>/ready-<pid>` when it is ready and starts racing when
 * the parent creates `<barrierDir>/go`. `migrate` opens (so migrates) the store.
 * `trials` creates `count` trials at once on the baseline, then finishes each with a
 * random score (kept when lower than the incumbent of that instant). `claim` claims
 * queued trials until none is left and finishes each one it claimed. Prints one JSON
 * line: `{ ok: true, ids }` or `{ ok: false, error }`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PostgresStore } from '../postgres-store.ts';

async function barrier(dir: string): Promise<void> {
  writeFileSync(join(dir, `ready-${process.pid}`), '');
  const deadline = Date.now() + 30_000;
  while (!existsSync(join(dir, 'go'))) {
    if (Date.now() > deadline) throw new Error('the parent never said go');
    await sleep(2);
  }
}

const keepIfLower = (candidate: { score: number }, incumbent: { score: number | null } | null) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);

async function main(): Promise<number[]> {
  const [mode, url, barrierDir, arg1, arg2] = process.argv.slice(2);
  if (url === undefined || barrierDir === undefined) throw new Error('usage: postgres-child.ts migrate|trials|claim <url> <barrierDir> ...');
  if (mode === 'migrate') {
    await barrier(barrierDir);
    const store = await PostgresStore.open(url, { maxConnections: 2 });
    await store.close();
    return [];
  }
  const store = await PostgresStore.open(url, { maxConnections: 4 });
  try {
    const studyName = mode === 'trials' ? arg2 : arg1;
    const study = studyName === undefined ? null : await store.getStudy(studyName);
    if (study === null) throw new Error(`no study ${studyName}`);
    const owner = { host: 'localhost', pid: process.pid, token: `child-${process.pid}` };
    if (mode === 'claim') {
      await barrier(barrierDir);
      const ids: number[] = [];
      for (;;) {
        const trial = await store.claimTrial(study.id, owner, 60_000);
        if (trial === null) break;
        ids.push(trial.id);
        await store.finishTrial(study.id, trial.id, { status: 'failed', label: 'crash', labelDetail: 'test', metrics: {}, score: null, timings: {}, logExcerpt: '' }, () => false);
      }
      return ids;
    }
    if (mode !== 'trials' || arg1 === undefined) throw new Error(`unknown mode ${mode}`);
    await barrier(barrierDir);
    const drafts = Array.from({ length: Number(arg1) }, (_, i) => ({ specialist: `pid-${process.pid}`, parent: 0, hypothesis: `trial ${i} of ${process.pid}`, seed: i, edit: null, owner }));
    const trials = await Promise.all(drafts.map((draft) => store.createTrial(study.id, draft)));
    for (const trial of trials) {
      const score = Math.random();
      await store.finishTrial(study.id, trial.id, { status: 'scored', label: null, labelDetail: null, metrics: { loss: score }, score, timings: {}, logExcerpt: '' }, keepIfLower);
    }
    return trials.map((t) => t.id);
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
