/**
 * npm run bench:fidelity — multi-fidelity trials at an equal CPU budget: single fidelity
 * (every trial at full scale) against the ladder s/m/full with each promotion rule
 * (successive_halving, top_k, predicted) and against Optuna (TPE with its
 * HyperbandPruner, and with its SuccessiveHalvingPruner, over steps: the in-run peers), on a real-process recipe whose full-scale
 * outcome depends on the configuration and the scale (bench/fidelity-recipe.ts: wider
 * models lose at small scale and win at full; the `trick` wins at small scale and loses at
 * full). The same knobs specialist (TPE) proposes in every autolab variant.
 *
 * Budget: `--budget` full-run equivalents of run CPU (a level costs its scale; the baseline
 * is not counted). Per variant, median over seeds: the regret (true full-scale loss of the
 * final best minus the optimum), the training CPU seconds (each run spins scale x --work
 * CPU-seconds, Optuna's steps 0.1 x --work each; wall-clock times on a shared machine measure
 * contention and interpreter start-up, not work) until the variant's best was
 * at least as good as single fidelity's final best, and for the ladders the share of planted
 * shrinking gains (trials truly better than their parent at s and not at full, by the
 * noise-free loss: the trick and wider models plant them; measured at s and m) flagged from
 * s and m alone, and the rank correlation
 * (Spearman) of s-level scores with true full-scale losses.
 *
 * Per variant also the CPU to single's final best over single's own CPU to it
 * (`cpu_ratio_to_single`, the strict reading of the issue's "a third of the CPU time", and
 * `seeds_within_third`) and over single's whole CPU budget (`cpu_ratio_to_single_budget`,
 * the CPU single fidelity spent to produce that best), each the median of per-seed ratios.
 * For the ladders also `cpu_ratio_to_oracle_floor`: the CPU to single's best over what an
 * oracle ladder would need on the seed (`oracleFloorS`: the sampler's first draws are the
 * same in every variant, so even perfect play screens up to single's winner and climbs it
 * once), and at the top `oracle_floor_ratio_to_single`, that floor over single's own CPU
 * (the best `cpu_ratio_to_single` any continued ladder could reach).
 *
 * Variants run interleaved (every variant of seed 1, then of seed 2, ...), so all see the
 * same machine load; the figures so far are printed after every seed (`so far {...}`), so
 * a run cut short still reports what it finished. Options: --first-seed K (start at seed K,
 * to add seeds to a run cut short), --variants a,b (default all;
 * single always runs), --seeds N (default 5), --rule-seeds K (the ladder rules other than
 * --main-rule, default gain_per_cost, run on seeds 1..K only, after every seed of the other
 * variants: a ladder run takes minutes of wall clock on a loaded machine), --budget UNITS
 * (default 20), --work SECONDS (CPU of one full run, default 0.3), --parallel N (default
 * 2), --python PATH, --trace (each run's measurements in order: time, CPU so far, trial,
 * level, score, true full-scale loss, parent, outcome; to see where the CPU goes).
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { summariseLadder } from '../src/core/ladder-summary.ts';
import { auditEventsOf } from '../src/core/audit-events.ts';
import type { TrialLevelRecord } from '../src/core/fidelity.ts';
import type { TrialRecord } from '../src/core/trial.ts';
import { openStudy } from '../src/engine/open-study.ts';
import { optimumLoss, taskYaml, trueLoss, writeRecipe, type BenchConfig } from './fidelity-recipe.ts';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
const seeds = Number(argument('seeds') ?? 5);
/** --first-seed K: start at seed K (to add seeds to a run cut short; the figures then cover seeds K..N). */
const firstSeed = Number(argument('first-seed') ?? 1);
const budget = Number(argument('budget') ?? 20);
const work = Number(argument('work') ?? 0.3);
const parallel = Number(argument('parallel') ?? 2);
const python = argument('python') ?? process.env.AUTOLAB_PYTHON ?? '/usr/bin/python3';
/** --trace: print each variant's measurements in order (level, score, true full loss, CPU so far, kept), to see where the CPU goes. */
const trace = process.argv.includes('--trace');
process.env.BENCH_WORK_SECONDS = String(work);

/** The ladder variants: the promotion rule, and whether a promoted run continues from the level below (`continue: true`) or starts over. */
const LADDERS: Record<string, { promote: string; continued: boolean }> = {
  successive_halving: { promote: '{ rule: successive_halving, eta: 3 }', continued: true },
  gain_per_cost: { promote: '{ rule: gain_per_cost, eta: 3 }', continued: true },
  top_k: { promote: '{ rule: top_k, k: 2 }', continued: true },
  predicted: { promote: '{ rule: predicted, eta: 3, confidence: 0.8 }', continued: true },
  successive_halving_scratch: { promote: '{ rule: successive_halving, eta: 3 }', continued: false },
};

/** The ladder's scales (as `taskYaml` writes them: s 0.1, m 0.3, full 1). */
const LADDER_SCALES = [0.1, 0.3, 1] as const;

/**
 * The oracle floor on one seed: the CPU seconds a ladder that knew the truth would need to
 * hold single fidelity's final best. The knobs sampler's seeded first draws are the same in
 * every variant, and single's best is its k-th trial, so even an oracle screens trials 1..k
 * at s and climbs the k-th once (continued: the rest of a full run; from scratch: every
 * level above s in full).
 */
function oracleFloorS(k: number, continued: boolean): number {
  const climb = continued ? 1 - LADDER_SCALES[0] : LADDER_SCALES.slice(1).reduce((sum, scale) => sum + scale, 0);
  return work * (k * LADDER_SCALES[0] + climb);
}

/** Training CPU units (full runs) a level's run spent: its scale, less what it resumed from. */
function unitsOf(record: TrialLevelRecord, scale: number): number {
  const trained = record.metrics.trained_scale;
  const resumed = record.metrics.resumed_from;
  return trained !== undefined && resumed !== undefined ? trained - resumed : scale;
}
const OPTIMUM = optimumLoss();

/** One variant on one seed: the incumbent's true loss over measured run CPU, and ladder figures. */
interface RunResult {
  regret: number;
  /** (cumulative run CPU seconds, true full-scale loss of the best so far) at each new best. */
  bests: Array<{ cpuS: number; loss: number }>;
  cpuS: number;
  trials: number;
  planted?: number;
  flagged?: number;
  rankCorrelation?: number | null;
  wallS: number;
}

const configOf = (metrics: Record<string, number>): BenchConfig => ({ lr: metrics.lr!, width: metrics.width!, reg: metrics.reg!, trick: metrics.trick! });

function spearman(xs: number[], ys: number[]): number | null {
  if (xs.length < 3) return null;
  const rank = (values: number[]) => {
    const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
    const ranks = new Array<number>(values.length);
    order.forEach((item, position) => (ranks[item.index] = position));
    return ranks;
  };
  const rx = rank(xs);
  const ry = rank(ys);
  const n = xs.length;
  const d2 = rx.reduce((sum, r, i) => sum + (r - ry[i]!) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

async function runAutolab(seed: number, rule: string | null): Promise<RunResult> {
  const started = performance.now();
  const dir = await writeRecipe(taskYaml({ seed, ladder: rule === null ? null : LADDERS[rule]!.promote, continued: rule !== null && LADDERS[rule]!.continued, parallel, ...(rule === null ? { trials: budget } : {}) }));
  const study = await openStudy(dir, { create: true });
  const stop = new AbortController();
  let poller: NodeJS.Timeout | undefined;
  try {
    if (rule !== null) {
      poller = setInterval(() => {
        void study.store.listTrialLevels!(study.record.id).then((records) => {
          const units = records.filter((r) => r.trialId !== 0).reduce((sum, r) => sum + unitsOf(r, study.task.fidelity!.levels[r.level]!.scale), 0);
          if (units >= budget) stop.abort();
        });
      }, 100);
    }
    await study.run({ stop: stop.signal });
    clearInterval(poller);
    const trials = await study.store.listTrials(study.record.id);
    const levels = rule === null ? [] : await study.store.listTrialLevels!(study.record.id);
    if (trace && rule !== null) {
      const start = Date.parse(trials.find((t) => t.id === 0)!.finishedAt ?? trials[0]!.createdAt);
      for (const event of auditEventsOf(await study.store.listEvents(study.record.id), 'trial.promoted')) console.log(`  t+${((Date.parse(event.at) - start) / 1000).toFixed(1).padStart(6)}s promoted #${event.trialId} ${event.data.from}->${event.data.to}: ${event.data.reason}`);
    }
    return { ...summarise(trials, levels, rule !== null ? study : null), wallS: (performance.now() - started) / 1000 };
  } finally {
    clearInterval(poller);
    await study.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The run's figures from its records (the baseline's runs are not counted). */
function summarise(trials: TrialRecord[], levels: TrialLevelRecord[], laddered: Awaited<ReturnType<typeof openStudy>> | null): Omit<RunResult, 'wallS'> {
  // The training CPU the runs spent (each run spins scale x work CPU-seconds), in the order levels (or trials) were measured.
  // Wall-clock run times are not used: on a shared machine they measure the contention and Python's start-up, not the work.
  const spends: Array<{ at: string; seconds: number }> = laddered
    ? levels.filter((r) => r.trialId !== 0).map((r) => ({ at: r.measuredAt, seconds: unitsOf(r, laddered.task.fidelity!.levels[r.level]!.scale) * work }))
    : trials.filter((t) => t.id !== 0 && t.finishedAt && t.label !== 'interrupted').map((t) => ({ at: t.finishedAt!, seconds: work }));
  spends.sort((a, b) => a.at.localeCompare(b.at));
  const kept = trials.filter((t) => t.status === 'kept' && t.id !== 0).sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? ''));
  const baseline = trials.find((t) => t.id === 0)!;
  const bests: RunResult['bests'] = [{ cpuS: 0, loss: trueLoss(configOf(baseline.metrics), 1) }];
  for (const trial of kept) {
    const cpuS = spends.filter((s) => s.at <= trial.finishedAt!).reduce((sum, s) => sum + s.seconds, 0);
    const loss = trueLoss(configOf(trial.metrics), 1);
    if (loss < bests[bests.length - 1]!.loss) bests.push({ cpuS, loss });
  }
  if (trace) printTrace(trials, levels, laddered, spends);
  const result: Omit<RunResult, 'wallS'> = { regret: bests[bests.length - 1]!.loss - OPTIMUM, bests, cpuS: spends.reduce((sum, s) => sum + s.seconds, 0), trials: trials.length - 1 };
  if (!laddered) return result;
  const fidelity = laddered.task.fidelity!;
  const byId = new Map(trials.map((t) => [t.id, t]));
  // Flags as they stood before any full-level measurement: levels s and m only.
  const below = summariseLadder(fidelity, 'minimize', levels.filter((r) => r.level < 2 || r.trialId === 0), new Map(trials.map((t) => [t.id, t.parent])));
  let planted = 0;
  let flagged = 0;
  for (const trial of trials) {
    const own = levels.filter((r) => r.trialId === trial.id && r.status === 'scored');
    const parent = trial.parent === null ? undefined : byId.get(trial.parent);
    const small = own.find((r) => r.level === 0);
    if (!parent || !small || !own.some((r) => r.level === 1)) continue;
    const parentLevel = levels.find((r) => r.trialId === parent.id && r.level === 0);
    if (!parentLevel) continue;
    const mine = configOf(small.metrics);
    const theirs = configOf(parentLevel.metrics);
    if (!(trueLoss(mine, 0.1) < trueLoss(theirs, 0.1) && trueLoss(mine, 1) >= trueLoss(theirs, 1))) continue;
    planted += 1;
    if (below.trials.get(trial.id)?.shrinking) flagged += 1;
  }
  const atSmall = levels.filter((r) => r.level === 0 && r.status === 'scored' && r.trialId !== 0);
  const rankCorrelation = spearman(atSmall.map((r) => r.score!), atSmall.map((r) => trueLoss(configOf(r.metrics), 1)));
  return { ...result, planted, flagged, rankCorrelation };
}

/** --trace: every measurement in the order it was recorded, with the CPU spent so far and whether it made a new incumbent. */
function printTrace(trials: TrialRecord[], levels: TrialLevelRecord[], laddered: Awaited<ReturnType<typeof openStudy>> | null, spends: Array<{ at: string; seconds: number }>): void {
  const start = Date.parse(trials.find((t) => t.id === 0)!.finishedAt ?? trials[0]!.createdAt);
  const byId = new Map(trials.map((t) => [t.id, t]));
  const rows = laddered
    ? levels.filter((r) => r.trialId !== 0).map((r) => ({ at: r.measuredAt, id: r.trialId, level: r.level, score: r.score, metrics: r.metrics }))
    : trials.filter((t) => t.id !== 0 && t.finishedAt).map((t) => ({ at: t.finishedAt!, id: t.id, level: 0, score: t.score, metrics: t.metrics }));
  rows.sort((a, b) => a.at.localeCompare(b.at));
  let cpu = 0;
  for (const row of rows) {
    cpu = spends.filter((s) => s.at <= row.at).reduce((sum, s) => sum + s.seconds, 0);
    const trial = byId.get(row.id)!;
    const truth = row.metrics.lr === undefined ? NaN : trueLoss(configOf(row.metrics), 1);
    const last = !laddered || row.level === laddered.task.fidelity!.levels.length - 1 || (trial.finishedAt !== null && trial.finishedAt <= row.at && trial.label !== null);
    const fate = last ? `${trial.status}${trial.label ? ` ${trial.label}` : ''}` : '';
    console.log(`  t+${((Date.parse(row.at) - start) / 1000).toFixed(1).padStart(6)}s cpu ${cpu.toFixed(2).padStart(5)} #${String(row.id).padEnd(3)} L${row.level} score ${row.score?.toFixed(4) ?? 'null'} true ${truth.toFixed(4)} parent ${trial.parent} ${fate}`);
  }
}

async function runOptuna(seed: number, pruner: 'hyperband' | 'sha'): Promise<RunResult> {
  const started = performance.now();
  const child = spawn(python, [join(import.meta.dirname, 'fidelity-optuna.py'), String(seed), String(budget), String(work), pruner], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`optuna exited with ${code}`);
  const rows = out.trim().split('\n').map((line) => JSON.parse(line) as { state: string; config: BenchConfig; value: number; cpu_s: number });
  const bests: RunResult['bests'] = [];
  let bestObserved = Infinity;
  for (const row of rows) {
    if (row.state !== 'complete' || row.value >= bestObserved) continue;
    bestObserved = row.value;
    bests.push({ cpuS: row.cpu_s, loss: trueLoss(row.config, 1) });
  }
  const last = bests[bests.length - 1];
  return { regret: (last?.loss ?? Infinity) - OPTIMUM, bests, cpuS: rows.at(-1)?.cpu_s ?? 0, trials: rows.length, wallS: (performance.now() - started) / 1000 };
}

function median(values: Array<number | null>): number | null {
  const finite = values.map((v) => (v === null ? Infinity : v)).sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const mid = finite.length / 2;
  const value = finite.length % 2 ? finite[Math.floor(mid)]! : (finite[mid - 1]! + finite[mid]!) / 2;
  return Number.isFinite(value) ? value : null;
}

/** Run CPU seconds until the best is at least as good as `target` (null: never). */
function cpuTo(bests: RunResult['bests'], target: number): number | null {
  return bests.find((best) => best.loss <= target + 1e-12)?.cpuS ?? null;
}

const round = (value: number | null, digits = 4) => (value === null ? null : Number(value.toFixed(digits)));

const ALL_VARIANTS = ['single', ...Object.keys(LADDERS), 'optuna_hyperband', 'optuna_sha'];
// --variants a,b (default all): `single` always runs (the others are measured against it).
const chosen = argument('variants')?.split(',').map((name) => name.trim()) ?? ALL_VARIANTS;
for (const name of chosen) if (!ALL_VARIANTS.includes(name)) throw new Error(`unknown variant ${name}: expected some of ${ALL_VARIANTS.join(', ')}`);
const variants = ALL_VARIANTS.filter((name) => name === 'single' || chosen.includes(name));
/** Per variant, its run on each seed (index seed - 1; absent where it did not run). */
const results: Record<string, Array<RunResult | undefined>> = Object.fromEntries(variants.map((v) => [v, []]));
// --rule-seeds K: the ladder rules other than --main-rule (default gain_per_cost) run on seeds 1..K only, after every
// seed of the main variants (single, the main rule, Optuna): the main comparison gets all seeds when time is short.
const mainRule = argument('main-rule') ?? 'gain_per_cost';
const ruleSeeds = Math.min(Number(argument('rule-seeds') ?? seeds), seeds);
const secondary = (variant: string) => variant in LADDERS && variant !== mainRule;
const loadAtStart = loadavg()[0]!;
console.log(`bench:fidelity — load ${loadAtStart.toFixed(1)} · ${seeds} seeds (${ruleSeeds} for the rules other than ${mainRule}), budget ${budget} full-run equivalents (${work}s CPU each), parallel ${parallel}; optimum ${OPTIMUM.toFixed(4)}`);
// With --rule-seeds given, the other rules run after every seed of the main variants (even on as many seeds).
const phases = argument('rule-seeds') !== undefined ? [{ seeds, of: variants.filter((v) => !secondary(v)) }, { seeds: ruleSeeds, of: variants.filter(secondary) }] : [{ seeds, of: variants }];
for (const phase of phases) {
  if (phase.of.length === 0) continue;
  for (let seed = firstSeed; seed <= phase.seeds; seed++) {
    for (const variant of phase.of) {
      const result = variant === 'single' ? await runAutolab(seed, null) : variant.startsWith('optuna_') ? await runOptuna(seed, variant === 'optuna_sha' ? 'sha' : 'hyperband') : await runAutolab(seed, variant);
      results[variant]![seed - 1] = result;
      const extra = result.planted !== undefined ? ` · shrinking flagged ${result.flagged}/${result.planted} · rank corr ${round(result.rankCorrelation ?? null, 3)}` : '';
      console.log(`seed ${seed} ${variant.padEnd(20)} regret ${result.regret.toFixed(4)} · ${result.trials} trials · run CPU ${result.cpuS.toFixed(1)}s · wall ${result.wallS.toFixed(0)}s${extra}`);
    }
    // The figures so far, so that a run cut short still reports every seed it finished.
    console.log(`so far ${JSON.stringify(summary())}`);
  }
}

/** The medians, wins and shares over the seeds each variant ran. */
function summary() {
  const single = results.single!;
  const figures: Record<string, Record<string, number | null>> = {};
  // Seed by seed: on how many seeds a variant's final best is strictly better than another's (equal CPU budget).
  const wins: Record<string, Record<string, number>> = {};
  const singleTo = single.map((run) => (run ? cpuTo(run.bests, run.bests.at(-1)!.loss) : null));
  for (const variant of variants) {
    const runs = results[variant]!.map((run, i) => ({ run, i })).filter((entry): entry is { run: RunResult; i: number } => entry.run !== undefined && single[entry.i] !== undefined);
    if (runs.length === 0) continue;
    const target = (i: number) => single[i]!.bests.at(-1)!.loss;
    // CPU to single's final best over single's own CPU to it (the strict reading of the goal, at most 1/3) and over single's whole CPU budget.
    const ratios = runs.map(({ run, i }) => {
      const own = cpuTo(run.bests, target(i));
      return own === null || !singleTo[i] ? null : own / singleTo[i]!;
    });
    const budgetRatios = runs.map(({ run, i }) => {
      const own = cpuTo(run.bests, target(i));
      return own === null ? null : own / single[i]!.cpuS;
    });
    // Against the oracle floor (`oracleFloorS`): how far from perfect play on the seed's draws.
    const floorRatios = runs.map(({ run, i }) => {
      const own = cpuTo(run.bests, target(i));
      const k = singleTo[i] ? Math.round(singleTo[i]! / work) : null;
      return own === null || k === null || !(variant in LADDERS) ? null : own / oracleFloorS(k, LADDERS[variant]!.continued);
    });
    figures[variant] = {
      seeds: runs.length,
      regret: round(median(runs.map(({ run }) => run.regret))),
      cpu_s_to_single_best: round(median(runs.map(({ run, i }) => cpuTo(run.bests, target(i)))), 2),
      cpu_s: round(median(runs.map(({ run }) => run.cpuS)), 2),
      trials: median(runs.map(({ run }) => run.trials)),
      cpu_ratio_to_single: round(median(ratios), 3),
      seeds_within_third: ratios.filter((ratio) => ratio !== null && ratio <= 1 / 3).length,
      cpu_ratio_to_single_budget: round(median(budgetRatios), 3),
      ...(variant in LADDERS && { cpu_ratio_to_oracle_floor: round(median(floorRatios), 3) }),
    };
    if (!(variant in LADDERS)) continue;
    wins[variant] = {};
    for (const other of variants.filter((name) => name === 'single' || name.startsWith('optuna_'))) {
      wins[variant]![`vs_${other}`] = runs.filter(({ run, i }) => results[other]![i] !== undefined && run.regret < results[other]![i]!.regret - 1e-12).length;
    }
  }
  const ladderRuns = Object.keys(LADDERS).flatMap((rule) => (results[rule] ?? []).filter((run): run is RunResult => run !== undefined));
  const planted = ladderRuns.reduce((sum, r) => sum + (r.planted ?? 0), 0);
  const flagged = ladderRuns.reduce((sum, r) => sum + (r.flagged ?? 0), 0);
  return {
    bench: 'fidelity',
    seeds,
    budget_full_runs: budget,
    optimum: round(OPTIMUM),
    variants: figures,
    wins,
    // The oracle floor over single's own CPU to its best, per seed: the best ratio any continued ladder could reach (a third needs this under 1/3).
    oracle_floor_ratio_to_single: round(median(single.map((run, i) => (run && singleTo[i] ? oracleFloorS(Math.round(singleTo[i]! / work), true) / singleTo[i]! : null)).filter((value) => value !== null)), 3),
    shrinking_flagged_share: planted > 0 ? round(flagged / planted, 3) : null,
    shrinking_planted: planted,
    rank_correlation: round(median(ladderRuns.map((r) => r.rankCorrelation ?? null)), 3),
    load: { start: round(loadAtStart, 1), end: round(loadavg()[0]!, 1) },
  };
}

const final = summary();
console.log('\nvariant               seeds  median regret   CPU s to single best   ratio (own)   ratio (budget)   run CPU s   trials');
for (const [variant, f] of Object.entries(final.variants)) {
  console.log(`${variant.padEnd(22)}${String(f.seeds).padStart(5)}${String(f.regret).padStart(15)}${String(f.cpu_s_to_single_best).padStart(23)}${String(f.cpu_ratio_to_single).padStart(14)}${String(f.cpu_ratio_to_single_budget).padStart(17)}${String(f.cpu_s).padStart(12)}${String(f.trials).padStart(9)}`);
}
console.log(`planted shrinking gains flagged before full: ${final.shrinking_flagged_share} of ${final.shrinking_planted}`);
for (const [variant, counts] of Object.entries(final.wins)) console.log(`${variant}: better final best on ${Object.entries(counts).map(([other, n]) => `${n}/${final.variants[variant]!.seeds} seeds ${other.replace('vs_', 'vs ')}`).join(', ')}`);
console.log(JSON.stringify(final));
