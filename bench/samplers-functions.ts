/**
 * The analytic test functions of `npm run bench:samplers`, as knob spaces. Each is
 * implemented identically in bench/samplers-optuna.py (same bounds, same log/int/choices);
 * keep the two in step. All are minimised; `optimum` is the known minimum.
 */
import type { KnobSpec } from '../src/core/task.ts';
import type { KnobValues } from '../src/specialists/knobs/knob-value.ts';

export interface BenchFunction {
  name: string;
  title: string;
  knobs: KnobSpec[];
  optimum: number;
  evaluate(values: KnobValues): number;
}

const float = (name: string, low: number, high: number, log = false): KnobSpec => ({ name, file: 'params.json', key: name, type: 'float', low, high, log });
const int = (name: string, low: number, high: number, log = false): KnobSpec => ({ name, file: 'params.json', key: name, type: 'int', low, high, log });
const num = (values: KnobValues, name: string): number => values[name] as number;

function branin(x1: number, x2: number): number {
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

function rosenbrock(xs: number[]): number {
  let total = 0;
  for (let i = 0; i < xs.length - 1; i += 1) total += 100 * ((xs[i + 1] as number) - (xs[i] as number) ** 2) ** 2 + (1 - (xs[i] as number)) ** 2;
  return total;
}

const HARTMANN_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const HARTMANN_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];
const HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2];

function hartmann6(xs: number[]): number {
  let total = 0;
  for (let i = 0; i < 4; i += 1) {
    let inner = 0;
    for (let j = 0; j < 6; j += 1) inner += HARTMANN_A[i]![j]! * ((xs[j] as number) - HARTMANN_P[i]![j]!) ** 2;
    total -= HARTMANN_ALPHA[i]! * Math.exp(-inner);
  }
  return total;
}

/**
 * The mixed surface: a caricature of model tuning with a log float (lr), a log int (width),
 * a linear int (depth), a categorical (act) and a linear float (dropout). The best learning
 * rate falls as the width grows and depends on the activation. Minimum 0 at lr=1e-3,
 * width=256, depth=4, act=gelu, dropout=0.1.
 */
const MIXED_ACT_OFFSET: Record<string, number> = { relu: 0.15, gelu: 0, silu: 0.05, tanh: 0.6 };
const MIXED_ACT_LR_SHIFT: Record<string, number> = { relu: 0, gelu: 0, silu: 0.3, tanh: -0.5 };

function mixed(lr: number, width: number, depth: number, act: string, dropout: number): number {
  const w = Math.log2(width);
  const bestLogLr = -3 - 0.5 * (w - 8) + (MIXED_ACT_LR_SHIFT[act] as number);
  return (Math.log10(lr) - bestLogLr) ** 2 + 0.1 * (w - 8) ** 2 + 0.05 * (depth - 4) ** 2 + 2 * (dropout - 0.1) ** 2 + (MIXED_ACT_OFFSET[act] as number);
}

export const BENCH_FUNCTIONS: readonly BenchFunction[] = [
  {
    name: 'branin',
    title: 'Branin (2-D)',
    knobs: [float('x1', -5, 10), float('x2', 0, 15)],
    optimum: 0.397887357729739,
    evaluate: (v) => branin(num(v, 'x1'), num(v, 'x2')),
  },
  {
    name: 'rosenbrock4',
    title: 'Rosenbrock 4-D [-2,2]',
    knobs: [0, 1, 2, 3].map((i) => float(`x${i}`, -2, 2)),
    optimum: 0,
    evaluate: (v) => rosenbrock([0, 1, 2, 3].map((i) => num(v, `x${i}`))),
  },
  {
    name: 'hartmann6',
    title: 'Hartmann 6-D',
    knobs: [0, 1, 2, 3, 4, 5].map((i) => float(`x${i}`, 0, 1)),
    optimum: -3.32236801141551,
    evaluate: (v) => hartmann6([0, 1, 2, 3, 4, 5].map((i) => num(v, `x${i}`))),
  },
  {
    name: 'mixed',
    title: 'Mixed log/int/categorical (5-D)',
    knobs: [
      float('lr', 1e-5, 1, true),
      int('width', 16, 1024, true),
      int('depth', 1, 8),
      { name: 'act', file: 'params.json', key: 'act', type: 'categorical', choices: ['relu', 'gelu', 'silu', 'tanh'] },
      float('dropout', 0, 0.8),
    ],
    optimum: 0,
    evaluate: (v) => mixed(num(v, 'lr'), num(v, 'width'), num(v, 'depth'), v.act as string, num(v, 'dropout')),
  },
];
