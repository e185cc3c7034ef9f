/**
 * The task file's `fidelity:` key: a ladder of cheaper proxies of the run and the rule
 * that promotes trials up it. Shape here (zod); the checks that span keys (names unique,
 * scales increasing, the rule's own keys) in `fidelityIssues`; the TaskSpec form in
 * `toFidelitySpec`.
 */
import { z } from 'zod';
import type { FidelitySpec, PromotionRuleSpec } from '../core/fidelity.ts';
import type { ExecutorSpec } from '../core/task.ts';
import { executorSchema } from './executor-schema.ts';
import { EXECUTOR_KINDS } from '../executors/registry.ts';
import { closestMatch } from '../core/suggest.ts';
import { parseDurationMs } from '../core/units.ts';
import { durationSchema, sizeSchema } from '../options/unit-schemas.ts';
import type { TaskFileIssue } from './task-file-issue.ts';
import { taskFileErrorMap, taskFileIssuesFromZod } from './zod-issues.ts';

const LEVEL_NAME = /^[A-Za-z0-9._-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const PROMOTION_RULES = ['successive_halving', 'top_k', 'predicted', 'gain_per_cost'] as const;
/** Defaults of the promotion rules' keys. */
export const PROMOTION_DEFAULTS = { eta: 3, k: 1, confidence: 0.8 } as const;

const levelSchema = z
  .strictObject({
    name: z.string({ error: 'required: a name for the level, e.g. name: small (the run sees it as AUTOLAB_FIDELITY)' }).regex(LEVEL_NAME, { error: 'expected a name made of letters, digits, `.`, `_` and `-`' }).describe('Name of the level; the run and the score see it as $AUTOLAB_FIDELITY.'),
    env: z
      .record(z.string().regex(ENV_NAME, { error: 'expected an environment variable name' }), z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' }))
      .default({})
      .transform((values) => Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)])))
      .describe('Variables the run (and the score) see at this level, e.g. { STEPS: "200", WIDTH: "64" }.'),
    timeout: durationSchema().optional().describe("Wall-clock budget of the run at this level. Default: run.timeout."),
    scale: z.number().positive({ error: 'expected a scale > 0' }).optional().describe("The level's size (steps, width, data fraction) for the scaling model's power law; increasing along the ladder. Default: the level's timeout divided by the last level's."),
    resources: z
      .strictObject({
        memory: sizeSchema.optional().describe('Memory limit of the run at this level (replaces run.memory).'),
        max_processes: z.number().int().min(1).optional().describe('Most processes and threads at this level (replaces run.max_processes).'),
      })
      .optional()
      .describe('Limits of the run at this level, replacing the run\'s own.'),
    slots: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Execution slots the run at this level holds at once (at most `parallel`); its CUDA_VISIBLE_DEVICES lists every held slot\'s GPU, e.g. slots: 2 for a level that trains on two GPUs. Default 1.'),
    executor: z
      .record(z.string(), z.unknown(), { error: 'expected a mapping of the executor\'s keys, e.g. { gpus: 4, mem: 64GB }' })
      .optional()
      .describe('Keys of the task\'s executor kind that differ at this level, laid over `executor:` (e.g. for Slurm { gpus: 4, mem: 64GB, time_limit: 2h, partition: big }); checked as the executor\'s own keys.'),
  })
  .describe('One rung of the ladder.');

/** The zod schema of `fidelity:`. */
export const fidelitySchema = z
  .strictObject({
    levels: z
      .array(levelSchema, { error: 'expected a list of levels, cheapest first, e.g. levels: [{ name: s, env: { STEPS: "100" }, timeout: 2m }, { name: full }]' })
      .min(2, { error: 'a ladder needs at least two levels (the last is the real task)' })
      .describe('The levels, cheapest first; the last is the real task, the only one that can make an incumbent.'),
    promote: z
      .strictObject({
        rule: z
          .enum(PROMOTION_RULES, {
            error: (issue) => {
              const suggestion = typeof issue.input === 'string' ? closestMatch(issue.input, [...PROMOTION_RULES]) : undefined;
              return `expected successive_halving, top_k, predicted or gain_per_cost${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
            },
          }).describe('successive_halving: the top 1/eta of the trials measured at a level climb (asynchronous, as ASHA); top_k: the best k; predicted: as gain_per_cost, and only trials whose chance (from the scaling model fitted across trials) of beating the incumbent at the full level is at least 1 - confidence; gain_per_cost: the top 1/eta by expected gain over the incumbent per second of predicted climb cost.'),
        eta: z.number().int().min(2).optional().describe(`successive_halving, predicted, gain_per_cost: the reduction factor. Default ${PROMOTION_DEFAULTS.eta}.`),
        k: z.number().int().min(1).optional().describe(`top_k: how many climb. Default ${PROMOTION_DEFAULTS.k}.`),
        confidence: z.number().gt(0.5).lt(1).optional().describe(`predicted: a trial climbs only if its chance of beating the incumbent at the full level is at least 1 - confidence (its optimistic bound at this confidence beats it). Default ${PROMOTION_DEFAULTS.confidence}.`),
        min_rung: z
          .number()
          .int()
          .min(1)
          .optional()
          .describe('Every rule: no trial climbs from a level until it holds this many scored results (the baseline\'s included); trials measured before then wait, holding no slot (new proposals take the free slots), and are decided together once it fills. 1 decides each trial the moment it is measured. Default eta (top_k: 1).'),
      })
      .default({ rule: 'successive_halving' })
      .describe('Which trials climb to the next level. Default successive_halving with eta 3.'),
    continue: z
      .boolean({ error: 'expected true or false' })
      .default(false)
      .describe('true: a promoted trial resumes from its artifacts at the level below (read-only in $AUTOLAB_RESUME_FROM, e.g. a checkpoint it wrote there) instead of starting over, so a level costs only its increment. Default false.'),
  })
  .describe('A ladder of cheaper proxies of the run: every trial is measured at the first level, and the promotion rule decides which climb. Trials keep one id; each level is stored.');

export type ParsedFidelity = z.output<typeof fidelitySchema>;

const RULE_KEYS: Record<(typeof PROMOTION_RULES)[number], readonly string[]> = {
  successive_halving: ['eta'],
  top_k: ['k'],
  predicted: ['eta', 'confidence'],
  gain_per_cost: ['eta'],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The scale of each level, defaults filled in (null where a timeout or scale is missing or of the wrong type). */
function scalesOf(levels: unknown[], runTimeout: unknown): Array<number | null> {
  const timeoutOf = (level: unknown): unknown => (isRecord(level) && level.timeout !== undefined ? level.timeout : runTimeout);
  const last = timeoutOf(levels[levels.length - 1]);
  return levels.map((level) => {
    if (isRecord(level) && typeof level.scale === 'number') return level.scale;
    const own = timeoutOf(level);
    const ms = (value: unknown) => (typeof value === 'number' || typeof value === 'string' ? (parseDurationMs(value) ?? null) : null);
    const a = ms(own);
    const b = ms(last);
    return a !== null && b !== null && b > 0 ? a / b : null;
  });
}

/** Cross-key problems of `fidelity:` (names unique, scales increasing, keys that fit the rule). */
export function fidelityIssues(raw: Record<string, unknown>): TaskFileIssue[] {
  const fidelity = raw.fidelity;
  if (!isRecord(fidelity)) return [];
  const issues: TaskFileIssue[] = [];
  if (Array.isArray(fidelity.levels) && fidelity.levels.length >= 2) {
    const seen = new Map<string, number>();
    fidelity.levels.forEach((level, index) => {
      if (!isRecord(level) || typeof level.name !== 'string') return;
      const first = seen.get(level.name);
      if (first !== undefined) issues.push({ path: ['fidelity', 'levels', index, 'name'], message: `duplicate level name "${level.name}" (also levels[${first}]); names must be unique` });
      else seen.set(level.name, index);
    });
    const runTimeout = isRecord(raw.run) ? raw.run.timeout : undefined;
    const scales = scalesOf(fidelity.levels, runTimeout);
    for (let index = 1; index < scales.length; index++) {
      const previous = scales[index - 1];
      const scale = scales[index];
      if (previous === null || previous === undefined || scale === null || scale === undefined || scale > previous) continue;
      const explicit = isRecord(fidelity.levels[index]) && (fidelity.levels[index] as Record<string, unknown>).scale !== undefined;
      issues.push({
        path: ['fidelity', 'levels', index, explicit ? 'scale' : 'timeout'],
        message: `levels must grow: this level's scale (${round(scale)}) is not above the previous level's (${round(previous)})${explicit ? '' : '; the scale defaults to the timeout over the last level\'s, so give each level a larger timeout or an explicit scale:'}`,
      });
    }
  }
  if (Array.isArray(fidelity.levels)) issues.push(...levelResourceIssues(raw, fidelity.levels));
  const promote = fidelity.promote;
  if (isRecord(promote) && typeof promote.rule === 'string' && (PROMOTION_RULES as readonly string[]).includes(promote.rule)) {
    const allowed = RULE_KEYS[promote.rule as (typeof PROMOTION_RULES)[number]];
    for (const key of ['eta', 'k', 'confidence']) {
      if (promote[key] === undefined || allowed.includes(key)) continue;
      const owners = PROMOTION_RULES.filter((rule) => RULE_KEYS[rule].includes(key));
      const owner = owners.length > 1 ? `${owners.slice(0, -1).join(', ')} or ${owners.at(-1)}` : owners.join('');
      issues.push({ path: ['fidelity', 'promote', key], message: `${key} applies to rule ${owner}, not ${promote.rule}`, at: 'key' });
    }
  }
  return issues;
}

/**
 * The executor keys of a level laid over the task's `executor:` (its kind kept); null when
 * the level changes nothing. A level holding several `slots` asks its kind for their
 * resources (`keysForSlots`: on Slurm, the run's GPU count times slots) unless its own keys
 * name GPUs.
 */
function levelExecutorKeys(taskExecutor: unknown, level: unknown): Record<string, unknown> | null {
  if (!isRecord(level)) return null;
  const base = isRecord(taskExecutor) ? taskExecutor : { kind: 'local' };
  const { kind: _kind, ...overrides } = isRecord(level.executor) ? level.executor : {};
  const keys = { ...base, ...overrides };
  const runOverrides = isRecord(overrides.by_phase) && isRecord(overrides.by_phase.run) ? overrides.by_phase.run : {};
  const ownGpus = ['gpus', 'gpus_per_trial'].some((key) => overrides[key] !== undefined || runOverrides[key] !== undefined);
  const slots = typeof level.slots === 'number' ? level.slots : 1;
  const kind = typeof keys.kind === 'string' ? EXECUTOR_KINDS.find((entry) => entry.kind === keys.kind) : undefined;
  const { kind: baseKind, ...rest } = keys;
  const sized = slots > 1 && !ownGpus && kind?.keysForSlots ? { kind: baseKind, ...kind.keysForSlots(rest, slots) } : keys;
  if (!isRecord(level.executor) && JSON.stringify(sized) === JSON.stringify(keys)) return null;
  return sized;
}

/** Per-level resources that cannot work: more slots than `parallel`, executor keys the task's kind refuses. */
function levelResourceIssues(raw: Record<string, unknown>, levels: unknown[]): TaskFileIssue[] {
  const issues: TaskFileIssue[] = [];
  const parallel = typeof raw.parallel === 'number' ? raw.parallel : 1;
  levels.forEach((level, index) => {
    if (!isRecord(level)) return;
    const at = ['fidelity', 'levels', index];
    if (typeof level.slots === 'number' && level.slots > parallel) {
      issues.push({ path: [...at, 'slots'], message: `this level holds ${level.slots} slots at once, but parallel is ${parallel}: raise parallel to at least ${level.slots} (one slot per GPU) or lower slots` });
    }
    if (isRecord(level.executor) && level.executor.kind !== undefined) {
      const kind = isRecord(raw.executor) ? raw.executor.kind : 'local';
      if (level.executor.kind !== kind) issues.push({ path: [...at, 'executor', 'kind'], message: `a level runs on the task's executor (${String(kind)}): leave kind out and give only the keys that differ`, at: 'key' });
    }
    const keys = levelExecutorKeys(raw.executor, level);
    if (keys === null) return;
    const parsed = executorSchema.safeParse(keys, { error: taskFileErrorMap, reportInput: true });
    if (parsed.success) return;
    for (const issue of taskFileIssuesFromZod(parsed.error.issues, executorSchema)) issues.push({ ...issue, path: [...at, 'executor', ...issue.path] });
  });
  return issues;
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

/** A level's executor: its keys over the task's, parsed by the kind's schema (already checked by `fidelityIssues`). */
function levelExecutor(taskExecutor: unknown, level: ParsedFidelity['levels'][number]): ExecutorSpec {
  return executorSchema.parse(levelExecutorKeys(taskExecutor, level));
}

/** The TaskSpec form: timeouts and scales defaulted, the rule's keys filled in. */
export function toFidelitySpec(parsed: ParsedFidelity, runTimeoutMs: number, taskExecutor?: unknown): FidelitySpec {
  const timeouts = parsed.levels.map((level) => level.timeout ?? runTimeoutMs);
  const lastTimeout = timeouts[timeouts.length - 1]!;
  const levels = parsed.levels.map((level, index) => ({
    name: level.name,
    scale: level.scale ?? timeouts[index]! / lastTimeout,
    timeoutMs: timeouts[index]!,
    env: level.env,
    ...(level.resources && (level.resources.memory !== undefined || level.resources.max_processes !== undefined)
      ? { resources: { ...(level.resources.memory !== undefined ? { memoryBytes: level.resources.memory } : {}), ...(level.resources.max_processes !== undefined ? { maxProcesses: level.resources.max_processes } : {}) } }
      : {}),
    slots: level.slots ?? 1,
    ...(levelExecutorKeys(taskExecutor, level) !== null ? { executor: levelExecutor(taskExecutor, level) } : {}),
  }));
  const p = parsed.promote;
  const rule: PromotionRuleSpec =
    p.rule === 'top_k'
      ? { rule: 'top_k', k: p.k ?? PROMOTION_DEFAULTS.k }
      : p.rule === 'predicted'
        ? { rule: 'predicted', eta: p.eta ?? PROMOTION_DEFAULTS.eta, confidence: p.confidence ?? PROMOTION_DEFAULTS.confidence }
        : p.rule === 'gain_per_cost'
          ? { rule: 'gain_per_cost', eta: p.eta ?? PROMOTION_DEFAULTS.eta }
          : { rule: 'successive_halving', eta: p.eta ?? PROMOTION_DEFAULTS.eta };
  const promote: PromotionRuleSpec = p.min_rung !== undefined ? { ...rule, minRung: p.min_rung } : rule;
  return { levels, promote, ...(parsed.continue ? { continueRuns: true } : {}) };
}
