/**
 * Writes a realistic synthetic study straight through the Store port (no processes run):
 * a baseline, specialists improving on the incumbent now and then, discarded trials,
 * every common failure label with a raw detail, slots with start times, costs, diffs,
 * log excerpts and learning curves. For the dashboard's tests and `bench:dashboard`.
 */
import { seededRandom } from '../core/random.ts';
import { createHash } from 'node:crypto';
import type { Store, TrialOutcome } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import type { CurvePoint, FailureLabel } from '../core/trial.ts';

export interface SyntheticStudyOptions {
  name: string;
  trials: number;
  slots?: number;
  seed?: number;
  /** Milliseconds since the epoch of the first trial's start (default: `trials` × 20 s ago). */
  startAt?: number;
}

const SPECIALISTS = [
  { name: 'optimizer', llm: true, weight: 3, skill: 1.2 },
  { name: 'architecture', llm: true, weight: 2, skill: 1.6 },
  { name: 'tuner', llm: false, weight: 4, skill: 0.7 },
  { name: 'data', llm: true, weight: 1, skill: 0.9 },
];

const FAILURES: Array<{ label: FailureLabel; weight: number; detail: (i: number) => string }> = [
  { label: 'crash', weight: 5, detail: (i) => `run exited with code 1\nTraceback (most recent call last):\n  File "train.py", line ${40 + (i % 50)}, in <module>\nRuntimeError: loss is NaN at step ${100 * (i % 17)}` },
  { label: 'run_timeout', weight: 2, detail: () => 'run exceeded its budget of 10m0s; the process group was killed' },
  { label: 'oom', weight: 2, detail: () => 'CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.2 GiB total capacity)' },
  { label: 'gate_miss', weight: 3, detail: (i) => `artifact_bytes <= 16000000 missed: ${16_000_000 + 1000 * (i % 97)}` },
  { label: 'illegal_edit', weight: 1, detail: () => "eval.py: protected path (evaluator-owned)" },
  { label: 'duplicate', weight: 1, detail: (i) => `same tree as trial #${Math.max(1, i - 7)}` },
  { label: 'preflight_failed', weight: 1, detail: () => 'SyntaxError: invalid syntax (train.py, line 88)' },
  { label: 'metric_missing', weight: 1, detail: () => 'the score command printed no val_bpb' },
];

const HYPOTHESES = [
  'Raise the learning rate warmup to {v} steps: the loss spikes early, a longer warmup should smooth it',
  'Use {v} attention heads instead of 8: smaller heads should help at this width',
  'Switch the optimizer to Muon for matrix parameters with momentum {v}',
  'Cut the weight decay to {v}: the model underfits in the last third of training',
  'Tie the input and output embeddings to save {v} parameters for a wider MLP',
  'Apply a cosine schedule that ends at {v} of the peak learning rate',
  'Drop the duplicated documents (hash dedup) from the training shards, about {v}% of tokens',
  'Quantise the final layer to int8 with per-channel scales ({v} groups)',
];

/** The knobs of the synthetic task (values in the notes of `tuner` trials, as a knobs specialist writes them). */
const KNOBS = [
  { name: 'lr', file: 'config.yaml', key: 'optimizer.lr', type: 'float', low: 1e-4, high: 0.1, log: true },
  { name: 'warmup_steps', file: 'train.py', marker: 'warmup', type: 'int', low: 0, high: 2000 },
  { name: 'activation', file: 'config.yaml', key: 'model.activation', type: 'categorical', choices: ['relu', 'gelu', 'silu'] },
  { name: 'batch', file: 'config.yaml', key: 'batch', type: 'int', low: 16, high: 512, log: true },
];
const BASELINE_KNOBS = { lr: 0.001, warmup_steps: 100, activation: 'relu', batch: 64 };

/** A tuner trial's knob values: lr matters most, the activation a little, warmup and batch not at all. */
function knobValuesFor(i: number, seed: number): { values: Record<string, number | string>; penalty: number } {
  const rand = seededRandom(seed * 7919 + i);
  const lr = Number((10 ** (-4 + 3 * rand())).toPrecision(4));
  const values = { lr, warmup_steps: Math.floor(rand() * 2001), activation: ['relu', 'gelu', 'silu'][Math.floor(rand() * 3)]!, batch: Math.round(2 ** (4 + 5 * rand())) };
  const penalty = 0.03 * (Math.log10(lr) + 2.3) ** 2 + (values.activation === 'gelu' ? 0 : values.activation === 'silu' ? 0.004 : 0.01);
  return { values, penalty };
}

function pick<T extends { weight: number }>(items: readonly T[], rand: () => number): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let x = rand() * total;
  for (const item of items) {
    x -= item.weight;
    if (x <= 0) return item;
  }
  return items[items.length - 1]!;
}

function sha(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function diffFor(i: number, value: string): string {
  const file = i % 3 === 0 ? 'config.yaml' : 'train.py';
  const old = i % 3 === 0 ? `lr: 0.0${(i * 7) % 9 + 1}` : `    warmup_steps = ${(i * 13) % 900 + 100}`;
  const next = i % 3 === 0 ? `lr: ${value}` : `    warmup_steps = ${value}`;
  const index = `${sha(`${i}a`).slice(0, 7)}..${sha(`${i}b`).slice(0, 7)}`;
  return [
    `diff --git a/${file} b/${file}`,
    `index ${index} 100644`,
    `--- a/${file}`,
    `+++ b/${file}`,
    `@@ -${10 + (i % 40)},7 +${10 + (i % 40)},7 @@ def main():`,
    '     model = build_model(config)',
    '     optimizer = make_optimizer(model, config)',
    '     # schedule',
    `-${old}`,
    `+${next}`,
    '     for step in range(config.steps):',
    '         loss = train_step(model, batch(step))',
    '         log(step, loss)',
    '',
  ].join('\n');
}

/**
 * Writes the study (created when absent) and returns its record. Deterministic for a
 * given seed, apart from the store's own timestamps.
 */
export async function writeSyntheticStudy(store: Store, options: SyntheticStudyOptions): Promise<StudyRecord> {
  const rand = seededRandom(options.seed ?? 7);
  const slots = options.slots ?? 4;
  const taskJson = JSON.stringify({
    name: options.name,
    objective: { metric: 'val_bpb', direction: 'minimize' },
    specialists: SPECIALISTS.map((s) => ({ name: s.name, kind: s.llm ? 'llm' : 'knobs', surface: 'recipe' })),
    surfaces: { recipe: { name: 'recipe', paths: ['train.py', 'config.yaml'], knobs: KNOBS } },
  });
  const { study } = await store.openStudy({ name: options.name, taskHash: 'synthetic', taskJson });
  const owner = { host: 'bench', pid: 1, token: 'synthetic' };
  const slotFree = Array.from({ length: slots }, () => options.startAt ?? Date.now() - options.trials * 20_000);
  const scores = new Map<number, number>();
  let incumbent = { id: 0, score: 1.5 };
  const decide = (candidate: { score: number }, current: { score: number | null } | null) => current?.score == null || candidate.score < current.score - 0.0005;

  for (let i = 0; i <= options.trials; i++) {
    const specialist = i === 0 ? { name: 'baseline', llm: false, weight: 0, skill: 0 } : pick(SPECIALISTS, rand);
    const parent = i === 0 ? null : rand() < 0.85 ? incumbent.id : [...scores.keys()][Math.floor(rand() * scores.size)]!;
    const value = (rand() * 1000).toFixed(0);
    const hypothesis = i === 0 ? 'baseline' : HYPOTHESES[Math.floor(rand() * HYPOTHESES.length)]!.replace('{v}', value);
    const cost = specialist.llm ? { usd: Number((0.002 + rand() * 0.03).toFixed(4)), inputTokens: 4000 + Math.floor(rand() * 9000), outputTokens: 300 + Math.floor(rand() * 1500), cachedTokens: Math.floor(rand() * 3000) } : null;
    const diff = i === 0 ? null : diffFor(i, value);
    const knobs = i === 0 ? { values: BASELINE_KNOBS, penalty: 0 } : specialist.name === 'tuner' ? knobValuesFor(i, options.seed ?? 7) : null;
    const prose = i % 9 === 0 && i > 0 ? 'Follows up on the warmup change; keeps the batch size.' : '';
    const trial = await store.createTrial(study.id, {
      ...(i === 0 ? { id: 0 } : {}),
      specialist: specialist.name,
      parent,
      hypothesis,
      notes: knobs ? `${prose}${prose ? '\n' : ''}${JSON.stringify({ knobs: knobs.values, sampler: 'tpe' })}` : prose,
      expectedDelta: i === 0 ? null : -Number((rand() * 0.01).toFixed(4)),
      seed: 1337,
      edit: diff === null ? null : { kind: 'patch', patch: diff },
      cost,
      owner,
    });
    const slot = slotFree.indexOf(Math.min(...slotFree));
    const durationMs = Math.round(8_000 + rand() * 40_000);
    const startedAt = slotFree[slot]! + Math.round(rand() * 400);
    slotFree[slot] = startedAt + durationMs;
    await store.updateTrial(study.id, trial.id, { status: 'running', startedAt: new Date(startedAt).toISOString(), owner }, { type: 'trial.started', data: { slot, gpu: String(slot) } });
    const commit = sha(`commit ${options.name} ${i}`);
    await store.updateTrial(study.id, trial.id, { commit, tree: sha(`tree ${i}`), diff }, { type: 'trial.materialised', data: { commit } });

    // A learning rate past 0.03 diverges now and then.
    const diverged = knobs !== null && i > 0 && Number(knobs.values.lr) > 0.03 && seededRandom(i * 31)() < 0.5;
    const failure = i > 0 && rand() < 0.16 ? pick(FAILURES, rand) : diverged ? FAILURES[0]! : null;
    const parentScore = parent === null ? 1.5 : (scores.get(parent) ?? 1.5);
    const timings = { materialiseMs: 40, legalityMs: 8, preflightMs: 300, runMs: durationMs - 900, scoreMs: 500, totalMs: durationMs };
    let outcome: TrialOutcome;
    if (failure) {
      outcome = { status: 'failed', label: failure.label, labelDetail: failure.detail(i), metrics: {}, score: null, timings, logExcerpt: `step 100 loss 3.21\nstep 200 loss 2.98\n${failure.detail(i).split('\n').pop()}` };
    } else {
      const lucky = rand() < 0.06 * specialist.skill;
      // Moves shrink as the score nears its floor (0.9), so the search saturates.
      const gap = parentScore - 0.9;
      const move = lucky ? -gap * (0.004 + rand() * 0.03) : gap * (rand() * 0.04 - 0.005);
      const score = Number((parentScore + (i === 0 ? 0 : move + (knobs?.penalty ?? 0))).toFixed(5));
      const curve: CurvePoint[] = [];
      for (let step = 1; step <= 5; step++) curve.push({ repeat: 0, step: step * 200, name: 'val_bpb', value: Number((score + 0.5 / step).toFixed(4)) });
      outcome = { status: 'scored', label: null, labelDetail: null, metrics: { val_bpb: score, artifact_bytes: 15_000_000 + Math.floor(rand() * 900_000), run_seconds: durationMs / 1000 }, score, timings, logExcerpt: `step 1000 loss 2.41\nval_bpb ${score}`, curve };
    }
    const finished = await store.finishTrial(study.id, trial.id, outcome, (candidate, current) => decide(candidate, current));
    if (finished.score !== null) scores.set(finished.id, finished.score);
    if (finished.status === 'kept' && finished.score !== null) incumbent = { id: finished.id, score: finished.score };
  }
  return (await store.getStudy(options.name))!;
}
