/**
 * Builds a specialist from its task-file declaration, by kind. The one place that knows
 * which kinds exist in this version of autolab.
 */
import { AutolabError } from '../core/errors.ts';
import type { Specialist } from '../core/specialist.ts';
import type { SpecialistKind, SpecialistSpec, TaskSpec } from '../core/task.ts';
import { createAblateSpecialist } from './ablate/ablate-specialist.ts';
import { createCombineSpecialist } from './combine/combine-specialist.ts';
import { createKnobsSpecialist } from './knobs/knobs-specialist.ts';
import { createCommandSpecialist } from './command/command-specialist.ts';
import { createLlmSpecialist } from './llm/llm-specialist.ts';

/** Kinds that can be built in this version. */
export const AVAILABLE_SPECIALIST_KINDS: readonly SpecialistKind[] = ['knobs', 'llm', 'command', 'combine', 'ablate'];

/**
 * Creates the specialist declared by `spec`. Throws a `TaskFileError` for kinds not
 * available in this version, and whatever the kind's factory throws for a bad declaration.
 *
 * @example const specialists = task.specialists.map((spec) => createSpecialist(spec, task));
 */
export function createSpecialist(spec: SpecialistSpec, task: TaskSpec): Specialist {
  switch (spec.kind) {
    case 'knobs':
      return createKnobsSpecialist(spec, task);
    case 'llm':
      return createLlmSpecialist(spec, task);
    case 'command':
      return createCommandSpecialist(spec, task);
    case 'combine':
      return createCombineSpecialist(spec, task);
    case 'ablate':
      return createAblateSpecialist(spec, task);
    default: {
      const kind: never = spec.kind;
      throw new AutolabError('TaskFileError', `specialist '${spec.name}': unknown kind '${String(kind)}'; use kind: knobs`);
    }
  }
}
