/**
 * The crash soak: an `autolab run` driver is SIGKILLed at random moments of a running
 * study (starting up, proposing, materialising, in preflight, run, score or record), then
 * started again, over and over; a last driver then runs to completion. What was recorded
 * is checked against snapshots taken before every kill: no trial lost, none recorded
 * twice, no finished trial changed, nothing left running, no worktree and no process left
 * behind. Shared by test/soak (a few kills) and bench/soak.ts (50 and more).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TrialRecord } from '../../src/core/trial.ts';
import { seededRandom } from '../../src/core/random.ts';
import { startCli, type CliResult } from '../../src/testing/cli.ts';
import { gitIn, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';
import { storedTrials } from '../../src/testing/stored-trials.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');

export interface SoakOptions {
  /** How many times a driver is SIGKILLed. */
  kills: number;
  /** Seed of the random kill moments (printed, so that a failing soak replays). */
  seed?: number;
  /**
   * A kill comes this long (uniformly, ms) after the driver printed its header (the study
   * is open; recovery, setup and the baseline come next). Default 0..3000.
   */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** The share of kills that come instead at a random moment of the driver's start-up (before its header). Default 0.1. */
  startupKillShare?: number;
  /** Trials the last driver runs to completion after the kills. Default 2. */
  finalTrials?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Where the study stood when a driver was killed. */
export type KillPoint = 'startup' | 'propose' | 'materialise' | 'preflight' | 'run' | 'score/record';

export interface SoakReport {
  kills: number;
  seed: number;
  /** How many kills landed in each phase (the most advanced phase of the driver's running trials). */
  killPoints: Record<KillPoint, number>;
  /** Trials recorded in the end (the baseline included). */
  trials: number;
  /** Recorded as interrupted by the recovery of a later driver. */
  interrupted: number;
  /** Ids missing from 0..n-1, or seen finished before a kill and gone afterwards. */
  lost: number;
  /** Extra measurements of the same tree (a trial recorded twice). */
  duplicated: number;
  /** Finished trials whose record changed after a later kill (finished trials are immutable). */
  changed: number;
  /** Trials still pending or running after the last driver finished. */
  unfinished: number;
  /** Worktrees of the study left after the last driver finished. */
  orphanedWorktrees: number;
  /** Processes of the study (its AUTOLAB_DATA) alive after the last driver finished. */
  orphanedProcesses: number;
  /** Processes of a killed driver still alive 300 ms after the kill, before any recovery (sandboxed phases die with their driver; the score phase is not sandboxed). */
  survivorsRightAfterKill: number;
  /** Drivers that exited with an error (not by our kill). */
  driverErrors: string[];
  wallS: number;
  details: string[];
}

/** The recipe of the soak: the fixture with a preflight of ~0.3 s, a run of ~0.4 s and a score of ~0.25 s, two slots. */
async function soakRecipe(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const repo = await makeRecipeRepo(FIXTURE);
  const add = (file: string, text: string) => writeFileSync(join(repo.dir, file), readFileSync(join(repo.dir, file), 'utf8') + text);
  add('train.js', '\nawait new Promise((resolve) => setTimeout(resolve, 400));\n');
  add('score.js', '\nawait new Promise((resolve) => setTimeout(resolve, 250));\n');
  const taskFile = join(repo.dir, 'autolab.yaml');
  writeFileSync(taskFile, readFileSync(taskFile, 'utf8').replace('command: node --check train.js,', "command: 'node --check train.js && sleep 0.3',"));
  gitIn(repo.dir, ['commit', '-qam', 'soak timings']);
  return repo;
}

/** Live processes (not zombies) whose environment names this study's data folder. */
export function studyProcesses(dir: string): number[] {
  const needle = `AUTOLAB_DATA=${join(dir, '.autolab')}/`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z' && readFileSync(`/proc/${entry}/environ`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // gone or not ours
    }
  }
  return pids;
}

function killPointOf(dir: string, trials: TrialRecord[], driverPid: number, idsBefore: number): KillPoint {
  const mine = trials.filter((trial) => (trial.status === 'running' || trial.status === 'pending') && trial.owner?.pid === driverPid);
  const created = trials.some((trial) => trial.id >= idsBefore);
  if (mine.length === 0) return created ? 'propose' : 'startup';
  const rank: KillPoint[] = ['materialise', 'preflight', 'run', 'score/record'];
  let best = 0;
  for (const trial of mine) {
    const folder = join(dir, '.autolab', 'studies', 'fixture', 'trials', String(trial.id));
    const phase = existsSync(join(folder, 'score.log')) ? 3 : existsSync(join(folder, 'run.log')) ? 2 : existsSync(join(folder, 'preflight.log')) ? 1 : 0;
    best = Math.max(best, phase);
  }
  return rank[best]!;
}

function fingerprint(trial: TrialRecord): string {
  return JSON.stringify([trial.status, trial.label, trial.score, trial.commit, trial.tree, trial.finishedAt, trial.metrics]);
}

const NOT_A_MEASUREMENT = new Set(['interrupted', 'infra_error', 'apply_failed', 'duplicate']);

/**
 * Runs the soak and reports what it found; never throws for what the engine does wrong
 * (that is what the figures are for), only when the soak itself cannot run.
 *
 * @example
 * const report = await runSoak({ kills: 50, log: console.log });
 * console.log(report.lost, report.duplicated);
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const seed = options.seed ?? Math.floor(Math.random() * 1e9);
  const random = seededRandom(seed);
  const minDelay = options.minDelayMs ?? 0;
  const maxDelay = options.maxDelayMs ?? 3_000;
  const startupShare = options.startupKillShare ?? 0.1;
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const repo = await soakRecipe();
  const dir = repo.dir;
  const killPoints: Record<KillPoint, number> = { startup: 0, propose: 0, materialise: 0, preflight: 0, run: 0, 'score/record': 0 };
  const finishedSeen = new Map<number, string>();
  const details: string[] = [];
  const driverErrors: string[] = [];
  let survivors = 0;
  let changed = 0;
  let lostSeen = 0;
  const check = (trials: TrialRecord[]) => {
    const now = new Map(trials.map((trial) => [trial.id, trial]));
    for (const [id, before] of finishedSeen) {
      const after = now.get(id);
      if (!after) {
        lostSeen += 1;
        details.push(`trial #${id} was recorded, then vanished`);
        finishedSeen.delete(id);
      } else if (fingerprint(after) !== before) {
        changed += 1;
        details.push(`finished trial #${id} changed: ${before} -> ${fingerprint(after)}`);
        finishedSeen.set(id, fingerprint(after));
      }
    }
    for (const trial of trials) if (trial.finishedAt !== null && !finishedSeen.has(trial.id)) finishedSeen.set(trial.id, fingerprint(trial));
  };
  try {
    for (let kill = 1; kill <= options.kills; kill++) {
      const idsBefore = (await storedTrials(dir)).length;
      const launched = performance.now();
      const { child, done } = startCli(['run', dir, '--trials', '1000']);
      const exited = done.then((result) => ({ result }));
      const header = new Promise<void>((resolve) => {
        let text = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (text.includes('objective:')) resolve();
        });
      });
      const duringStartup = random() < startupShare;
      const delay = duringStartup ? random() * 1_500 : minDelay + random() * (maxDelay - minDelay);
      const armed = duringStartup ? Promise.resolve() : header;
      const early = await Promise.race([exited, armed.then(() => new Promise<null>((resolve) => setTimeout(() => resolve(null), delay)))]);
      if (early !== null) {
        driverErrors.push(`driver ${kill} exited by itself (${early.result.code}): ${describeCli(early.result)}`);
        continue;
      }
      const point = killPointOf(dir, await storedTrials(dir), child.pid!, idsBefore);
      child.kill('SIGKILL');
      await done;
      killPoints[point] += 1;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const left = studyProcesses(dir).length;
      survivors += left;
      const trials = await storedTrials(dir);
      check(trials);
      log(`kill ${String(kill).padStart(3)} ${Math.round(performance.now() - launched)} ms after launch in ${point.padEnd(12)} · ${trials.length} trials · ${left} process(es) outlived the driver by 300 ms`);
    }
    const last = await new Promise<CliResult>((resolve) => startCli(['run', dir, '--trials', String(options.finalTrials ?? 2)]).done.then(resolve));
    if (last.code !== 0) driverErrors.push(`the last driver failed (${last.code}): ${describeCli(last)}`);
    const trials = await storedTrials(dir);
    check(trials);
    const ids = trials.map((trial) => trial.id);
    const gaps = ids.length === 0 ? 0 : Math.max(...ids) + 1 - new Set(ids).size;
    if (gaps > 0) details.push(`${gaps} id(s) missing from 0..${Math.max(...ids)}`);
    const measuredTrees = new Map<string, number>();
    let duplicated = 0;
    for (const trial of trials) {
      if (trial.tree === null || trial.label !== null && NOT_A_MEASUREMENT.has(trial.label) || trial.notes.includes('retry of trial')) continue;
      const earlier = measuredTrees.get(trial.tree);
      if (earlier !== undefined) {
        duplicated += 1;
        details.push(`trial #${trial.id} measured the same tree as #${earlier}`);
      } else measuredTrees.set(trial.tree, trial.id);
    }
    const unfinished = trials.filter((trial) => trial.finishedAt === null || trial.status === 'pending' || trial.status === 'running');
    for (const trial of unfinished) details.push(`trial #${trial.id} still ${trial.status}`);
    const worktreesDir = join(dir, '.autolab', 'worktrees');
    const worktrees = existsSync(worktreesDir) ? readdirSync(worktreesDir).filter((name) => name.startsWith('fixture+')) : [];
    if (worktrees.length > 0) details.push(`worktrees left: ${worktrees.join(', ')}`);
    const processes = studyProcesses(dir);
    if (processes.length > 0) details.push(`processes left: ${processes.join(', ')}`);
    return {
      kills: options.kills,
      seed,
      killPoints,
      trials: trials.length,
      interrupted: trials.filter((trial) => trial.label === 'interrupted').length,
      lost: gaps + lostSeen,
      duplicated,
      changed,
      unfinished: unfinished.length,
      orphanedWorktrees: worktrees.length,
      orphanedProcesses: processes.length,
      survivorsRightAfterKill: survivors,
      driverErrors,
      wallS: Math.round((performance.now() - started) / 100) / 10,
      details,
    };
  } finally {
    for (const pid of studyProcesses(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await repo.cleanup();
  }
}

function describeCli(result: CliResult): string {
  return (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' / ');
}
