/**
 * A real worker process for the tests of remote workers on any store (not a test itself):
 * `study.work()` on the study of a task folder, with the driver and its workers on this
 * host (`sameHost`: a SQLite file serves as well as PostgreSQL).
 *
 *   node --import tsx worker-child.ts <task folder> <store> <lease ms> <idle exit ms>
 *
 * Prints the worker's log lines, then one JSON line: `{ ok: true, recorded, levelsMeasured,
 * lost }` or `{ ok: false, error }`.
 */
import { openStudy } from '../engine/open-study.ts';

const [dir, store, lease, idle] = process.argv.slice(2);
try {
  const study = await openStudy(dir!, { store: store! });
  try {
    const summary = await study.work({ sameHost: true, leaseMs: Number(lease), idleExitMs: Number(idle), parallel: 1, pollMs: 200, log: (line) => console.log(line) });
    console.log(JSON.stringify({ ok: true, recorded: summary.recorded.map((trial) => trial.id), levelsMeasured: summary.levelsMeasured, lost: summary.lost }));
  } finally {
    await study.close();
  }
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) }));
  process.exitCode = 1;
}
