/**
 * A child process for the multi-process tests of the SQLite store (not a test itself).
 *
 *   node --import tsx concurrent-child.ts migrate <db> <barrierDir>
 *   node --import tsx concurrent-child.ts trials  <db> <barrierDir> <count> <study>
 *
 * Each child writes `<barrierDir>/ready-<pid>` when it is ready and starts racing when
 * the parent creates `<barrierDir>/go`, so all children start at the same instant.
 * `migrate` then opens (so migrates) the file. `trials` opens the file first, then
 * creates `count` trials at once on the baseline, then finishes each
 * with a random score (kept when lower than the incumbent of that instant). It prints
 * one JSON line: `{ ok: true, ids }` or `{ ok: false, error }`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteStore } from '../sqlite-store.ts';

async function barrier(dir: string): Promise<void> {
  writeFileSync(join(dir, `ready-${process.pid}`), '');
  const deadline = Date.now() + 30_000;
  while (!existsSync(join(dir, 'go'))) {
    if (Date.now() > deadline) throw new Error('the parent never said go');
    await sleep(2);
  }
}

async function main(): Promise<number[]> {
  const [mode, file, barrierDir, countText, studyName] = process.argv.slice(2);
  if (file === undefined || barrierDir === undefined) throw new Error('usage: concurrent-child.ts migrate|trials <db> <barrierDir> [count study]');
  if (mode === 'migrate') {
    await barrier(barrierDir);
    const store = await SqliteStore.open(file);
    await store.close();
    return [];
  }
  if (mode !== 'trials' || countText === undefined || studyName === undefined) throw new Error(`unknown mode ${mode}`);
  const store = await SqliteStore.open(file);
  try {
    const study = await store.getStudy(studyName);
    if (study === null) throw new Error(`no study ${studyName}`);
    await barrier(barrierDir);
    const drafts = Array.from({ length: Number(countText) }, (_, i) => ({
      specialist: `pid-${process.pid}`,
      parent: 0,
      hypothesis: `trial ${i} of ${process.pid}`,
      seed: i,
      edit: null,
      owner: { host: 'localhost', pid: process.pid, token: String(process.pid) },
    }));
    const trials = await Promise.all(drafts.map((draft) => store.createTrial(study.id, draft)));
    for (const trial of trials) {
      const score = Math.random();
      await store.finishTrial(
        study.id,
        trial.id,
        { status: 'scored', label: null, labelDetail: null, metrics: { loss: score }, score, timings: {}, logExcerpt: '' },
        (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity),
      );
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
