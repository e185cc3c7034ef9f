import type { GateSpec, KnobSpec, SpecialistSpec, TaskSpec } from '../core/task.ts';

/** What differs between the tasks that tests and benches build around one knobs specialist. */
export interface KnobsTaskOptions {
  name: string;
  knobs: KnobSpec[];
  /** The recipe root (also the task file's folder and the repo); default `/bench`. */
  root?: string;
  /** The surface's name and paths; default `params` over `params.json`. */
  surface?: { name: string; paths: string[]; constraints?: string[] };
  /** The knobs specialist's options (`sampler`, `learn_failures`, ...). */
  options?: Record<string, unknown>;
  /** Minimized; default `value`. */
  metric?: string;
  /** Default `true`, one second. */
  run?: { command: string; timeoutMs: number };
  /** Default `true`, one second. */
  score?: { command: string; timeoutMs: number };
  gates?: GateSpec[];
  /** `budget.trials`; none when left out. */
  trials?: number;
  maxArtifactBytes?: number;
}

/**
 * A task whose one specialist, `tuner`, is a knobs specialist over one surface: what the
 * sampler benches and the knobs specialist's tests hand to `propose`.
 *
 * @example
 * const { task, spec } = knobsTask({ name: 'bench-branin', knobs, options: { sampler: 'tpe' }, trials: 50 });
 */
export function knobsTask(options: KnobsTaskOptions): { task: TaskSpec; spec: SpecialistSpec } {
  const root = options.root ?? '/bench';
  const surface = options.surface ?? { name: 'params', paths: ['params.json'] };
  const spec: SpecialistSpec = { name: 'tuner', kind: 'knobs', surface: surface.name, options: options.options ?? {} };
  const task: TaskSpec = {
    name: options.name,
    taskFile: `${root}/autolab.yaml`,
    root,
    repo: root,
    baseline: 'HEAD',
    objective: { metric: options.metric ?? 'value', direction: 'minimize' },
    run: { ...(options.run ?? { command: 'true', timeoutMs: 1000 }), outputCapBytes: 1 << 20 },
    score: options.score ?? { command: 'true', timeoutMs: 1000 },
    protected: [],
    gates: options.gates ?? [],
    surfaces: { [surface.name]: { ...surface, knobs: options.knobs } },
    specialists: [spec],
    parallel: 1,
    gpus: [],
    budget: options.trials === undefined ? {} : { trials: options.trials },
    limits: { maxDiffBytes: 1 << 20, maxFileBytes: 1 << 20, maxArtifactBytes: options.maxArtifactBytes ?? 1 << 20 },
    acceptance: { rule: 'better', margin: 0 },
    seed: 1,
    envPass: [],
    envSet: {},
  };
  return { task, spec };
}
