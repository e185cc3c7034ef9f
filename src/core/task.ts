/**
 * The task, as the engine sees it after the task file (`autolab.yaml`) was loaded and
 * validated by `src/task/`. All paths here are absolute; all durations are milliseconds.
 */
import type { FidelitySpec } from './fidelity.ts';

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
  /** Most processes (threads included) the trial's commands may have at once; undefined: none. */
  maxProcesses?: number;
  /** Largest file the trial's commands may write (`ulimit -f`); undefined: none. */
  maxFileBytes?: number;
}

/**
 * The smoke run: a short run before the full one (the run command with `AUTOLAB_SMOKE=1`,
 * or its own command) that catches crashes, OOMs and broken outputs in seconds. Its failure
 * is labelled `smoke_failed` and the full run is not spent.
 */
export interface SmokeSpec extends CommandSpec {
  /** True when the task file gave its own command; else `command` is the run command. */
  ownCommand: boolean;
  /**
   * Gates a short run already decides (sizes), checked on the smoke run's artifacts with the
   * evaluator's score command; a miss is `smoke_failed`. Empty: the score is not run.
   */
  gates: GateSpec[];
}

/**
 * How the commands that run a trial's code (legality, preflight, run) are isolated:
 * `bwrap` in a bubblewrap sandbox (read-only system, no network, the study's state
 * hidden), `none` with a clean environment and process group only.
 */
export type SandboxMode = 'bwrap' | 'none';

export type Direction = 'minimize' | 'maximize';

export interface Objective {
  metric: string;
  direction: Direction;
}

/** One objective of a multi-objective study (the task file's `objectives:`). */
export interface ParetoObjective extends Objective {
  /** Acceptance margin in the metric's units (`better`: blocks gains up to it; `welch`: the least effect tested). Default 0. */
  margin?: number;
  /** Hypervolume reference value (the worst value of interest); default from the measured values. */
  reference?: number;
}

/** How the recommended trial of a front is chosen (the task file's `preference:`), by metric name. */
export type ParetoPreference = { weights: Readonly<Record<string, number>> } | { target: Readonly<Record<string, number>> };

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
  /**
   * Numeric knobs only, not with `log`: values lie on the lattice `low + k * step` (for an
   * int knob a whole number >= 1, e.g. 8 for multiples of 8 from a low of 8).
   */
  step?: number;
  choices?: Array<string | number | boolean>;
}

/** A named part of the recipe that one specialist may edit. */
export interface SurfaceSpec {
  name: string;
  /** Globs relative to the recipe root (`src/**`, `config.json`, a folder `src/`). */
  paths: string[];
  knobs: KnobSpec[];
  /**
   * Expressions over this surface's knob names that every proposal satisfies, e.g.
   * `d_model % n_heads == 0` (see `src/core/knob-constraint.ts`); checked when the task
   * file loads and by every sampler before a trial is spent. Absent: none.
   */
  constraints?: string[];
}

/** Where a program-editing specialist's proposals start (`parents:`; chosen by src/core/parent-strategy.ts). */
export type ParentStrategySpec =
  | { strategy: 'incumbent' }
  | { strategy: 'front' }
  | { strategy: 'tournament'; size: number }
  | { strategy: 'islands'; islands: number; migration: number }
  /** Feature bins: per named metric, ascending edges (cells are the intervals between them). */
  | { strategy: 'map_elites'; bins: Record<string, number[]> };

export interface SpecialistSpec {
  name: string;
  /**
   * `knobs`, `llm`, ...: one of the kinds listed in src/specialists/specialist-kinds.ts
   * (the core knows no kinds; the task file's schema checks it when the file loads).
   */
  kind: string;
  surface: string;
  role?: string;
  /** Where each proposal starts (llm, command, combine; default the incumbent): src/core/parent-strategy.ts. */
  parents?: ParentStrategySpec;
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
  /** USD the specialists may spend on models; once spent, no new proposals are made. */
  usd?: number;
}

/** What a model's tokens cost, in USD per million tokens (the task file's `prices:`). */
export interface ModelPriceSpec {
  input: number;
  output: number;
  /** Prompt tokens read from the provider's cache; default the input price. */
  cached?: number;
  /** Prompt tokens written to the cache (Anthropic); default the input price. */
  cacheWrite?: number;
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
  /**
   * `better`: the mean is better than the incumbent's by more than `margin` (absolute).
   * `welch`: a one-sided Welch test says the candidate beats the incumbent by more than
   * `minEffect` at level `alpha`; with `verify` > 0 a would-be incumbent is first re-run
   * that many more times and must pass the test again on those fresh repeats alone.
   */
  rule: 'better' | 'welch';
  margin: number;
  alpha?: number;
  minEffect?: number;
  verify?: number;
}

export type PrunerKind = 'none' | 'median' | 'asha' | 'curve';

/** Stops runs whose intermediate metrics (`$AUTOLAB_METRICS_FILE`) say they are losing. */
export interface PrunerSpec {
  kind: PrunerKind;
  /** The intermediate metric to judge (default: the objective's metric). */
  metric?: string;
  /** Direction of that metric (default: the objective's). */
  direction?: Direction;
  /** No decision before this step. */
  warmupSteps: number;
  /** No decision before this many finished trials have curves. */
  minTrials: number;
  /** asha: the first rung's step and the reduction factor between rungs. */
  minStep?: number;
  reduction?: number;
  /** curve: confidence that the predicted final is worse than the incumbent's. */
  confidence?: number;
  /** curve: the step the prediction is made for (default: the largest step seen). */
  finalStep?: number;
}

/**
 * Where phase commands run: an executor kind and its options. The core knows no kinds:
 * `src/executors/registry.ts` lists them, and the kind's own options schema checked
 * `options` when the task file was loaded (defaults filled in, durations in
 * milliseconds, sizes in bytes).
 */
export interface ExecutorSpec {
  /** `local`, `slurm`, ... (the task file's `executor.kind`). */
  kind: string;
  /** The kind's options, opaque here (e.g. Slurm's partition and `--mem`). */
  options: Record<string, unknown>;
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
  /** The objective; in a multi-objective study the primary one (the trial's `score`). */
  objective: Objective;
  /**
   * Present (two or more, the primary `objective` among them) in a multi-objective study:
   * the study keeps a Pareto front (`src/core/pareto.ts`) instead of one incumbent.
   */
  objectives?: ParetoObjective[];
  /** The preferred trade-off of a multi-objective study (`src/core/pareto-preference.ts`). */
  preference?: ParetoPreference;
  preflight?: CommandSpec;
  /** Optional smoke run between the preflight and the run. */
  smoke?: SmokeSpec;
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
  /** Prices by `provider:model-id` that override the built-in table of llm specialists. */
  prices?: Record<string, ModelPriceSpec>;
  limits: LimitsSpec;
  acceptance: AcceptanceSpec;
  /** Base seed; repeat r of a trial sees `AUTOLAB_SEED` = seed + r. */
  seed: number;
  /** Runs per trial, each with its own seed; metrics are aggregated (default 1). */
  repeats?: number;
  /** Runs of the baseline, to measure the noise (default: max(repeats, 5) with `welch`, else repeats). */
  calibration?: number;
  pruner?: PrunerSpec;
  /** The sandbox of trial commands; undefined: `bwrap` where it works, else `none` with a warning. */
  sandbox?: SandboxMode;
  /** Absolute paths the sandbox shows read-only although they are hidden by default (in the home folder). */
  expose?: string[];
  /** Names of environment variables passed through to runs (beside a safe default list). */
  envPass: string[];
  /** Variables set for every phase. */
  envSet: Record<string, string>;
  /** Where phase commands run; absent: this machine (`{ kind: 'local' }`). */
  executor?: ExecutorSpec;
  /** Memory across studies (absent: cards are written to the study's store, not used). */
  memory?: MemorySpec;
  /** Feedback beyond the score: files the run leaves and a profile command (absent: none). */
  feedback?: FeedbackSpec;
  /** A ladder of cheaper proxies of the run (the task file's `fidelity:`); absent: every trial runs the real task only. */
  fidelity?: FidelitySpec;
  /**
   * Program edits (llm, command, combine, ablate specialists) whose diff is at least this
   * similar to an earlier trial's (src/core/diff-similarity.ts) fail as `duplicate` before
   * compute; absent: only identical trees do.
   */
  nearDuplicates?: number;
}

/** The task file's `feedback:` key: what the specialists see of a run beyond its score. */
export interface FeedbackSpec {
  /** Paths relative to the trial's worktree or its artifacts folder. */
  files: string[];
  /** Run after the score, in the trial's worktree, like the run. */
  profile?: CommandSpec;
  /** Characters kept of each file and of the profile output. */
  maxChars: number;
}

/** The task file's `memory:` key. */
export interface MemorySpec {
  /** Warm-start from earlier studies. */
  use: boolean;
  /** Write technique cards and knob observations. */
  write: boolean;
  /** A SQLite file (absolute) or a postgres:// URL; absent: the study's own store. */
  path?: string;
}
