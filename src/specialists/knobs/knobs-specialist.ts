/**
 * The `knobs` specialist: numeric and categorical search over the knobs declared on its
 * surface. Each proposal builds on the incumbent, changes a few knob values in place
 * (a one-line diff per knob) and records the full value set in its notes.
 */
import { z } from 'zod';
import { AutolabError } from '../../core/errors.ts';
import type { ProposalContext, Specialist } from '../../core/specialist.ts';
import type { KnobSpec, SpecialistSpec, SurfaceSpec, TaskSpec } from '../../core/task.ts';
import type { Proposal, TrialRecord } from '../../core/trial.ts';
import { compileSurfaceConstraints, describeFeasibility } from './declared-constraints.ts';
import { feasibilityGuard } from './feasibility-guard.ts';
import { createKnobHistoryReader, formatKnobNotesLine } from './knob-history.ts';
import { applyKnobValues, readKnobValues, type RecipeFileReader } from './knob-io.ts';
import { observationRole } from './knob-observations.ts';
import type { KnobObservation, KnobSampler } from './knob-sampler.ts';
import { validateKnobSpace } from './knob-space.ts';
import { describeKnobValue, knobValueEquals, knobValuesKey, normaliseKnobValue, type KnobValues } from './knob-value.ts';
import { createKnobSampler, SAMPLER_NAMES } from './sampler-choice.ts';
import { warmStartOnFirstProposal } from './warm-start-sampler.ts';

/** The `options` a knobs specialist accepts in the task file. */
const KnobsOptionsSchema = z
  .object({
    /** The search strategy; `auto` picks tpe, cmaes or grid (see `resolveAutoSampler`). */
    sampler: z.enum(SAMPLER_NAMES).default('auto'),
    /** random: most knobs changed per proposal (1 or more). */
    max_changed: z.number().int().min(1).default(3),
    /** tpe: measured trials (any specialist's) before the model is used; random until then. */
    startup_trials: z.number().int().min(0).optional(),
    /** tpe: candidates drawn per proposal. */
    ei_candidates: z.number().int().min(1).max(10_000).optional(),
    /** tpe: weight of the prior kernel. */
    prior_weight: z.number().positive().optional(),
    /** tpe: count trials in flight as bad so parallel proposals spread out. */
    constant_liar: z.boolean().optional(),
    /** grid: values per float knob (and per int knob with more integers). */
    grid_points: z.number().int().min(2).max(1000).optional(),
    /** Learn where trials fail (by failure signature) and stop proposing there. Default true; false is a control arm. */
    learn_failures: z.boolean().default(true),
  })
  .strict();

export type KnobsSpecialistOptions = z.infer<typeof KnobsOptionsSchema>;

/** What can be swapped in, e.g. by tests. */
export interface KnobsSpecialistDependencies {
  sampler?: KnobSampler;
}

/** A knobs specialist, with the surface and sampler it searches with. */
export interface KnobsSpecialist extends Specialist {
  readonly surface: SurfaceSpec;
  readonly sampler: KnobSampler;
}

/**
 * Creates a knobs specialist for `spec` over its surface in `task`. Throws a
 * `TaskFileError` when the surface is missing, declares no knobs, a knob cannot be
 * searched (see `validateKnobSpace`), a constraint does not compile or `spec.options` is
 * invalid. Every proposal satisfies the surface's `constraints`, and where trials failed,
 * value sets predicted to fail the same way are not proposed (`feasibility-guard.ts`).
 *
 * `propose` reads the incumbent's knob values, samples new ones (with `context.random`,
 * so a seeded study replays), and returns a `files` edit on the incumbent; it returns
 * null only when no knob value can change. It throws a `KnobError` when the incumbent's
 * files no longer carry a knob (the scheduler records it as a warning).
 *
 * @example
 * const specialist = createKnobsSpecialist({ name: 'tuner', kind: 'knobs', surface: 'optimizer', options: {} }, task);
 * const proposal = await specialist.propose(context);
 * // proposal.hypothesis: "knobs: lr 0.01 -> 0.034, width 64 -> 96 (random search around the incumbent, trial 3)"
 */
export function createKnobsSpecialist(spec: SpecialistSpec, task: TaskSpec, dependencies: KnobsSpecialistDependencies = {}): KnobsSpecialist {
  const surface = knobsSurfaceOf(spec, task);
  const parsed = KnobsOptionsSchema.safeParse(spec.options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'options' : `options.${issue.path.join('.')}`;
    throw new AutolabError('TaskFileError', `specialist '${spec.name}': ${where}: ${issue?.message ?? 'invalid'}`, {
      hint: `knobs specialists accept options sampler (${SAMPLER_NAMES.join(', ')}), max_changed, startup_trials, ei_candidates, prior_weight, constant_liar, grid_points and learn_failures`,
    });
  }
  const options = parsed.data;
  const sampler = dependencies.sampler ?? samplerOf(spec.name, options, surface.knobs, task.budget?.trials, (task.objectives?.length ?? 0) >= 2);
  const knobs = surface.knobs;
  const constraints = compileSurfaceConstraints(surface);
  const readHistory = createKnobHistoryReader(knobs);
  const outstanding = createOutstandingProposals(knobs, 2 * (task.parallel ?? 1) + 8);
  const activeSampler = warmStartOnFirstProposal(sampler, knobs); // memory across studies (the sampler itself when off)

  return {
    spec,
    surface,
    sampler,
    async propose(context: ProposalContext): Promise<Proposal | null> {
      context.signal.throwIfAborted();
      const incumbent = context.incumbent;
      const incumbentFiles = memoise((path) => context.readFile(incumbent.id, path));
      const current = await readKnobValues(incumbentFiles, knobs);
      const history = await readHistory(context);
      context.signal.throwIfAborted();
      const pending = outstanding.stillWaiting(context.history.lastId, history);
      const searcher = await activeSampler(context);
      const proposed = searcher.sample(knobs, history, current, () => context.random(), {
        direction: context.task.objective?.direction ?? 'minimize',
        pending,
        constraints,
        learnFeasibility: options.learn_failures,
        ...(context.task.budget?.trials !== undefined ? { trialBudget: context.task.budget.trials } : {}),
        ...(context.task.objectives && context.task.objectives.length >= 2 ? { objectives: context.task.objectives, primaryMetric: context.task.objective.metric } : {}),
      });
      const feasibility = describeFeasibility(feasibilityGuard(knobs, history, { direction: 'minimize', constraints, learnFeasibility: options.learn_failures }));

      const changed = knobs.filter((knob) => proposed[knob.name] !== undefined && !knobValueEquals(proposed[knob.name], current[knob.name]));
      if (changed.length === 0) return null;
      const changes: KnobValues = {};
      for (const knob of changed) changes[knob.name] = normaliseKnobValue(knob, proposed[knob.name] as KnobValues[string]);
      const files = await applyKnobValues(incumbentFiles, knobs, changes);
      if (Object.keys(files).length === 0) return null;

      const full: KnobValues = {};
      for (const knob of knobs) full[knob.name] = changes[knob.name] ?? (current[knob.name] as KnobValues[string]);
      outstanding.add(full, context.history.lastId);
      const learned = history.filter((observation) => observationRole(observation) === 'scored' || observationRole(observation) === 'failed').length;
      return {
        specialist: spec.name,
        parent: incumbent.id,
        hypothesis: `knobs: ${describeChanges(changed, current, changes)} (${searcher.name === 'random' ? 'random search around the incumbent' : `${searcher.name} search over ${learned} measured trials`}, trial ${incumbent.id})`,
        edit: { kind: 'files', files },
        notes: [
          `${searcher.name} search: changed ${changed.length} of ${knobs.length} knobs; learned from ${learned} measured trials (${history.length - learned} others in flight or uninformative), ${pending.length} proposals waiting`,
          ...(feasibility !== null ? [feasibility] : []),
          formatKnobNotesLine(full, searcher.name, (searcher as { lastProposer?: string | null }).lastProposer),
        ].join('\n'),
      };
    },
  };
}

/** The surface a knobs specialist searches: declared by the task, with a valid knob space. */
function knobsSurfaceOf(spec: SpecialistSpec, task: TaskSpec): SurfaceSpec {
  const surface = task.surfaces[spec.surface];
  if (surface === undefined) {
    const known = Object.keys(task.surfaces);
    throw new AutolabError('TaskFileError', `specialist '${spec.name}' names surface '${spec.surface}', which the task does not declare`, {
      hint: known.length === 0 ? 'declare the surface under surfaces:' : `use one of: ${known.join(', ')}`,
    });
  }
  if (surface.knobs.length === 0) {
    throw new AutolabError('TaskFileError', `specialist '${spec.name}' has kind knobs but surface '${surface.name}' declares no knobs`, {
      hint: `declare knobs under surfaces.${surface.name}.knobs (name, file, key or marker, type, low/high or choices), or give the specialist another kind`,
    });
  }
  validateKnobSpace(surface.knobs, `surface '${surface.name}'`);
  return surface;
}

/**
 * Proposals this specialist made that are not yet trials (they wait in the scheduler's
 * queue for a slot). Samplers treat them as in flight. One is forgotten once a trial
 * created after it carries the same values, or when more than `limit` are waiting.
 */
function createOutstandingProposals(knobs: readonly KnobSpec[], limit: number) {
  let waiting: Array<{ key: string; values: KnobValues; after: number }> = [];
  return {
    /** `lastId`: the study's highest trial id now (`TrialHistory.lastId`). */
    add(values: KnobValues, lastId: number): void {
      waiting.push({ key: knobValuesKey(knobs, values), values, after: lastId });
      if (waiting.length > limit) waiting = waiting.slice(-limit);
    },
    stillWaiting(newest: number, history: readonly KnobObservation[]): KnobValues[] {
      const recorded = history.map((observation) => ({ id: observation.trialId, key: knobValuesKey(knobs, observation.values) }));
      waiting = waiting.filter((entry) => {
        if (entry.after >= newest) return true;
        const index = recorded.findIndex((observation) => observation.id > entry.after && observation.key === entry.key);
        if (index < 0) return true;
        recorded.splice(index, 1);
        return false;
      });
      return waiting.map((entry) => entry.values);
    },
  };
}

function describeChanges(changed: readonly KnobSpec[], before: KnobValues, after: KnobValues): string {
  return changed.map((knob) => `${knob.name} ${describeKnobValue(knob, before[knob.name])} -> ${describeKnobValue(knob, after[knob.name])}`).join(', ');
}

function memoise(read: RecipeFileReader): RecipeFileReader {
  const cache = new Map<string, Promise<string | null>>();
  return (path) => {
    let pending = cache.get(path);
    if (pending === undefined) {
      pending = read(path);
      cache.set(path, pending);
    }
    return pending;
  };
}

/** The sampler the options name, its errors prefixed with the specialist's name. */
function samplerOf(name: string, options: z.infer<typeof KnobsOptionsSchema>, knobs: readonly KnobSpec[], trialBudget: number | undefined, multiObjective: boolean): KnobSampler {
  try {
    return createKnobSampler(
      {
        sampler: options.sampler,
        maxChanged: options.max_changed,
        startupTrials: options.startup_trials,
        eiCandidates: options.ei_candidates,
        priorWeight: options.prior_weight,
        constantLiar: options.constant_liar,
        gridPoints: options.grid_points,
      },
      knobs,
      trialBudget,
      multiObjective,
    );
  } catch (error) {
    if (AutolabError.is(error)) throw new AutolabError(error.name, `specialist '${name}': ${error.message}`, { hint: error.hint, cause: error });
    throw error;
  }
}
