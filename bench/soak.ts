/**
 * npm run bench:soak — SIGKILL the `autolab run` driver at random points of a running
 * study (start-up, proposing, materialise, preflight, run, score/record), resume, and
 * repeat; then one last driver runs to completion. Counts lost, duplicated and changed
 * trials (goal 0), and orphaned worktrees and processes (goal 0). Ends with one JSON line.
 *
 *   npm run bench:soak                      # 50 kills
 *   npm run bench:soak -- --kills 100 --seed 7
 */
import { runSoak } from '../test/soak/soak-driver.ts';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} expects a number`);
  return value;
}

const kills = option('--kills', 50);
const seed = option('--seed', Math.floor(Math.random() * 1e9));
console.log(`bench:soak — ${kills} random SIGKILLs of the driver (seed ${seed}), each followed by a resume`);
const report = await runSoak({ kills, seed, log: (line) => console.log(`  ${line}`) });
for (const detail of report.details) console.log(`  ! ${detail}`);
for (const error of report.driverErrors) console.log(`  ! ${error}`);
console.log(
  JSON.stringify({
    bench: 'soak',
    kills: report.kills,
    seed: report.seed,
    kill_points: report.killPoints,
    trials: report.trials,
    interrupted: report.interrupted,
    lost: report.lost,
    duplicated: report.duplicated,
    changed: report.changed,
    unfinished: report.unfinished,
    orphaned_worktrees: report.orphanedWorktrees,
    orphaned_processes: report.orphanedProcesses,
    processes_outliving_a_killed_driver: report.survivorsRightAfterKill,
    driver_errors: report.driverErrors.length,
    wall_s: report.wallS,
  }),
);
