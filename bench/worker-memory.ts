/**
 * npm run bench:worker-memory [-- --trials 100000] [--run 200] [--every 50] [--store sqlite|postgres] [--compare /path/to/other/checkout]
 * — a remote worker's memory as its study grows and as it runs: the study is the test
 * fixture recipe (test/fixtures/recipe: one float knob, node run and score commands) on
 * PostgreSQL (a fresh schema of AUTOLAB_TEST_PG_URL; SQLite, a worker of the same host,
 * with `--store sqlite` or without that variable). The first `--run` trials (and the
 * baseline) are queued and evaluated by a real worker; copies of them in SQL (bench/store-fill.ts)
 * grow the study to 1,000 trials, 10,000 and `--trials`. At each size `--run` more trials
 * are queued for each checkout and a fresh worker process of that checkout
 * (bench/worker-memory-child.ts, which the other checkout needs a copy of) claims and
 * evaluates them for real, sampling its memory after garbage collection before it starts
 * and every `--every` trials recorded. Ends with one JSON line:
 * `{"bench":"worker-memory","store":…,"sizes":{"1001":{"this":{startRssMB,rssMB,growthMB,…,samples},"other":{…}},…}}`,
 * where `startRssMB` is the first sample after `--every` trials (the worker warmed up:
 * its first knowledge base rewrite done), `rssMB` the last, `growthMB` the difference.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Store } from '../src/core/store.ts';
import { openStudy } from '../src/engine/open-study.ts';
import { openStore } from '../src/store/open-store.ts';
import { freshPostgresSchema } from '../src/testing/postgres.ts';
import { makeRecipeRepo } from '../src/testing/recipe-repo.ts';
import { fillStudy } from './store-fill.ts';
import type { Sample } from './worker-memory-child.ts';

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const TRIALS = Number(argument('trials') ?? '100000');
const RUN = Number(argument('run') ?? '200');
const EVERY = Number(argument('every') ?? '50');
const COMPARE = argument('compare');
const PG = process.env['AUTOLAB_TEST_PG_URL'];
const KIND = argument('store') ?? (PG ? 'postgres' : 'sqlite');
const here = resolve(import.meta.dirname, '..');
const FIXTURE = join(here, 'test', 'fixtures', 'recipe');

interface WorkerRun {
  recorded: number;
  stopReason: string;
  ms: number;
  peakRssMB: number;
  samples: Sample[];
}

interface WorkerMemory extends WorkerRun {
  startRssMB: number;
  rssMB: number;
  growthMB: number;
  heapMB: number;
}

/** Queues `count` trials for workers: the fixture's knob `x` at values spread over its range (one in seven is `null`: the score has no metric and the trial fails). */
async function queueTrials(store: Store, studyId: number, count: number, seed: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const n = seed + i;
    const x = n % 7 === 0 ? 'null' : String(Math.round(((n * 7919) % 2000) - 1000) / 100);
    await store.createTrial(studyId, { specialist: 'tuner', parent: 0, hypothesis: `x = ${x}`, notes: `tuner search, trial ${n}\n${JSON.stringify({ knobs: { x: Number(x) }, sampler: 'tpe' })}`, seed: n, edit: { kind: 'files', files: { 'config.json': `{\n  "x": ${x}\n}\n` } }, owner: null });
  }
}

/** One checkout's worker process on the study: it claims and evaluates `count` queued trials. */
function workerRun(checkout: string, taskDir: string, location: string, studyName: string, count: number): Promise<WorkerRun> {
  const child = fork(join(checkout, 'bench', 'worker-memory-child.ts'), [taskDir, location, studyName, String(count), String(EVERY)], { cwd: checkout, execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((done, fail) => {
    child.once('message', (message) => done(message as WorkerRun));
    child.once('exit', (code) => (code === 0 ? undefined : fail(new Error(`the worker process of ${checkout} exited with ${code}`))));
  });
}

function figures(run: WorkerRun): WorkerMemory {
  const warm = run.samples.find((s) => s.recorded >= EVERY) ?? run.samples.at(-1)!;
  const last = run.samples.at(-1)!;
  return { ...run, startRssMB: warm.rssMB, rssMB: last.rssMB, growthMB: Math.round((last.rssMB - warm.rssMB) * 10) / 10, heapMB: last.heapMB };
}

const recipe = await makeRecipeRepo(FIXTURE);
const dir = await mkdtemp(join(tmpdir(), 'autolab-worker-memory-'));
const schema = KIND === 'postgres' ? freshPostgresSchema(PG!, 'autolab_bench_worker') : null;
const location = schema?.url ?? join(dir, 'bench.db');
const sizes: Record<string, Record<string, WorkerMemory>> = {};
const study = await openStudy(recipe.dir, { store: location, create: true });
const studyName = study.name;
await study.close();
const store = await openStore(location);
try {
  const studyId = (await store.getStudy(studyName))!.id;
  await store.createTrial(studyId, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner: null });
  await queueTrials(store, studyId, RUN, 1);
  const template = await workerRun(here, recipe.dir, location, studyName, RUN + 1);
  process.stdout.write(`template: ${template.recorded} trials recorded by a worker in ${Math.round(template.ms / 1000)} s\n`);
  let last = RUN;
  let seed = RUN + 1;
  for (const size of [...new Set([1000, Math.min(10_000, TRIALS), TRIALS])]) {
    if (size > last) last = await fillStudy(location, studyId, { from: 1, to: RUN }, last, size);
    const measured: Record<string, WorkerMemory> = {};
    const order = COMPARE === undefined ? [['this', here]] : Object.keys(sizes).length % 2 === 0 ? [['this', here], ['other', COMPARE]] : [['other', COMPARE], ['this', here]];
    for (const [name, checkout] of order) {
      await queueTrials(store, studyId, RUN, seed);
      seed += RUN;
      measured[name!] = figures(await workerRun(checkout!, recipe.dir, location, studyName, RUN));
      last += RUN;
    }
    sizes[String(size + 1)] = measured;
    const line = Object.entries(measured)
      .map(([name, m]) => `${name}: RSS ${m.samples[0]!.rssMB} before, ${m.startRssMB} after ${EVERY} trials → ${m.rssMB} MB after ${m.recorded} (${m.growthMB >= 0 ? '+' : ''}${m.growthMB}), peak ${m.peakRssMB}, heap ${m.heapMB} MB, ${Math.round(m.ms / 1000)} s`)
      .join('; ');
    process.stdout.write(`at ${size + 1} trials: ${line}\n`);
  }
} finally {
  await store.close();
  await schema?.drop();
  await recipe.cleanup();
  await rm(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify({ bench: 'worker-memory', store: KIND, trials: TRIALS, run: RUN, every: EVERY, compare: COMPARE ?? null, sizes }) + '\n');
