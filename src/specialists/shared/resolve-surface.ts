import { AutolabError } from '../../core/errors.ts';
import type { SpecialistSpec, SurfaceSpec, TaskSpec } from '../../core/task.ts';

/** The surface a specialist names; a `TaskFileError` listing the declared ones when it is missing. */
export function resolveSurface(spec: SpecialistSpec, task: TaskSpec): SurfaceSpec {
  const surface = task.surfaces[spec.surface];
  if (surface !== undefined) return surface;
  const known = Object.keys(task.surfaces);
  throw new AutolabError('TaskFileError', `specialist '${spec.name}' names surface '${spec.surface}', which the task does not declare`, {
    hint: known.length === 0 ? 'declare the surface under surfaces:' : `use one of: ${known.join(', ')}`,
  });
}
