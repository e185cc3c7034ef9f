/**
 * The test problems of `bench:pareto`: ZDT1, ZDT2, ZDT3 (Zitzler, Deb and Thiele 2000;
 * two objectives, 30 variables in [0, 1]) and DTLZ2 (Deb et al. 2002; three objectives,
 * 12 variables). bench/pareto-optuna.py implements the same functions; keep them in step.
 * Reference points: just beyond the worst value a uniformly drawn point reaches in each
 * objective (ZDT: f1 <= 1, f2 <= g <= 10; DTLZ2: f <= 1 + g <= 3.5), so every evaluated
 * point counts and the volume measures how far a search got toward the front.
 */
import type { KnobSpec } from '../src/core/task.ts';

export interface ParetoProblem {
  name: string;
  knobs: KnobSpec[];
  objectives: number;
  reference: number[];
  /** Objective values (all minimised) of a point. */
  evaluate(x: readonly number[]): number[];
}

function unitKnobs(count: number): KnobSpec[] {
  return Array.from({ length: count }, (_, i) => ({ name: `x${i}`, file: 'params.json', key: `x${i}`, type: 'float' as const, low: 0, high: 1 }));
}

function zdtG(x: readonly number[]): number {
  let sum = 0;
  for (let i = 1; i < x.length; i += 1) sum += x[i]!;
  return 1 + (9 * sum) / (x.length - 1);
}

export const PARETO_PROBLEMS: ParetoProblem[] = [
  {
    name: 'zdt1',
    knobs: unitKnobs(30),
    objectives: 2,
    reference: [1.1, 11],
    evaluate(x) {
      const g = zdtG(x);
      return [x[0]!, g * (1 - Math.sqrt(x[0]! / g))];
    },
  },
  {
    name: 'zdt2',
    knobs: unitKnobs(30),
    objectives: 2,
    reference: [1.1, 11],
    evaluate(x) {
      const g = zdtG(x);
      return [x[0]!, g * (1 - (x[0]! / g) ** 2)];
    },
  },
  {
    name: 'zdt3',
    knobs: unitKnobs(30),
    objectives: 2,
    reference: [1.1, 11],
    evaluate(x) {
      const g = zdtG(x);
      const r = x[0]! / g;
      return [x[0]!, g * (1 - Math.sqrt(r) - r * Math.sin(10 * Math.PI * x[0]!))];
    },
  },
  {
    name: 'dtlz2',
    knobs: unitKnobs(12),
    objectives: 3,
    reference: [3.6, 3.6, 3.6],
    evaluate(x) {
      let g = 0;
      for (let i = 2; i < x.length; i += 1) g += (x[i]! - 0.5) ** 2;
      const a = (x[0]! * Math.PI) / 2;
      const b = (x[1]! * Math.PI) / 2;
      return [(1 + g) * Math.cos(a) * Math.cos(b), (1 + g) * Math.cos(a) * Math.sin(b), (1 + g) * Math.sin(a)];
    },
  },
];
