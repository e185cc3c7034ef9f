import { z } from 'zod';
import { parseGate } from '../core/gates.ts';
import type { CommandSpec, GateSpec } from '../core/task.ts';
import { studyNameProblem } from '../core/study-name.ts';
import { executorSchema } from './executor-schema.ts';
import { fidelitySchema } from './fidelity-schema.ts';
import { objectivesSchema, preferenceSchema } from './objectives-schema.ts';
import { parentsSchema } from './parents-schema.ts';
import { durationSchema, sizeSchema } from '../options/unit-schemas.ts';
import { SPECIALIST_KIND_NAMES, SPECIALIST_KINDS_TEXT } from '../specialists/specialist-kinds.ts';

/**
 * The task file (`autolab.yaml`) as the user writes it: snake_case keys, durations and
 * sizes as text. Parsing normalises durations to milliseconds, sizes to bytes, commands
 * to `{ command, timeoutMs }` and gates to `GateSpec`. Checks that span several keys
 * (a specialist's surface exists, a knob's file lies in its surface) live in
 * `semantic-checks.ts`; paths are resolved by `load-task.ts`.
 */

/** Names of tasks, surfaces, knobs and specialists. */
export const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;
const NAME_EXPECTED = 'expected a name made of letters, digits, `.`, `_` and `-`';
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Default wall-clock budgets (ms) of the phases whose timeout may be left out. */
export const DEFAULT_TIMEOUTS_MS = {
  setup: 10 * 60_000,
  preflight: 5 * 60_000,
  score: 10 * 60_000,
  legality: 5 * 60_000,
  profile: 5 * 60_000,
} as const;

/** Default limits, in bytes. */
export const DEFAULT_LIMITS = {
  maxDiffBytes: 1_000_000,
  maxFileBytes: 5_000_000,
  maxArtifactBytes: 1_000_000_000,
} as const;

/** Default cap on the captured output of the run phase: 10 MiB. */
export const DEFAULT_OUTPUT_CAP_BYTES = 10 * 1024 * 1024;

const missing = (hint: string) => (issue: { input?: unknown; code?: string }) =>
  issue.code === 'invalid_type' && issue.input === undefined ? hint : undefined;

const nameSchema = z.string().regex(NAME_PATTERN, { error: NAME_EXPECTED });



const commandTextSchema = z
  .string({ error: missing('required: the shell command to run, e.g. `python train.py`') })
  .trim()
  .min(1, { error: 'expected a shell command, got an empty string' });

function commandSchema(phase: keyof typeof DEFAULT_TIMEOUTS_MS, description: string, requiredHint?: string) {
  const defaultTimeoutMs = DEFAULT_TIMEOUTS_MS[phase];
  const defaultText = `${defaultTimeoutMs / 60_000}m`;
  return z
    .union(
      [
        commandTextSchema.describe(`${description} Written as a plain command, the timeout is ${defaultText}.`),
        z.strictObject({
          command: commandTextSchema.describe('The shell command to run.'),
          timeout: durationSchema().optional().describe(`Wall-clock budget; the process group is killed when it runs out. Default ${defaultText}.`),
        }),
      ],
      {
        error: (issue) =>
          issue.input === undefined && requiredHint !== undefined ? requiredHint : 'expected a command: a string, or { command, timeout }',
      },
    )
    .transform((value): CommandSpec =>
      typeof value === 'string'
        ? { command: value, timeoutMs: defaultTimeoutMs }
        : { command: value.command, timeoutMs: value.timeout ?? defaultTimeoutMs },
    )
    .describe(`${description} A command string, or { command, timeout } (default timeout ${defaultText}).`);
}

const gateSchema = z
  .string({ error: 'expected a gate such as "artifact_bytes <= 65536" (quote it in YAML)' })
  .transform((source, context): GateSpec => {
    const gate = parseGate(source);
    if (!gate) {
      context.issues.push({
        code: 'custom',
        message: `expected a gate "<metric> <op> <number>" with op one of <=, <, >=, >, ==, != (e.g. "accuracy >= 0.96"), got ${JSON.stringify(source)}`,
        input: source,
      });
      return z.NEVER;
    }
    return gate;
  })
  .describe('A constraint on a metric: "<metric> <op> <number>", op one of <=, <, >=, >, ==, != (e.g. "artifact_bytes <= 16e6").');

/** Default budget of the smoke run. */
export const DEFAULT_SMOKE_TIMEOUT_MS = 60_000;

/** `smoke:` as written: `{ timeout }` (the run command with AUTOLAB_SMOKE=1), `{ command, timeout }`, or a command. */
const smokeSchema = z
  .union(
    [
      commandTextSchema.describe('Its own command (e.g. `python train.py --steps 5`); the budget is 1m.'),
      z.strictObject({
        command: commandTextSchema.optional().describe('Its own command; default: the run command, with AUTOLAB_SMOKE=1 in its environment.'),
        timeout: durationSchema().optional().describe('Wall-clock budget of the smoke run; the process group is killed when it runs out (smoke_failed). Default 1m.'),
        gates: z
          .array(gateSchema)
          .optional()
          .describe(
            'Gates a short run already decides (sizes, parameter counts), checked on the smoke run\'s artifacts: the evaluator\'s score command scores them, sandboxed like any score, and a miss is smoke_failed. ' +
              'e.g. gates: ["artifact_bytes <= 16e6"]. The smoke run\'s artifacts are also held to max_artifact_bytes.',
          ),
      }),
    ],
    { error: 'expected { timeout } (the run command with AUTOLAB_SMOKE=1), { command, timeout }, or a command' },
  )
  .transform((value): { command: string | null; timeoutMs: number; gates: GateSpec[] } =>
    typeof value === 'string'
      ? { command: value, timeoutMs: DEFAULT_SMOKE_TIMEOUT_MS, gates: [] }
      : { command: value.command ?? null, timeoutMs: value.timeout ?? DEFAULT_SMOKE_TIMEOUT_MS, gates: value.gates ?? [] },
  )
  .describe(
    'Optional smoke run between the preflight and the run: the run command with AUTOLAB_SMOKE=1 and a short budget (or its own command), in the trial worktree with the run\'s limits. ' +
      'A recipe reads AUTOLAB_SMOKE to do a few steps. It catches crashes, OOMs, timeouts and (with gates) size-gate misses in seconds; its failure is smoke_failed (with its failure signature, fed back like any failure) and the full run is not spent. ' +
      'Its artifacts go to their own folder; nothing it prints is scored. e.g. smoke: { timeout: 30s }.',
  );

const relativePathSchema = z.string().trim().min(1, { error: 'expected a path relative to the recipe root, got an empty string' });

const knobSchema = z
  .strictObject({
    file: relativePathSchema.describe('File holding the knob, relative to the recipe root; it must lie inside the surface paths.'),
    key: z.string().min(1).optional().describe('Dotted key path into a JSON or YAML file (e.g. `model.lr`). Use either key or marker.'),
    marker: z
      .string()
      .min(1)
      .optional()
      .describe('The knob is the literal on the line of `file` that carries the comment `autolab: <marker>`. Use either key or marker.'),
    type: z.enum(['float', 'int', 'categorical']).describe('float and int need low and high; categorical needs choices.'),
    low: z.number().optional().describe('Lower bound (float and int knobs).'),
    high: z.number().optional().describe('Upper bound, greater than low (float and int knobs).'),
    log: z.boolean().optional().describe('Search on a log scale (float and int knobs; needs low > 0).'),
    step: z
      .number()
      .positive({ error: 'expected a step > 0' })
      .optional()
      .describe('Values lie on low + k * step (float and int knobs, not with log; a whole number for int knobs), e.g. step: 8 for multiples of 8 from low: 8.'),
    choices: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe('The values a categorical knob may take (at least one).'),
  })
  .describe('A declared parameter of the recipe that a `knobs` specialist searches over.');

const surfaceSchema = z
  .strictObject({
    paths: z
      .array(relativePathSchema.describe('A file, a folder (`src/` or `src`) or a glob (`src/**/*.py`), relative to the recipe root.'), {
        error: missing('required: the files, folders or globs this surface may edit, e.g. paths: [train.py]'),
      })
      .min(1, { error: 'expected at least one path' })
      .describe('Files, folders or globs (relative to the recipe root) a specialist bound to this surface may edit.'),
    knobs: z
      .record(nameSchema, knobSchema)
      .default({})
      .describe('Declared parameters of this surface, by name.'),
    constraints: z
      .array(z.string({ error: 'expected a constraint expression such as "d_model % n_heads == 0" (quote it in YAML)' }).trim().min(1, { error: 'expected an expression, got an empty string' }))
      .optional()
      .describe(
        'Expressions over this surface\'s knob names that every proposal must satisfy, checked before a trial is spent, e.g. ["d_model % n_heads == 0", "batch * width <= 65536", "not (optimizer == \'lion\' and schedule == \'onecycle\')"]. Operators: + - * / // % ** == != < <= > >= and or not in; functions abs ceil exp floor log log2 log10 max min round sqrt.',
      ),
  })
  .describe('A named part of the recipe one specialist may edit.');

/** The keys of a specialist that are not passed on as `options`. */
export const SPECIALIST_CORE_KEYS = ['name', 'kind', 'surface', 'role', 'parents'] as const;

const specialistSchema = z
  .looseObject({
    name: nameSchema.describe('Unique name of the specialist (shown in the lineage).'),
    kind: z.enum(SPECIALIST_KIND_NAMES).describe(SPECIALIST_KINDS_TEXT),
    surface: z.string().min(1).describe('Name of the surface (under `surfaces:`) this specialist may edit.'),
    role: z.string().optional().describe('What the specialist works on: a preset (optimizer, architecture, data, systems, generalist) or your own text.'),
    parents: parentsSchema.optional(),
    // Options of the llm and command kinds, listed here for editors; each kind validates its own (docs/specialists.md).
    model: z.string().optional().describe('llm: provider:model-id, e.g. anthropic:claude-sonnet-4-5, openai:gpt-4o, openai-compatible:qwen2.5-coder.'),
    base_url: z.string().optional().describe('llm: the provider endpoint, e.g. http://127.0.0.1:8000/v1 for vLLM (required for openai-compatible).'),
    api_key_env: z.string().optional().describe('llm: environment variable holding the API key (default OPENAI_API_KEY / ANTHROPIC_API_KEY).'),
    knowledge: z.union([z.string(), z.array(z.string())]).optional().describe('llm: files (relative to this task file) pinned at the top of the agent\'s context.'),
    library: z.string().optional().describe("llm: a folder of technique notes the agent can list and read, or `builtin` (autolab's starter library: docs/specialists.md)."),
    max_steps: z.number().int().min(1).optional().describe('llm: model calls per session (default 30).'),
    max_tokens: z.number().int().min(1).optional().describe('llm: input plus output tokens per session (default 1000000).'),
    wall_time: z.union([z.number(), z.string()]).optional().describe('llm: wall-clock limit of a session (default 20m).'),
    command: z.string().optional().describe('command: the agent CLI to run in a scratch copy, e.g. claude -p "$(cat {prompt_file})"; placeholders {lineage_file}, {role_file}, {hypothesis_file}, {prompt_file}, {surface}.'),
    timeout: z.union([z.number(), z.string()]).optional().describe('command: wall-clock limit of one run of the command (default 20m); its process group is killed then.'),
  })
  .describe('A proposer bound to a surface. Keys other than name, kind, surface and role are kind-specific options (docs/specialists.md).');

/** The zod schema of `autolab.yaml`. Parse output: durations in ms, sizes in bytes, gates parsed. */
export const taskFileSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Optional JSON Schema reference for editors; ignored by autolab.'),
    name: z
      .string({ error: missing('required: a name for the task, e.g. name: my-task') })
      .regex(NAME_PATTERN, { error: NAME_EXPECTED })
      .superRefine((name, context) => {
        // The task's name is its study's default name: one safe folder name (not `..`, not `-x`, not over-long).
        const problem = NAME_PATTERN.test(name) ? studyNameProblem(name) : null;
        if (problem !== null) context.addIssue({ code: 'custom', message: `${problem} (the task's name is its study's name)` });
      })
      .describe('Name of the task: letters, digits, `.`, `_` and `-`.'),
    repo: z
      .string()
      .min(1)
      .default('.')
      .describe('The recipe repo (a git work tree, a folder inside one, or a plain folder), relative to this file. Default: the folder of this file.'),
    baseline: z.string().trim().min(1).default('HEAD').describe('Git revision of the recipe to start from. Default HEAD.'),
    setup: commandSchema('setup', 'Run once per study before the baseline (e.g. download or prepare data).').optional(),
    objective: z
      .strictObject(
        {
          metric: z.string({ error: missing('required: the metric the score command prints, e.g. metric: val_loss') }).min(1).describe('Name of the metric (a key of the JSON the score command prints).'),
          direction: z
            .enum(['minimize', 'maximize'], { error: 'expected minimize or maximize' })
            .describe('minimize or maximize.'),
        },
        { error: missing('required: what to optimise, e.g. objective: { metric: val_loss, direction: minimize }') },
      )
      .optional()
      .describe('The metric to optimise and its direction (required unless objectives is given; with objectives, the primary one).'),
    objectives: objectivesSchema.optional(),
    near_duplicates: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe('Reject, as duplicate and before any compute, a program edit (llm, command, combine, ablate specialists) whose diff is at least this similar to an earlier trial\'s (Dice coefficient of the changed lines\' tokens, whitespace ignored; 1: the same change). The failure detail names the earlier trial. Default: only identical trees are duplicates.'),
    preference: preferenceSchema.optional(),
    preflight: commandSchema('preflight', 'Optional cheap check before the run (syntax check); failure: preflight_failed.').optional(),
    smoke: smokeSchema.optional(),
    run: z
      .strictObject(
        {
          command: commandTextSchema.describe('The run command, in the trial worktree.'),
          timeout: durationSchema('required: the wall-clock budget of the run, e.g. timeout: 10m').describe('Wall-clock budget of the run (required); the process group is killed when it runs out.'),
          output_cap: sizeSchema.optional().describe('Captured output beyond this size is dropped (the run keeps going). Default 10MiB.'),
          memory: sizeSchema.optional().describe('Memory limit of the run (and the score) where the OS allows. Default: none.'),
          max_processes: z
            .number()
            .int()
            .min(1)
            .optional()
            .describe('Most processes and threads the run (and preflight, legality, score) may have at once: a pids cgroup where writable, else ulimit -u. Default 8192.'),
          max_file_size: sizeSchema.optional().describe('Largest file the run (and preflight, legality, score) may write; the writer gets SIGXFSZ (label crash). Default 64GiB.'),
        },
        {
          error: (issue) =>
            issue.code === 'invalid_type'
              ? issue.input === undefined
                ? 'required: the run phase, e.g. run: { command: python train.py, timeout: 10m }'
                : 'expected { command, timeout }: the run phase needs a timeout, e.g. run: { command: python train.py, timeout: 10m }'
              : undefined,
        },
      )
      .describe('The run phase: the recipe command, under a wall-clock budget, an output cap and an optional memory cap.'),
    score: commandSchema(
      'score',
      'The evaluator-owned command that reads the run artifacts ($AUTOLAB_ARTIFACTS, regular files only, read-only) and the held-out data ($AUTOLAB_HOLDOUT) and prints the metrics as JSON on its last stdout line; it may write only to $AUTOLAB_SCORE_DIR under the sandbox.',
      'required: the evaluator-owned command that prints the metrics JSON, e.g. score: python score.py',
    ),
    legality: commandSchema('legality', 'Optional task-owned legality check, run from the baseline\'s evaluator checkout (a trial cannot change it) on the trial\'s tree: $AUTOLAB_WORKTREE is the trial\'s worktree (read-only), $AUTOLAB_DIFF a file with its cumulative diff from the baseline; non-zero exit: illegal_edit.').optional(),
    protected: z
      .array(relativePathSchema)
      .default([])
      .describe('Globs of evaluator-owned paths (relative to the recipe root) that no trial may change.'),
    gates: z.array(gateSchema).default([]).describe('Constraints on metrics every kept trial must meet, e.g. ["artifact_bytes <= 16e6"].'),
    surfaces: z.record(nameSchema, surfaceSchema).default({}).describe('Named parts of the recipe specialists may edit.'),
    specialists: z.array(specialistSchema).default([]).describe('The proposers of the study. `autolab run` needs at least one.'),
    parallel: z.number().int().min(1).default(1).describe('How many trials run at once. Default 1.'),
    gpus: z
      .array(z.union([z.number().int().min(0), z.string().min(1)], { error: 'expected a GPU id: a number such as 0 or a string' }))
      .default([])
      .transform((ids) => ids.map(String))
      .describe('GPU ids handed to slots round-robin as CUDA_VISIBLE_DEVICES. Default: none.'),
    executor: executorSchema.optional(),
    budget: z
      .strictObject({
        trials: z.number().int().min(0).optional().describe('Total trials in the study, the baseline not counted.'),
        hours: z.number().positive().optional().describe('Total hours the study may be driven, across resumes.'),
        patience: z.number().int().min(1).optional().describe('Stop after this many finished trials in a row without a new incumbent.'),
        usd: z.number().positive().optional().describe('USD the specialists may spend on model tokens in the whole study; once spent, no new proposals are made.'),
      })
      .default({})
      .describe('When the study stops. Without any key it runs until stopped.'),
    prices: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]+:.+$/, { error: 'expected a model as provider:model-id, e.g. "openai:gpt-4o"' }),
        z.strictObject({
          input: z.number().min(0).describe('USD per million prompt tokens.'),
          output: z.number().min(0).describe('USD per million output tokens.'),
          cached: z.number().min(0).optional().describe('USD per million prompt tokens read from the cache. Default: the input price.'),
          cache_write: z.number().min(0).optional().describe('USD per million prompt tokens written to the cache. Default: the input price.'),
        }),
      )
      .optional()
      .describe('Prices of models (USD per million tokens) by provider:model-id; they override the built-in table of llm specialists. A model without a price costs $0.'),
    limits: z
      .strictObject({
        max_diff_bytes: sizeSchema.optional().describe('Largest diff a trial may make. Default 1MB.'),
        max_file_bytes: sizeSchema.optional().describe('Largest file a trial may write into the recipe. Default 5MB.'),
        max_artifact_bytes: sizeSchema.optional().describe('Largest total size of $AUTOLAB_ARTIFACTS after the run. Default 1GB.'),
      })
      .default({})
      .describe('Size limits checked by the evaluator.'),
    acceptance: z
      .strictObject({
        rule: z
          .enum(['better', 'welch'])
          .default('better')
          .describe('better: the mean beats the incumbent by more than margin. welch: a one-sided Welch test at alpha beats it by more than min_effect (use with repeats).'),
        margin: z.number().min(0).default(0).describe('better: absolute improvement a trial must exceed to become the incumbent. Default 0.'),
        alpha: z.number().gt(0).lt(1).optional().describe('welch: significance level. Default 0.01.'),
        min_effect: z.number().min(0).optional().describe('welch: the improvement must exceed this (absolute). Default 0.'),
        verify: z.number().int().min(0).optional().describe('Extra repeats run for a would-be incumbent; it must pass again on those alone. Default 3 with welch, 0 with better.'),
      })
      .default({ rule: 'better', margin: 0 })
      .describe('How a trial becomes the incumbent.'),
    repeats: z.number().int().min(1).default(1).describe('Runs per trial, repeat r with AUTOLAB_SEED = seed + r; metrics are averaged. Default 1.'),
    calibration: z.number().int().min(1).optional().describe('Runs of the baseline, to measure the noise. Default: max(repeats, 5) with acceptance welch, else repeats.'),
    pruner: z
      .strictObject({
        kind: z.enum(['none', 'median', 'asha', 'curve']).describe('median: below the median at the same step; asha: successive halving rungs; curve: learning-curve extrapolation. Each compares with the newest 2,000 finished trials and the incumbent.'),
        metric: z.string().optional().describe('The intermediate metric the run writes to $AUTOLAB_METRICS_FILE. Default: the objective metric.'),
        direction: z.enum(['minimize', 'maximize']).optional().describe("That metric's direction. Default: the objective's."),
        warmup_steps: z.number().min(0).default(0).describe('No decision before this step.'),
        min_trials: z.number().int().min(1).default(5).describe('No decision before this many finished trials have curves.'),
        min_step: z.number().positive().optional().describe('asha: step of the first rung.'),
        reduction: z.number().int().min(2).optional().describe('asha: reduction factor between rungs. Default 3.'),
        confidence: z.number().gt(0.5).lt(1).optional().describe('curve: confidence that the predicted final is worse than the incumbent. Default 0.95.'),
        final_step: z.number().positive().optional().describe('curve: the step to predict. Default: the largest step seen.'),
      })
      .optional()
      .describe('Stops runs whose intermediate metrics say they are losing (label pruned).'),
    fidelity: fidelitySchema.optional(),
    sandbox: z
      .enum(['bwrap', 'none'], { error: 'expected bwrap or none' })
      .optional()
      .describe(
        'Isolation of the commands that run trial code (preflight, run) and of those that read what it made (legality, score): bwrap (bubblewrap: read-only system, no network, the home folder, held-out data and the study state hidden; the score sees the held-out data and the artifacts read-only and writes only to $AUTOLAB_SCORE_DIR) or none (clean environment, process group and limits only). Default: bwrap where it works, else none with a warning. See docs/security.md.',
      ),
    expose: z
      .array(z.string().min(1).refine((path) => path.startsWith('/') || path === '~' || path.startsWith('~/'), { error: 'expected an absolute path or one starting with ~/' }))
      .default([])
      .describe(
        'Paths the sandbox shows read-only to trial commands and the score although they are hidden by default: the home folder is hidden whole (its credentials, the CLIs agents run, shell history), except the toolchain the environment points at (a virtualenv, conda, ~/.local/bin). E.g. [~/.cache/torch, ~/datasets]. Credential files stay hidden inside them.',
      ),
    feedback: z
      .strictObject({
        files: z
          .array(z.string().min(1))
          .default([])
          .describe("Files the run leaves for the specialists (a profile, a warnings log, per-layer timings, a loss curve): paths relative to the trial's worktree or its artifacts folder ($AUTOLAB_ARTIFACTS). Read after the score and the profile, redacted and capped."),
        profile: commandSchema(
          'profile',
          "A command run after the score in the trial's worktree, like the run (its limits, sandbox and GPU), e.g. a sampling profiler around a short run; its output, redacted and capped, is the trial's profile. It cannot change the score; its failure is only noted.",
        ).optional(),
        max_chars: z.number().int().min(200).max(20_000).default(2_000).describe('Characters kept of each file and of the profile output (its head and tail). Default 2000.'),
      })
      .optional()
      .describe("Feedback beyond the score: what the run and a profile command leave for the specialists, in the trial's record and the lineage feedback (docs/memory.md)."),
    memory: z
      .strictObject({
        use: z.boolean().default(false).describe('Warm-start this study from earlier ones: knobs samplers take earlier trials on matching knobs as similarity-gated priors, llm specialists get the relevant technique cards in their first message. Default false (also: autolab run --memory).'),
        write: z.boolean().default(true).describe('Write a technique card for every kept trial and a knob observation for every measured one. Default true.'),
        path: z.string().optional().describe("The memory store: a SQLite file (relative to this task file) or a postgres:// URL shared by several projects. Default: the study's own store, shared by every study in it."),
      })
      .optional()
      .describe('Memory across studies: technique cards and knob observations (docs/memory.md).'),
    seed: z.number().int().min(0).default(0).describe('Base seed; repeat r of a trial sees AUTOLAB_SEED = seed + r. Default 0.'),
    env: z
      .strictObject({
        pass: z
          .array(z.string().regex(ENV_NAME_PATTERN, { error: 'expected an environment variable name' }))
          .default([])
          .describe('Names of environment variables passed through to every phase (besides a safe default list).'),
        set: z
          .record(
            z.string().regex(ENV_NAME_PATTERN, { error: 'expected an environment variable name' }),
            z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' }),
          )
          .default({})
          .transform((values) => Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)])))
          .describe('Variables set for every phase, e.g. { OMP_NUM_THREADS: "1" }.'),
      })
      .default({ pass: [], set: {} })
      .describe('Environment of every phase: variables passed through and variables set.'),
  })
  .describe('autolab task file: what is optimised and how it is judged.');

/** The task file after zod parsing (durations in ms, sizes in bytes), before paths are resolved. */
export type ParsedTaskFile = z.output<typeof taskFileSchema>;
/** The task file as written. */
export type TaskFileInput = z.input<typeof taskFileSchema>;
