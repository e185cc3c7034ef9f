/**
 * npm run bench:hostile — how many hostile-trial cases (test/hostile/hostile-cases.ts)
 * are contained: every case submitted through the real engine into one study with the
 * task's default sandbox (bwrap where it works), then a clean trial to check the study
 * goes on. For contrast, the same cases with `sandbox: none`, each in a fresh study (a
 * case that escapes would otherwise spoil the next). Ends with one JSON line of figures.
 *
 *   npm run bench:hostile                 # both
 *   npm run bench:hostile -- --no-compare # the sandboxed run only
 */
import { performance } from 'node:perf_hooks';
import type { SandboxMode } from '../src/core/task.ts';
import { probeBwrap } from '../src/executors/local/sandbox-probe.ts';
import { HOSTILE_CASES } from '../test/hostile/hostile-cases.ts';
import { HostileSuite, type HostileResult, type SuiteChecks } from '../test/hostile/hostile-harness.ts';

function line(result: HostileResult): string {
  const mark = result.skipped !== null ? 'skip' : result.contained ? 'ok  ' : 'FAIL';
  return `  ${mark} ${result.name.padEnd(30)} ${String(result.elapsedMs).padStart(6)} ms  ${result.why}`;
}

async function sharedStudy(mode: SandboxMode): Promise<{ results: HostileResult[]; checks: SuiteChecks }> {
  const suite = await HostileSuite.open(mode);
  try {
    const results: HostileResult[] = [];
    for (const hostile of HOSTILE_CASES) {
      const result = await suite.run(hostile);
      console.log(line(result));
      results.push(result);
    }
    const checks = await suite.finish();
    console.log(`  study afterwards: ${checks.detail}`);
    return { results, checks };
  } finally {
    await suite.close();
  }
}

async function studyPerCase(mode: SandboxMode): Promise<HostileResult[]> {
  const results: HostileResult[] = [];
  for (const hostile of HOSTILE_CASES) {
    const suite = await HostileSuite.open(mode);
    try {
      const result = await suite.run(hostile);
      console.log(line(result));
      results.push(result);
    } finally {
      await suite.close();
    }
  }
  return results;
}

function summary(results: HostileResult[]) {
  const ran = results.filter((result) => result.skipped === null);
  return {
    cases: results.length,
    contained: ran.filter((result) => result.contained).length,
    skipped: results.filter((result) => result.skipped !== null).map((result) => result.name),
    not_contained: ran.filter((result) => !result.contained).map((result) => result.name),
  };
}

const compare = !process.argv.includes('--no-compare');
const probe = await probeBwrap();
const mode: SandboxMode = probe.available ? 'bwrap' : 'none';
console.log(`bench:hostile — ${HOSTILE_CASES.length} hostile cases through the real engine (sandbox: ${mode}${probe.available ? '' : `; bwrap unavailable: ${probe.reason}`})`);
const started = performance.now();
const sandboxed = await sharedStudy(mode);
const sandboxedWallS = (performance.now() - started) / 1000;
let contrast: ReturnType<typeof summary> | null = null;
if (compare && mode === 'bwrap') {
  console.log('\nthe same cases with sandbox: none (one fresh study per case), for contrast');
  contrast = summary(await studyPerCase('none'));
}
const figures = {
  bench: 'hostile',
  sandbox: mode,
  ...summary(sandboxed.results),
  study_goes_on: sandboxed.checks.studyGoesOn,
  no_cheat_scored: sandboxed.checks.noCheatScored,
  user_repo_untouched: sandboxed.checks.userRepoUntouched,
  trials_recorded_once: sandboxed.checks.trialsRecordedOnce,
  worktrees_left: !sandboxed.checks.noWorktreeLeft,
  wall_s: Math.round(sandboxedWallS * 10) / 10,
  ...(contrast ? { without_sandbox: contrast } : {}),
};
console.log(JSON.stringify(figures));
