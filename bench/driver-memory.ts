/**
 * npm run bench:driver-memory [-- --trials 100000] [--compare /path/to/other/checkout]
 * — the driver's memory as a SQLite study grows, for this checkout and (with
 * `--compare`) another one side by side on the very same study: at 1,000 trials, at
 * 10,000 and at `--trials`, each checkout's bench/store-driver-memory.ts runs in a
 * fresh process (what `openDriver` holds, then one proposal's refresh and feedback,
 * after garbage collection; the other checkout needs this checkout's copy of that file,
 * which runs on code from before the bounded index too). The first 1,000 trials are
 * recorded the engine's way (a ~1 KB patch, its diff, a log excerpt, metrics, knob values
 * in the notes of half of them; one in five crashes), the rest are SQL copies of them (bench/store-fill.ts). Ends with one
 * JSON line: `{"bench":"driver-memory","trials":…,"sizes":{"1001":{"this":{rssMB,heapMB,rssSettledMB,rssChurnedMB,knowledge},"other":{…}},…}}`
 * (`rssSettledMB`: V8's young generation given back; `rssChurnedMB`: at its high-water mark;
 * see bench/store-driver-memory.ts).
 * `knowledge` (for a checkout that has bench/store-knowledge-memory.ts; copy it into the
 * other checkout to compare): one rewrite of the knowledge base in a fresh process, RSS
 * before, at its peak and after, README.md's size and the time it took.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AcceptanceDecision } from '../src/core/store.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { fillStudy } from './store-fill.ts';

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const TRIALS = Number(argument('trials') ?? '100000');
const COMPARE = argument('compare');
/** `--db FILE`: build the study in FILE and keep it; a later run with the same file reuses it (grows it when `--trials` asks for more). */
const KEEP_DB = argument('db');
const TEMPLATE = 1000;
const keepIfLower: AcceptanceDecision = (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);
const owner = { host: 'bench', pid: process.pid, token: 'bench' };

interface Memory {
  trials: number;
  rssMB: number;
  heapMB: number;
  rssBeforeMB: number;
  heapBeforeMB: number;
  /** RSS after a few idle seconds and a collection (V8 gives its young generation back); absent from older copies of bench/store-driver-memory.ts. */
  rssSettledMB?: number;
  /** RSS after short-lived garbage filled the young generation, then a collection (its high-water mark). */
  rssChurnedMB?: number;
  /** One rewrite of the knowledge base (bench/store-knowledge-memory.ts), in its own process. */
  knowledge?: KnowledgeMemory;
}

interface KnowledgeMemory {
  rssBeforeMB: number;
  peakRssMB: number;
  rssMB: number;
  heapMB: number;
  readmeKB: number;
  renderMs: number;
}

/** A knob tuner's notes (its knob values, as the knobs specialist writes them) for `knobs` and `combine` trials; '' for the others. */
function knobNotes(specialist: string, i: number): string {
  if (specialist !== 'knobs' && specialist !== 'combine') return '';
  const knobs = { lr: Math.round(1e6 * 10 ** (-4 + ((i * 37) % 100) / 50)) / 1e6, warmup: (i * 13) % 500, batch: 2 ** (4 + (i % 5)), optimizer: ['adamw', 'sgd', 'lion'][i % 3], weight_decay: ((i * 7) % 50) / 1000, ema: i % 2 === 0 };
  return `${specialist} search, trial ${i}\n${JSON.stringify({ knobs, sampler: 'tpe' })}`;
}

/** Records the baseline and trials 1..TEMPLATE as the engine writes them (knob values in the notes of half of them). */
async function recordTemplate(store: SqliteStore, studyId: number): Promise<void> {
  await store.createTrial(studyId, { id: 0, specialist: 'baseline', parent: null, hypothesis: 'baseline', seed: 0, edit: null, owner });
  await store.finishTrial(studyId, 0, { status: 'scored', label: null, labelDetail: null, metrics: { val_loss: 3 }, score: 3, timings: { totalMs: 1000 }, logExcerpt: '' }, keepIfLower);
  let incumbent = 0;
  for (let i = 1; i <= TEMPLATE; i++) {
    const lines = Array.from({ length: 12 }, (_, k) => `-lr_${k} = ${(i * 7 + k) % 97}e-4\n+lr_${k} = ${(i * 11 + k) % 89}e-4\n`).join('');
    const patch = `diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1,12 +1,12 @@\n${lines}`;
    const specialist = ['knobs', 'llm', 'combine', 'ablate'][i % 4]!;
    const trial = await store.createTrial(studyId, { specialist, parent: incumbent, hypothesis: `trial ${i}: move the learning rate schedule a little`, notes: knobNotes(specialist, i), seed: i, edit: { kind: 'patch', patch }, owner });
    await store.updateTrial(studyId, trial.id, { status: 'running', owner }, { type: 'trial.started', data: { slot: 0, gpu: null } });
    const commit = `c${i}`.padEnd(40, '0');
    await store.updateTrial(studyId, trial.id, { commit, tree: `t${i}`.padEnd(40, '0'), diff: patch, timings: { materialiseMs: 12 } }, { type: 'trial.materialised', data: { commit } });
    const score = 3 - Math.log1p(i) / 10 + ((i * 7919) % 100) / 2000;
    const recorded = await store.finishTrial(
      studyId,
      trial.id,
      i % 5 === 0
        ? { status: 'failed', label: 'crash', labelDetail: 'exit code 1', metrics: {}, score: null, timings: { runMs: 900, totalMs: 1000 }, logExcerpt: 'Traceback (most recent call last):\n  ...\nValueError: nan loss' }
        : { status: 'scored', label: null, labelDetail: null, metrics: { val_loss: score, accuracy: 0.9 }, score, timings: { runMs: 900, scoreMs: 50, totalMs: 1000 }, logExcerpt: 'step 100 loss 2.9\ndone' },
      keepIfLower,
    );
    if (recorded.status === 'kept') incumbent = recorded.id;
  }
}

/** One checkout's memory process `script` on the study (a fresh process). */
function memoryOf<T>(checkout: string, script: string, file: string, studyId: number): Promise<T> {
  const child = fork(join(checkout, 'bench', script), [file, String(studyId)], { cwd: checkout, execArgv: ['--expose-gc', '--import', 'tsx'] });
  return new Promise((done, fail) => {
    child.once('message', (message) => done(message as T));
    child.once('exit', (code) => (code === 0 ? undefined : fail(new Error(`the memory process ${script} of ${checkout} exited with ${code}`))));
  });
}

/** One checkout's driver memory, and (when the checkout has bench/store-knowledge-memory.ts) one knowledge base rewrite's. */
async function driverMemory(checkout: string, file: string, studyId: number): Promise<Memory> {
  const memory = await memoryOf<Memory>(checkout, 'store-driver-memory.ts', file, studyId);
  if (existsSync(join(checkout, 'bench', 'store-knowledge-memory.ts'))) memory.knowledge = await memoryOf<KnowledgeMemory>(checkout, 'store-knowledge-memory.ts', file, studyId);
  return memory;
}

const here = resolve(import.meta.dirname, '..');
const dir = await mkdtemp(join(tmpdir(), 'autolab-driver-memory-'));
const file = KEEP_DB === undefined ? join(dir, 'bench.db') : resolve(KEEP_DB);
const store = await SqliteStore.open(file);
const sizes: Record<string, Record<string, Memory>> = {};
try {
  const { study, created } = await store.openStudy({ name: 'bench', taskHash: 'h', taskJson: '{}' });
  if (created) await recordTemplate(store, study.id);
  let last = created ? TEMPLATE : (await store.listTrials(study.id, { descending: true, limit: 1 }))[0]!.id;
  for (const size of [...new Set([TEMPLATE, Math.min(10_000, TRIALS), TRIALS])].filter((n) => n >= last)) {
    if (size > last) last = await fillStudy(file, study.id, { from: 1, to: TEMPLATE }, last, size);
    const figures: Record<string, Memory> = {};
    // Alternate which checkout goes first, so neither always runs on a warmer page cache.
    const order = COMPARE === undefined ? [['this', here]] : Object.keys(sizes).length % 2 === 0 ? [['this', here], ['other', COMPARE]] : [['other', COMPARE], ['this', here]];
    for (const [name, checkout] of order) figures[name!] = await driverMemory(checkout!, file, study.id);
    sizes[String(last + 1)] = figures;
    const knowledge = (memory: Memory) => (memory.knowledge ? `; knowledge base rewrite: RSS ${memory.knowledge.rssBeforeMB} → peak ${memory.knowledge.peakRssMB} → ${memory.knowledge.rssMB} MB, README ${memory.knowledge.readmeKB} KiB, ${memory.knowledge.renderMs} ms` : '');
    const line = Object.entries(figures).map(([name, memory]) => `${name}: heap ${memory.heapMB} MB, RSS ${memory.rssMB} MB (settled ${memory.rssSettledMB ?? '?'}, churned ${memory.rssChurnedMB ?? '?'})${knowledge(memory)}`).join('; ');
    process.stdout.write(`at ${last + 1} trials: ${line}\n`);
  }
} finally {
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify({ bench: 'driver-memory', trials: TRIALS, compare: COMPARE ?? null, sizes }) + '\n');
