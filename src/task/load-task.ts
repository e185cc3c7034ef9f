import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { AutolabError, type AutolabWarning } from '../core/errors.ts';
import type { KnobSpec, Objective, ParetoObjective, SpecialistSpec, SurfaceSpec, TaskSpec } from '../core/task.ts';
import { toParentStrategy } from './parents-schema.ts';
import { DEFAULT_LIMITS, DEFAULT_OUTPUT_CAP_BYTES, SPECIALIST_CORE_KEYS, taskFileSchema, type ParsedTaskFile } from './schema.ts';
import { toFidelitySpec } from './fidelity-schema.ts';
import { recipeFolderProblem } from './repo-folder-check.ts';
import { objectiveRequiredIssues } from './objectives-checks.ts';
import { normaliseRelativePath, semanticIssues } from './semantic-checks.ts';
import { formatKeyPath, type TaskFileIssue } from './task-file-issue.ts';
import { taskWarnings } from './task-warnings.ts';
import { locateIssue } from './yaml-positions.ts';
import { taskFileErrorMap, taskFileIssuesFromZod } from './zod-issues.ts';

export { taskJudgingHash } from './judging-hash.ts';

/** The file names looked for when `loadTaskFile` is given a folder, in order. */
export const TASK_FILE_NAMES = ['autolab.yaml', 'autolab.yml'] as const;

const MAX_PROBLEMS_SHOWN = 50;
/** A task file is a page of YAML; anything this large is refused before it is read (a big file would take minutes and gigabytes to parse). */
export const MAX_TASK_FILE_BYTES = 1024 * 1024;
const MAX_SYNTAX_ERRORS_SHOWN = 5;

/** A loaded task and the non-fatal problems found on the way. */
export interface LoadedTask {
  task: TaskSpec;
  warnings: AutolabWarning[];
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

/** The task file a path names: the file itself, or `autolab.yaml`/`autolab.yml` in a folder. */
async function findTaskFile(pathOrDir: string): Promise<string> {
  const absolute = resolve(pathOrDir);
  const found = await statOrUndefined(absolute);
  if (found?.isFile()) return absolute;
  if (found?.isDirectory()) {
    for (const name of TASK_FILE_NAMES) {
      const candidate = resolve(absolute, name);
      if ((await statOrUndefined(candidate))?.isFile()) return candidate;
    }
    throw new AutolabError('TaskFileError', `No task file in ${absolute}: expected ${TASK_FILE_NAMES.join(' or ')} there.`, {
      hint: 'name the folder that holds autolab.yaml (as PATH or --task PATH), or create one in the recipe folder with `autolab init DIR` (`--scan train.py` proposes knobs from your script)',
    });
  }
  throw new AutolabError('TaskFileError', `No task file at ${absolute}: the path does not exist.`, {
    hint: 'check the path (relative to the folder you are in), or create a task file with `autolab init DIR`',
  });
}

/** How the file is named in messages: relative to the working folder when inside it. */
function displayPath(taskFile: string): string {
  const fromCwd = relative(process.cwd(), taskFile);
  return fromCwd !== '' && !fromCwd.startsWith('..') && !isAbsolute(fromCwd) ? fromCwd : taskFile;
}

/**
 * One error for all problems, sorted by position. YAML syntax errors cascade (one bad
 * indent can yield hundreds), so only the first `shown` are listed.
 */
function problemsError(lines: string[], display: string, options: { cause?: unknown; shown?: number } = {}): AutolabError {
  const sorted = [...new Set(lines)].sort((a, b) => {
    const [lineA, colA] = a.slice(display.length + 1).split(':').map(Number);
    const [lineB, colB] = b.slice(display.length + 1).split(':').map(Number);
    return lineA! - lineB! || colA! - colB!;
  });
  const shown = sorted.slice(0, options.shown ?? MAX_PROBLEMS_SHOWN);
  let count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
  if (shown.length < sorted.length) count += `, the first ${shown.length} shown`;
  const cause = options.cause;
  return new AutolabError('TaskFileError', `Invalid task file ${display} (${count}):\n${shown.join('\n')}`, {
    cause,
    hint: 'Fix each line above; `npx autolab init` writes a commented task file that explains every key.',
  });
}

function toKnobSpec(name: string, knob: ParsedTaskFile['surfaces'][string]['knobs'][string]): KnobSpec {
  const spec: KnobSpec = { name, file: normaliseRelativePath(knob.file), type: knob.type };
  if (knob.key !== undefined) spec.key = knob.key;
  if (knob.marker !== undefined) spec.marker = knob.marker;
  if (knob.low !== undefined) spec.low = knob.low;
  if (knob.high !== undefined) spec.high = knob.high;
  if (knob.log !== undefined) spec.log = knob.log;
  if (knob.step !== undefined) spec.step = knob.step;
  if (knob.choices !== undefined) spec.choices = knob.choices;
  return spec;
}

function toSpecialistSpec(specialist: ParsedTaskFile['specialists'][number]): SpecialistSpec {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(specialist)) {
    if (!(SPECIALIST_CORE_KEYS as readonly string[]).includes(key)) options[key] = value;
  }
  const spec: SpecialistSpec = { name: specialist.name, kind: specialist.kind, surface: specialist.surface, options };
  if (specialist.role !== undefined) spec.role = specialist.role;
  if (specialist.parents !== undefined) spec.parents = toParentStrategy(specialist.parents);
  return spec;
}

/** `objective`, or the first of `objectives` (the semantic checks made sure one is there). */
function primaryObjective(parsed: ParsedTaskFile): Objective {
  const objective = parsed.objective ?? parsed.objectives?.[0];
  if (objective === undefined) throw new Error('a task file without objective passed the checks');
  return { metric: objective.metric, direction: objective.direction };
}

function toParetoObjective(entry: NonNullable<ParsedTaskFile['objectives']>[number]): ParetoObjective {
  return {
    metric: entry.metric,
    direction: entry.direction,
    ...(entry.margin !== undefined ? { margin: entry.margin } : {}),
    ...(entry.reference !== undefined ? { reference: entry.reference } : {}),
  };
}

/** The surfaces of a parsed task file, by name. */
function toSurfaceSpecs(parsed: ParsedTaskFile['surfaces']): Record<string, SurfaceSpec> {
  const surfaces: Record<string, SurfaceSpec> = {};
  for (const [name, surface] of Object.entries(parsed)) {
    surfaces[name] = {
      name,
      paths: surface.paths.map(normaliseRelativePath),
      knobs: Object.entries(surface.knobs).map(([knobName, knob]) => toKnobSpec(knobName, knob)),
      ...(surface.constraints !== undefined && surface.constraints.length > 0 ? { constraints: surface.constraints } : {}),
    };
  }
  return surfaces;
}

/** The pruner of a parsed task file (none when `kind: none` or absent). */
function toPrunerSpec(p: ParsedTaskFile['pruner']): TaskSpec['pruner'] {
  if (!p || p.kind === 'none') return undefined;
  return {
    kind: p.kind,
    warmupSteps: p.warmup_steps,
    minTrials: p.min_trials,
    ...(p.metric !== undefined ? { metric: p.metric } : {}),
    ...(p.direction !== undefined ? { direction: p.direction } : {}),
    ...(p.min_step !== undefined ? { minStep: p.min_step } : {}),
    ...(p.reduction !== undefined ? { reduction: p.reduction } : {}),
    ...(p.confidence !== undefined ? { confidence: p.confidence } : {}),
    ...(p.final_step !== undefined ? { finalStep: p.final_step } : {}),
  };
}

/** Builds the engine's TaskSpec from a parsed task file; paths are resolved against `taskFile`'s folder. */
function toTaskSpec(parsed: ParsedTaskFile, taskFile: string, rawExecutor?: unknown): TaskSpec {
  const root = dirname(taskFile);
  const task: TaskSpec = {
    name: parsed.name,
    taskFile,
    root,
    repo: resolve(root, parsed.repo),
    baseline: parsed.baseline,
    objective: primaryObjective(parsed),
    run: {
      command: parsed.run.command,
      timeoutMs: parsed.run.timeout,
      outputCapBytes: parsed.run.output_cap ?? DEFAULT_OUTPUT_CAP_BYTES,
    },
    score: parsed.score,
    protected: parsed.protected.map(normaliseRelativePath),
    gates: parsed.gates,
    surfaces: toSurfaceSpecs(parsed.surfaces),
    specialists: parsed.specialists.map(toSpecialistSpec),
    parallel: parsed.parallel,
    gpus: parsed.gpus,
    budget: {},
    limits: {
      maxDiffBytes: parsed.limits.max_diff_bytes ?? DEFAULT_LIMITS.maxDiffBytes,
      maxFileBytes: parsed.limits.max_file_bytes ?? DEFAULT_LIMITS.maxFileBytes,
      maxArtifactBytes: parsed.limits.max_artifact_bytes ?? DEFAULT_LIMITS.maxArtifactBytes,
    },
    acceptance: {
      rule: parsed.acceptance.rule,
      margin: parsed.acceptance.margin,
      ...(parsed.acceptance.rule === 'welch' ? { alpha: parsed.acceptance.alpha ?? 0.01, minEffect: parsed.acceptance.min_effect ?? 0, verify: parsed.acceptance.verify ?? 3 } : { verify: parsed.acceptance.verify ?? 0 }),
    },
    repeats: parsed.repeats,
    calibration: parsed.calibration ?? (parsed.acceptance.rule === 'welch' ? Math.max(parsed.repeats, 5) : parsed.repeats),
    seed: parsed.seed,
    envPass: parsed.env.pass,
    envSet: parsed.env.set,
  };
  if (parsed.objectives !== undefined) task.objectives = parsed.objectives.map(toParetoObjective);
  if (parsed.preference !== undefined) task.preference = parsed.preference;
  if (parsed.near_duplicates !== undefined) task.nearDuplicates = parsed.near_duplicates;
  if (parsed.run.memory !== undefined) task.run.memoryBytes = parsed.run.memory;
  if (parsed.run.max_processes !== undefined) task.run.maxProcesses = parsed.run.max_processes;
  if (parsed.run.max_file_size !== undefined) task.run.maxFileBytes = parsed.run.max_file_size;
  if (parsed.sandbox !== undefined) task.sandbox = parsed.sandbox;
  if (parsed.expose.length > 0) task.expose = parsed.expose;
  if (parsed.setup) task.setup = parsed.setup;
  if (parsed.preflight) task.preflight = parsed.preflight;
  if (parsed.smoke) task.smoke = { command: parsed.smoke.command ?? task.run.command, timeoutMs: parsed.smoke.timeoutMs, ownCommand: parsed.smoke.command !== null, gates: parsed.smoke.gates };
  if (parsed.legality) task.legality = parsed.legality;
  const pruner = toPrunerSpec(parsed.pruner);
  if (pruner) task.pruner = pruner;
  // `{ kind: local }` without options is the default, left out; a local container is kept.
  if (parsed.executor && (parsed.executor.kind !== 'local' || Object.keys(parsed.executor.options).length > 0)) task.executor = parsed.executor;
  if (parsed.fidelity) task.fidelity = toFidelitySpec(parsed.fidelity, task.run.timeoutMs, rawExecutor);
  for (const key of ['trials', 'hours', 'patience', 'usd'] as const) {
    if (parsed.budget[key] !== undefined) task.budget[key] = parsed.budget[key];
  }
  if (parsed.feedback && (parsed.feedback.files.length > 0 || parsed.feedback.profile)) {
    task.feedback = { files: parsed.feedback.files, maxChars: parsed.feedback.max_chars, ...(parsed.feedback.profile ? { profile: parsed.feedback.profile } : {}) };
  }
  if (parsed.memory) {
    const path = parsed.memory.path;
    task.memory = { use: parsed.memory.use, write: parsed.memory.write, ...(path !== undefined ? { path: /^postgres(ql)?:\/\//.test(path) ? path : resolve(root, path) } : {}) };
  }
  if (parsed.prices) {
    task.prices = Object.fromEntries(
      Object.entries(parsed.prices).map(([model, price]) => [model, { input: price.input, output: price.output, ...(price.cached !== undefined ? { cached: price.cached } : {}), ...(price.cache_write !== undefined ? { cacheWrite: price.cache_write } : {}) }]),
    );
  }
  return task;
}

async function repoIssues(raw: Record<string, unknown>, root: string): Promise<TaskFileIssue[]> {
  if (typeof raw.repo !== 'string' || raw.repo === '') return [];
  const repo = resolve(root, raw.repo);
  const found = await statOrUndefined(repo);
  if (!found?.isDirectory()) return [{ path: ['repo'], message: `expected the recipe folder, but ${repo} ${found ? 'is not a folder' : 'does not exist'}` }];
  const problem = recipeFolderProblem(await realpath(repo).catch(() => repo), found);
  return problem === null ? [] : [{ path: ['repo'], message: `${repo} ${problem}` }];
}

/**
 * Loads and validates a task file into the engine's `TaskSpec`.
 *
 * `pathOrDir` is the task file, or a folder holding `autolab.yaml` (or `autolab.yml`).
 * Every problem is reported at once, in one `AutolabError('TaskFileError')` whose
 * message has a line `file:LINE:COL: key.path: what is expected` per problem. Paths in
 * the result are absolute, durations milliseconds, sizes bytes.
 *
 * @example
 * const { task, warnings } = await loadTaskFile('examples/golf');
 * for (const warning of warnings) console.warn(warning.message);
 */
export async function loadTaskFile(pathOrDir: string): Promise<LoadedTask> {
  const taskFile = await findTaskFile(pathOrDir);
  const display = displayPath(taskFile);
  const size = (await statOrUndefined(taskFile))?.size ?? 0;
  if (size > MAX_TASK_FILE_BYTES) {
    throw new AutolabError('TaskFileError', `The task file ${display} is ${size} bytes; a task file is at most ${MAX_TASK_FILE_BYTES} bytes (1 MiB)`, {
      hint: 'a task file names commands, paths and knobs: keep data and long lists out of it (the recipe and setup hold those)',
    });
  }
  let text: string;
  try {
    text = await readFile(taskFile, 'utf8');
  } catch (error) {
    throw new AutolabError('TaskFileError', `Cannot read the task file ${taskFile}: ${(error as Error).message}`, { cause: error });
  }

  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return `${display}:${line}:${col}`;
  };
  if (document.errors.length > 0) {
    throw problemsError(
      document.errors.map((error) => `${at(error.pos[0])}: YAML syntax error: ${error.message.split('\n')[0]}`),
      display,
      { shown: MAX_SYNTAX_ERRORS_SHOWN },
    );
  }
  const warnings: AutolabWarning[] = document.warnings.map((warning) => ({
    code: 'yaml_warning',
    message: `${at(warning.pos[0])}: ${warning.message.split('\n')[0]}`,
  }));

  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw problemsError([`${at(0)}: (top level): cannot read the YAML: ${(error as Error).message}`], display, { cause: error });
  }
  if (raw === null || raw === undefined) {
    throw problemsError([`${at(0)}: (top level): the file is empty; expected a mapping with name, objective, run and score`], display);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw problemsError([`${at(0)}: (top level): expected a mapping (key: value), got ${Array.isArray(raw) ? 'a list' : `a ${typeof raw}`}`], display);
  }

  const result = taskFileSchema.safeParse(raw, { error: taskFileErrorMap, reportInput: true });
  const issues: TaskFileIssue[] = [
    ...(result.success ? [] : taskFileIssuesFromZod(result.error.issues, taskFileSchema)),
    ...semanticIssues(raw),
    ...objectiveRequiredIssues(raw),
    ...(await repoIssues(raw as Record<string, unknown>, dirname(taskFile))),
  ];
  if (issues.length > 0 || !result.success) {
    const lines = issues.map((issue) => {
      const { line, col } = locateIssue(document as Document, lineCounter, issue);
      return `${display}:${line}:${col}: ${formatKeyPath(issue.path)}: ${issue.message}`;
    });
    throw problemsError(lines, display, { cause: result.success ? undefined : result.error });
  }

  const task = toTaskSpec(result.data, taskFile, (raw as Record<string, unknown>).executor);
  return { task, warnings: [...warnings, ...taskWarnings(task)] };
}
