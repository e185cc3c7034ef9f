/**
 * The task, as the engine sees it after the task file (`autolab.yaml`) was loaded and
 * validated by `src/task/`. All paths here are absolute; all durations are milliseconds.
 */

/** A command run by autolab, with the wall-clock budget that kills its process group. */
export interface CommandSpec {
  command: string;
  timeoutMs: number;
}

/** The run phase: the task's command in the trial's worktree, under budgets. */
export interface RunSpec extends CommandSpec {
  /** Captured output beyond this many bytes is dropped (the run keeps going). */
  outputCapBytes: number;
  /** Address-space limit for the run, where the OS allows; undefined: none. */
  memoryBytes?: number;
}

export type Direction = 'minimize' | 'maximize';

export interface Objective {
  metric: string;
  direction: Direction;
}

export type GateOperator = '<=' | '<' | '>=' | '>' | '==' | '!=';

/** A constraint on a metric, e.g. `artifact_bytes <= 65536`. */
export interface GateSpec {
  metric: string;
  op: GateOperator;
  value: number;
  /** The gate as the user wrote it. */
  source: string;
}

export type KnobType = 'float' | 'int' | 'categorical';

/**
 * A declared numeric or categorical parameter of the recipe. Exactly one of `key`
 * (a dotted key path into a JSON or YAML file) or `marker` (the literal on the line of
 * `file` that carries the comment `autolab: <marker>`) locates it.
 */
export interface KnobSpec {
  name: string;
  /** Path relative to the recipe root. */
  file: string;
  key?: string;
  marker?: string;
  type: KnobType;
  low?: number;
  high?: number;
  log?: boolean;
  choices?: Array<string | number | boolean>;
}

/** A named part of the recipe that one specialist may edit. */
export interface SurfaceSpec {
  name: string;
  /** Globs relative to the recipe root (`src/**`, `config.json`, a folder `src/`). */
  paths: string[];
  knobs: KnobSpec[];
}

export type SpecialistKind = 'knobs' | 'llm' | 'command' | 'combine' | 'ablate';

export interface SpecialistSpec {
  name: string;
  kind: SpecialistKind;
  surface: string;
  role?: string;
  /** Kind-specific settings, validated by the specialist's own factory. */
  options: Record<string, unknown>;
}

export interface BudgetSpec {
  /** Total trials in the study, the baseline not counted. */
  trials?: number;
  /** Total hours the study may be driven, across resumes. */
  hours?: number;
  /** Stop after this many finished trials in a row without a new incumbent. */
  patience?: number;
}

export interface LimitsSpec {
  /** The largest diff (bytes of unified diff text) a trial may make. */
  maxDiffBytes: number;
  /** The largest file a trial may write into the recipe. */
  maxFileBytes: number;
  /** The largest total size of `$AUTOLAB_ARTIFACTS` after the run. */
  maxArtifactBytes: number;
}

export interface AcceptanceSpec {
  /** `better`: strictly better than the incumbent by more than `margin` (absolute). */
  rule: 'better';
  margin: number;
}

export interface TaskSpec {
  name: string;
  /** Absolute path of the task file. */
  taskFile: string;
  /** Folder holding the task file; `.autolab/` lives here. */
  root: string;
  /** Absolute path of the recipe repo (a git work tree, a folder inside one, or a plain folder). */
  repo: string;
  /** Git revision of the recipe to start from (`HEAD` by default). */
  baseline: string;
  setup?: CommandSpec;
  objective: Objective;
  preflight?: CommandSpec;
  run: RunSpec;
  score: CommandSpec;
  /** Optional task-owned legality check, run in the trial's worktree; non-zero exit: illegal. */
  legality?: CommandSpec;
  /** Globs of evaluator-owned paths no trial may change. */
  protected: string[];
  gates: GateSpec[];
  surfaces: Record<string, SurfaceSpec>;
  specialists: SpecialistSpec[];
  parallel: number;
  /** GPU ids handed to slots round-robin as `CUDA_VISIBLE_DEVICES`; empty: none. */
  gpus: string[];
  budget: BudgetSpec;
  limits: LimitsSpec;
  acceptance: AcceptanceSpec;
  /** Base seed; a run sees `AUTOLAB_SEED` = seed (+ repeat index in later versions). */
  seed: number;
  /** Names of environment variables passed through to runs (beside a safe default list). */
  envPass: string[];
  /** Variables set for every phase. */
  envSet: Record<string, string>;
}
