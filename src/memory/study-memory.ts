/**
 * The memory a study reads and writes, as its runtime carries it: the memory store
 * (the study store's own database, or the task's `memory.path`), whether this study is
 * warm-started from it (`use`), whether it writes to it, and the recipe fingerprint that
 * says which cards are about this recipe family.
 */
import { createHash } from 'node:crypto';
import type { TaskSpec } from '../core/task.ts';

export type { StudyMemory } from '../core/technique-card.ts';

/**
 * The recipe family: a hash of the objective and the names of the surfaces and their
 * knobs (not their ranges, files or commands), so a study of the next week's code, a
 * bigger model or another dataset shares it while an unrelated task does not.
 *
 * @example
 * recipeFingerprint(task); // 'f3a91c0d2b7e4a55'
 */
export function recipeFingerprint(task: Pick<TaskSpec, 'objective' | 'surfaces'>): string {
  const surfaces = Object.values(task.surfaces)
    .map((surface) => `${surface.name}:${surface.knobs.map((knob) => knob.name).sort().join(',')}`)
    .sort();
  return createHash('sha256').update(JSON.stringify({ metric: task.objective.metric, direction: task.objective.direction, surfaces })).digest('hex').slice(0, 16);
}
