/**
 * The `knobs` specialist: numeric and categorical search over the knobs declared on its
 * surface. Each proposal builds on the incumbent, changes a few knob values in place
 * (a one-line diff per knob) and records the full value set in its notes.
 */
import { z } from 'zod';
import { AutolabError } from '../../core/errors.ts';
import type { ProposalContext, Specialist } from '../../core/specialist.ts';
import type { KnobSpec, SpecialistSpec, SurfaceSpec, TaskSpec } from '../../core/task.ts';
import type { Proposal } from '../../core/trial.ts';
import { createKnobHistoryReader, formatKnobNotesLine } from './knob-history.ts';
import { applyKnobValues, readKnobValues, type RecipeFileReader } from './knob-io.ts';
import type { KnobSampler } from './knob-sampler.ts';
import { validateKnobSpace } from './knob-space.ts';
import { describeKnobValue, knobValueEquals, normaliseKnobValue, type KnobValues } from './knob-value.ts';
import { createRandomSampler } from './random-sampler.ts';

/** The `options` a knobs specialist accepts in the task file. */
const KnobsOptionsSchema = z
  .object({
    /** The search strategy; only `random` exists in this version. */
    sampler: z.literal('random').default('random'),
    /** Most knobs changed per proposal (1 or more). */
    max_changed: z.number().int().min(1).default(3),
  })
  .strict();

export type KnobsSpecialistOptions = z.infer<typeof KnobsOptionsSchema>;

/** What can be swapped in, e.g. by tests or a future sampler. */
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
 * searched (see `validateKnobSpace`) or `spec.options` is invalid.
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
  const parsed = KnobsOptionsSchema.safeParse(spec.options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'options' : `options.${issue.path.join('.')}`;
    throw new AutolabError('TaskFileError', `specialist '${spec.name}': ${where}: ${issue?.message ?? 'invalid'}`, {
      hint: 'knobs specialists accept options sampler (random) and max_changed (an integer >= 1)',
    });
  }
  const sampler = dependencies.sampler ?? createRandomSampler({ maxChanged: parsed.data.max_changed });
  const knobs = surface.knobs;
  const readHistory = createKnobHistoryReader(knobs);

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
      const proposed = sampler.sample(knobs, history, current, () => context.random());

      const changed = knobs.filter((knob) => proposed[knob.name] !== undefined && !knobValueEquals(proposed[knob.name], current[knob.name]));
      if (changed.length === 0) return null;
      const changes: KnobValues = {};
      for (const knob of changed) changes[knob.name] = normaliseKnobValue(knob, proposed[knob.name] as KnobValues[string]);
      const files = await applyKnobValues(incumbentFiles, knobs, changes);
      if (Object.keys(files).length === 0) return null;

      const full: KnobValues = {};
      for (const knob of knobs) full[knob.name] = changes[knob.name] ?? (current[knob.name] as KnobValues[string]);
      return {
        specialist: spec.name,
        parent: incumbent.id,
        hypothesis: `knobs: ${describeChanges(changed, current, changes)} (${sampler.name} search around the incumbent, trial ${incumbent.id})`,
        edit: { kind: 'files', files },
        notes: [
          `${sampler.name} search: changed ${changed.length} of ${knobs.length} knobs; ${history.length} earlier value sets checked for repeats`,
          formatKnobNotesLine(full, sampler.name),
        ].join('\n'),
      };
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
