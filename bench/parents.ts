/**
 * npm run bench:parents — parent strategies on a scripted program-search study: a real
 * study (git workspace, evaluator processes, store) over bench/parents-recipe, whose one
 * llm specialist is a scripted agent answering over the loopback LLM server
 * (bench/parents-agent.ts: read program.json at the parent the engine gave it, move one
 * coordinate by a random step, submit). The landscape is deceptive on purpose (score.js:
 * per coordinate a near basin and a better far one behind a ridge), the case parent
 * strategies exist for. At equal trials and seeds, per strategy: the best score, the
 * number of distinct lineages advanced (branches off the baseline holding a trial better
 * than its parent), trials better than their parent, distinct parents; medians over the
 * seeds. `front` is left out by default: with one objective the front is the incumbent.
 * `map_elites` bins the trials by the program's mean coordinate (`x_mean`, which score.js
 * reports beside the loss: a behaviour descriptor, not an objective) at -3, -2, -1, 0, 1.
 * Each trial is a real evaluation (about 6 s on a loaded 2-core machine). Ends with one
 * JSON line.
 *
 * Options: --seeds N (default 5), --trials N (default 30), --strategies a,b (default
 * incumbent,tournament,islands,map_elites; also front), --concurrency N (studies of one
 * strategy run side by side, default 1), --replay (the same decisions replayed in one
 * process, bench/parents-replay.ts: milliseconds per study instead of minutes).
 */
import { join } from 'node:path';
import type { ParentStrategySpec } from '../src/core/task.ts';
import { mulberry32 } from '../src/specialists/knobs/sampler-math.ts';
import { openScriptedStudy } from '../src/testing/loopback-llm/scripted-study.ts';
import { programSearchAgent } from './parents-agent.ts';
import { lineageFigures, type LineageFigures } from './parents-figures.ts';
import { replayParentsStudy } from './parents-replay.ts';

const FIXTURE = join(import.meta.dirname, 'parents-recipe');

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const seeds = Number(argument('seeds') ?? 5);
const concurrency = Math.max(1, Number(argument('concurrency') ?? 1));
const trials = Number(argument('trials') ?? 30);
const STRATEGIES: Record<string, string> = {
  incumbent: '{ strategy: incumbent }',
  front: '{ strategy: front }',
  tournament: '{ strategy: tournament, size: 3 }',
  islands: '{ strategy: islands, islands: 4, migration: 5 }',
  map_elites: '{ strategy: map_elites, bins: { x_mean: [-3, -2, -1, 0, 1] } }',
};
/** The same strategies as the task file reads them, for --replay. */
const SPECS: Record<string, ParentStrategySpec> = {
  incumbent: { strategy: 'incumbent' },
  front: { strategy: 'front' },
  tournament: { strategy: 'tournament', size: 3 },
  islands: { strategy: 'islands', islands: 4, migration: 5 },
  map_elites: { strategy: 'map_elites', bins: { x_mean: [-3, -2, -1, 0, 1] } },
};
const replay = process.argv.includes('--replay');
const strategies = (argument('strategies') ?? 'incumbent,tournament,islands,map_elites').split(',');
for (const name of strategies) if (!STRATEGIES[name]) throw new Error(`unknown strategy ${name}; use ${Object.keys(STRATEGIES).join(', ')}`);

function taskYaml(baseUrl: string, parents: string, seed: number): string {
  return [
    'name: parents-bench',
    'setup: node prepare.js',
    'objective: { metric: loss, direction: minimize }',
    'run: { command: node train.js, timeout: 120s }',
    'score: { command: node score.js, timeout: 120s }',
    'protected: [score.js, prepare.js, autolab.yaml]',
    'surfaces:',
    '  program: { paths: [program.json] }',
    'specialists:',
    `  - { name: searcher, kind: llm, surface: program, model: "openai-compatible:loopback-agent", base_url: "${baseUrl}", parents: ${parents} }`,
    'parallel: 1',
    `seed: ${seed}`,
  ].join('\n');
}

/** One study: `trials` proposals of the scripted agent under `parents`. */
export async function runParentsStudy(parents: string, seed: number, count: number): Promise<LineageFigures & { seconds: number }> {
  const started = Date.now();
  const study = await openScriptedStudy(FIXTURE, (url) => taskYaml(url, parents, seed), programSearchAgent(mulberry32(1000 + seed)));
  try {
    await study.drive(study.specialists('searcher'), { trials: count });
    const all = await study.study.trials();
    return { ...lineageFigures(all, 'minimize'), seconds: (Date.now() - started) / 1000 };
  } finally {
    await study.close();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const rows: Record<string, { best: number; lineagesAdvanced: number; improvingSteps: number; distinctParents: number; bestPerSeed: number[]; lineagesPerSeed: number[]; secondsPerStudy: number }> = {};
for (const name of strategies) {
  const runs: Array<LineageFigures & { seconds: number }> = new Array(seeds);
  // Studies are independent (own repo, store, loopback server, seeded agent): seeds may run side by side; no timing enters the figures.
  for (let first = 0; first < seeds; first += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, seeds - first) }, (_, offset) => first + offset);
    await Promise.all(
      batch.map(async (seed) => {
        const started = Date.now();
        runs[seed] = replay ? { ...(await replayParentsStudy(SPECS[name]!, seed, trials)), seconds: (Date.now() - started) / 1000 } : await runParentsStudy(STRATEGIES[name]!, seed, trials);
      }),
    );
  }
  rows[name] = {
    best: median(runs.map((run) => run.best)),
    lineagesAdvanced: median(runs.map((run) => run.lineagesAdvanced)),
    improvingSteps: median(runs.map((run) => run.improvingSteps)),
    distinctParents: median(runs.map((run) => run.distinctParents)),
    bestPerSeed: runs.map((run) => Number(run.best.toFixed(4))),
    lineagesPerSeed: runs.map((run) => run.lineagesAdvanced),
    secondsPerStudy: runs.reduce((sum, run) => sum + run.seconds, 0) / runs.length,
  };
}

console.log(`parent strategies${replay ? ' (replayed in process: bench/parents-replay.ts)' : ''}: ${trials} trials per study, ${seeds} seeds, medians (baseline loss 4.5; one lineage that only builds on its best trial stalls at 1.5; the optimum is 0)`);
console.log('strategy     best loss  lineages advanced  improving trials  distinct parents  s/study');
for (const [name, row] of Object.entries(rows)) {
  console.log(`${name.padEnd(12)} ${row.best.toFixed(3).padStart(9)}  ${String(row.lineagesAdvanced).padStart(17)}  ${String(row.improvingSteps).padStart(16)}  ${String(row.distinctParents).padStart(16)}  ${row.secondsPerStudy.toFixed(1).padStart(7)}`);
}
console.log(JSON.stringify({ bench: 'parents', mode: replay ? 'replay' : 'study', trials, seeds, strategies: rows }));
