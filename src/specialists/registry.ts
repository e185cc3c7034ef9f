/**
 * Builds a specialist from its task-file declaration, by kind: one factory per kind of
 * ./specialist-kinds.ts (the one list of kinds).
 */
import { AutolabError } from '../core/errors.ts';
import { LocalExecutor } from '../executors/local/local-executor.ts';
import type { Specialist, SpecialistFactory } from '../core/specialist.ts';
import type { SpecialistSpec, TaskSpec } from '../core/task.ts';
import { createAblateSpecialist } from './ablate/ablate-specialist.ts';
import { createCombineSpecialist } from './combine/combine-specialist.ts';
import { createKnobsSpecialist } from './knobs/knobs-specialist.ts';
import { createCommandSpecialist } from './command/command-specialist.ts';
import { createLlmSpecialist } from './llm/llm-specialist.ts';
import { SPECIALIST_KIND_NAMES, type SpecialistKind } from './specialist-kinds.ts';

/** The factory of every kind in `SPECIALIST_KINDS` (the compiler keeps it complete). */
const FACTORIES: Record<SpecialistKind, SpecialistFactory> = {
  knobs: createKnobsSpecialist,
  llm: createLlmSpecialist,
  command: (spec, task) => createCommandSpecialist(spec, task, new LocalExecutor()),
  combine: createCombineSpecialist,
  ablate: createAblateSpecialist,
};

/** Kinds that can be built in this version. */
export const AVAILABLE_SPECIALIST_KINDS: readonly SpecialistKind[] = SPECIALIST_KIND_NAMES;

/**
 * Creates the specialist declared by `spec`. Throws a `TaskFileError` for kinds not
 * available in this version, and whatever the kind's factory throws for a bad declaration.
 *
 * @example const specialists = task.specialists.map((spec) => createSpecialist(spec, task));
 */
export function createSpecialist(spec: SpecialistSpec, task: TaskSpec): Specialist {
  const create = Object.hasOwn(FACTORIES, spec.kind) ? FACTORIES[spec.kind as SpecialistKind] : undefined;
  if (create === undefined) {
    throw new AutolabError('TaskFileError', `specialist '${spec.name}': unknown kind '${spec.kind}'; use one of ${SPECIALIST_KIND_NAMES.join(', ')}`);
  }
  return create(spec, task);
}
