/**
 * The recipes of `npm run bench:failures`: small Python training scripts
 * (bench/failures-recipes/<name>/train.py) with a hidden feasibility constraint each,
 * that fail the way real recipes do: an assertion in the model (a lattice of ints), a
 * MemoryError under the run's memory cap (a ceiling on a product of knobs), a ValueError
 * or RuntimeError for optimizer/schedule/precision pairs that never work together, a
 * FloatingPointError above a learning-rate edge, and a checkpoint over the size gate
 * (gate_miss). Each script prints its metrics JSON as its last stdout line and, with
 * `--optimum`, the best value of its objective over the feasible space. The knob spaces
 * here are what bench/failures-optuna.py gets too.
 */
import { join } from 'node:path';
import type { KnobSpec } from '../src/core/task.ts';
import type { KnobValues } from '../src/specialists/knobs/knob-value.ts';

export interface FailureRecipe {
  name: string;
  /** The hidden constraint, as the table shows it. */
  constraint: string;
  /** The recipe folder (train.py and its modules). */
  dir: string;
  knobs: KnobSpec[];
  /** The unmodified recipe's values (feasible), measured first as the baseline. */
  baseline: KnobValues;
  metric: string;
  /** Gates on the metrics (the evaluator's), e.g. `artifact_bytes <= 16000000`. */
  gates: string[];
  /** The run's memory cap (`run.memory`, ulimit -v), when the recipe has one. */
  memoryBytes?: number;
  /** What a user who knows the constraint can declare (`constraints:`), for the declared column. */
  declared: string[];
}

const RECIPES_DIR = join(import.meta.dirname, 'failures-recipes');

const float = (name: string, low: number, high: number, log = false): KnobSpec => ({ name, file: 'params.json', key: name, type: 'float', low, high, log });
const int = (name: string, low: number, high: number, extra: { log?: boolean; step?: number } = {}): KnobSpec => ({ name, file: 'params.json', key: name, type: 'int', low, high, ...extra });
const categorical = (name: string, choices: string[]): KnobSpec => ({ name, file: 'params.json', key: name, type: 'categorical', choices });

export const FAILURE_RECIPES: FailureRecipe[] = [
  {
    name: 'lattice',
    constraint: 'assert d_model % n_heads == 0',
    dir: join(RECIPES_DIR, 'lattice'),
    knobs: [int('d_model', 32, 512), int('n_heads', 1, 16), int('n_layers', 1, 8), float('lr', 1e-4, 1e-1, true)],
    baseline: { d_model: 128, n_heads: 4, n_layers: 2, lr: 0.01 },
    metric: 'val_loss',
    gates: [],
    declared: ['d_model % n_heads == 0'],
  },
  {
    name: 'memory',
    constraint: 'MemoryError when batch * width * 256 B > the 128 MiB cap',
    dir: join(RECIPES_DIR, 'memory'),
    knobs: [int('batch', 8, 1024, { log: true }), int('width', 32, 4096, { log: true }), float('lr', 1e-5, 1e-1, true)],
    baseline: { batch: 32, width: 256, lr: 0.003 },
    metric: 'val_loss',
    gates: [],
    memoryBytes: 128 * 1024 * 1024,
    declared: ['batch * width <= 440000'],
  },
  {
    name: 'pairs',
    constraint: 'onecycle x {sgd, adam, lion}, fp16 x {momentum, lion} raise',
    dir: join(RECIPES_DIR, 'pairs'),
    knobs: [
      categorical('optimizer', ['sgd', 'momentum', 'adam', 'adamw', 'lion']),
      categorical('schedule', ['constant', 'cosine', 'onecycle', 'step']),
      categorical('precision', ['fp32', 'bf16', 'fp16']),
      float('lr', 1e-5, 1, true),
    ],
    baseline: { optimizer: 'adam', schedule: 'constant', precision: 'fp32', lr: 0.01 },
    metric: 'val_loss',
    gates: [],
    declared: ["schedule != 'onecycle' or optimizer in ['momentum', 'adamw']", "precision != 'fp16' or optimizer in ['sgd', 'adam', 'adamw']"],
  },
  {
    name: 'divergence',
    constraint: 'FloatingPointError when lr * width / 16 > 2 (1 + momentum)',
    dir: join(RECIPES_DIR, 'divergence'),
    knobs: [float('lr', 1e-4, 10, true), int('width', 16, 1024, { step: 16 }), float('momentum', 0, 0.95)],
    baseline: { lr: 0.01, width: 64, momentum: 0.5 },
    metric: 'val_loss',
    gates: [],
    declared: ['lr * width / 16 < 2 * (1 + momentum)'],
  },
  {
    name: 'size',
    constraint: 'gate artifact_bytes <= 16e6 (grows with depth * width^2)',
    dir: join(RECIPES_DIR, 'size'),
    knobs: [int('depth', 1, 16), int('width', 64, 1024, { step: 64 }), float('lr', 1e-4, 1e-1, true)],
    baseline: { depth: 2, width: 256, lr: 0.01 },
    metric: 'val_loss',
    gates: ['artifact_bytes <= 16000000'],
    declared: ['2 * (depth * (12 * width ** 2 + 13 * width) + 256 * width) + 4096 <= 16000000'],
  },
];
