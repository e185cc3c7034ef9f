import type { AutolabWarning } from '../core/errors.ts';
import type { TaskSpec } from '../core/task.ts';
import { pathMatches } from './semantic-checks.ts';

/**
 * Non-fatal problems of a valid task: the study can start, but probably not as the
 * user meant.
 */
export function taskWarnings(task: TaskSpec): AutolabWarning[] {
  const warnings: AutolabWarning[] = [];
  if (task.specialists.length === 0) {
    warnings.push({
      code: 'no_specialists',
      message: 'the task declares no specialists: `autolab submit` works, `autolab run` needs one; add e.g. `specialists: [{ name: tuner, kind: knobs, surface: <surface> }]`',
    });
  }
  const usedSurfaces = new Set(task.specialists.map((specialist) => specialist.surface));
  for (const surface of Object.values(task.surfaces)) {
    if (!usedSurfaces.has(surface.name) && task.specialists.length > 0) {
      warnings.push({ code: 'unused_surface', message: `surface "${surface.name}" is not used by any specialist` });
    }
    for (const path of surface.paths) {
      const guard = task.protected.find((pattern) => pathMatches(path, pattern));
      if (guard !== undefined) {
        warnings.push({
          code: 'surface_protected',
          message: `surface "${surface.name}" path "${path}" is protected (by "${guard}"): edits there will be rejected as illegal_edit`,
        });
      }
    }
  }
  if (task.gpus.length > 0 && task.parallel > task.gpus.length) {
    warnings.push({
      code: 'gpus_shared',
      message: `parallel is ${task.parallel} but only ${task.gpus.length} GPU(s) are listed: slots will share GPUs round-robin`,
    });
  }
  if (task.budget.trials === undefined && task.budget.hours === undefined && task.budget.patience === undefined) {
    warnings.push({ code: 'no_budget', message: 'no budget (trials, hours or patience): the study runs until it is stopped' });
  }
  return warnings;
}
