/**
 * npm run bench:hostile — every hostile case (test/hostile/hostile-cases*.ts) through the
 * real engine, with bubblewrap and without it, and which layer of autolab stopped each:
 * with the sandbox, all cases in one study (then a clean trial checks that the study
 * goes on); without it, the cases whose layers do not need the sandbox in one study,
 * and each of the others in a fresh study (a case that escapes would spoil the next).
 * Prints a table (case × mode → layer, or ESCAPED) and ends with one JSON line.
 *
 *   npm run bench:hostile                 # both modes
 *   npm run bench:hostile -- --no-compare # the sandboxed run only
 */
import { performance } from 'node:perf_hooks';
import type { SandboxMode } from '../src/core/task.ts';
import { probeBwrap } from '../src/executors/local/sandbox-probe.ts';
import { HOSTILE_CASES, LAYERS, type HostileCase } from '../test/hostile/hostile-cases.ts';
import { HostileSuite, type HostileResult, type SuiteChecks } from '../test/hostile/hostile-harness.ts';

function progress(mode: SandboxMode, result: HostileResult): void {
  const mark = result.skipped !== null ? 'skip' : result.contained ? 'ok  ' : 'FAIL';
  console.log(`  [${mode}] ${mark} ${result.name.padEnd(32)} ${String(result.elapsedMs).padStart(6)} ms  ${result.layer ?? '-'}: ${result.why}`);
}

/** Runs `cases` in one study; a clean trial afterwards checks the study goes on. */
async function sharedStudy(mode: SandboxMode, cases: readonly HostileCase[]): Promise<{ results: HostileResult[]; checks: SuiteChecks }> {
  const suite = await HostileSuite.open(mode);
  try {
    const results: HostileResult[] = [];
    for (const hostile of cases) {
      const result = await suite.run(hostile);
      progress(mode, result);
      results.push(result);
    }
    const checks = await suite.finish();
    console.log(`  [${mode}] study afterwards: ${checks.detail}`);
    return { results, checks };
  } finally {
    await suite.close();
  }
}

async function studyPerCase(mode: SandboxMode, cases: readonly HostileCase[]): Promise<HostileResult[]> {
  const results: HostileResult[] = [];
  for (const hostile of cases) {
    const suite = await HostileSuite.open(mode);
    try {
      const result = await suite.run(hostile);
      progress(mode, result);
      results.push(result);
    } finally {
      await suite.close();
    }
  }
  return results;
}

function cell(result: HostileResult | undefined): string {
  if (result === undefined) return '';
  if (result.skipped !== null) return 'skipped';
  return result.contained ? result.layer ?? '?' : 'ESCAPED';
}

function summary(results: readonly HostileResult[]) {
  const ran = results.filter((result) => result.skipped === null);
  const byLayer: Record<string, number> = {};
  for (const result of ran) if (result.contained && result.layer) byLayer[result.layer] = (byLayer[result.layer] ?? 0) + 1;
  return {
    cases: results.length,
    contained: ran.filter((result) => result.contained).length,
    by_layer: byLayer,
    not_contained: ran.filter((result) => !result.contained).map((result) => result.name),
    skipped: results.filter((result) => result.skipped !== null).map((result) => result.name),
  };
}

const compare = !process.argv.includes('--no-compare');
const probe = await probeBwrap();
const mode: SandboxMode = probe.available ? 'bwrap' : 'none';
console.log(`bench:hostile — ${HOSTILE_CASES.length} hostile cases through the real engine (sandbox: ${mode}${probe.available ? '' : `; bwrap unavailable: ${probe.reason}`})`);
const started = performance.now();
const sandboxed = await sharedStudy(mode, HOSTILE_CASES);
const sandboxedWallS = (performance.now() - started) / 1000;

let without: { results: HostileResult[]; checks: SuiteChecks } | null = null;
if (compare && mode === 'bwrap') {
  console.log('\nthe same cases with sandbox: none');
  const shared = await sharedStudy('none', HOSTILE_CASES.filter((hostile) => hostile.withoutSandbox === 'contained'));
  const alone = await studyPerCase('none', HOSTILE_CASES.filter((hostile) => hostile.withoutSandbox !== 'contained'));
  const byName = new Map([...shared.results, ...alone].map((result) => [result.name, result]));
  without = { results: HOSTILE_CASES.map((hostile) => byName.get(hostile.name)!), checks: shared.checks };
}

const modes = without ? ['bwrap', 'none'] : [mode];
console.log(`\nwhich layer stopped what (${modes.join(' | ')}):`);
console.log(`  ${'case'.padEnd(34)}${modes.map((name) => name.padEnd(12)).join('')}`);
for (const [index, hostile] of HOSTILE_CASES.entries()) {
  console.log(`  ${hostile.name.padEnd(34)}${cell(sandboxed.results[index]).padEnd(12)}${without ? cell(without.results[index]).padEnd(12) : ''}`);
}
console.log('\nlayers:');
for (const [layer, text] of Object.entries(LAYERS)) console.log(`  ${layer.padEnd(10)} ${text}`);
const studyChecks = (checks: SuiteChecks) => ({
  study_goes_on: checks.studyGoesOn,
  no_cheat_scored: checks.noCheatScored,
  user_repo_untouched: checks.userRepoUntouched,
  trials_recorded_once: checks.trialsRecordedOnce,
  worktrees_left: !checks.noWorktreeLeft,
});
const figures = {
  bench: 'hostile',
  sandbox: mode,
  case_names: HOSTILE_CASES.map((hostile) => hostile.name),
  [mode]: { ...summary(sandboxed.results), ...studyChecks(sandboxed.checks) },
  ...(without ? { none: { ...summary(without.results), ...studyChecks(without.checks) } } : {}),
  wall_s: Math.round(sandboxedWallS * 10) / 10,
};
console.log(JSON.stringify(figures));
