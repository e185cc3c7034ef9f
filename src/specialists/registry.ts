/**
 * Builds a specialist from its task-file declaration, by kind. The one place that knows
 * which kinds exist in this version of autolab.
 */
import { AutolabError } from '../core/errors.ts';
import type { Specialist } from '../core/specialist.ts';
import type { SpecialistKind, SpecialistSpec, TaskSpec } from '../core/task.ts';
import { createKnobsSpecialist } from './knobs/knobs-specialist.ts';

/** Kinds that can be built in this version. */
export const AVAILABLE_SPECIALIST_KINDS: readonly SpecialistKind[] = ['knobs'];

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
    case 'command':
    case 'combine':
    case 'ablate':
      throw new AutolabError('TaskFileError', `specialist '${spec.name}': kind '${spec.kind}' is not available in this version of autolab; use kind: knobs`, {
        hint: `available kinds: ${AVAILABLE_SPECIALIST_KINDS.join(', ')}`,
      });
    default: {
      const kind: never = spec.kind;
      throw new AutolabError('TaskFileError', `specialist '${spec.name}': unknown kind '${String(kind)}'; use kind: knobs`);
    }
  }
}
