/**
 * A surface's declared constraints (`constraints:` in the task file), compiled for the
 * samplers, and the notes line that tells what the feasibility guard did for a proposal.
 */
import { AutolabError } from '../../core/errors.ts';
import { compileKnobConstraint, type KnobConstraint, type KnobValueType } from '../../core/knob-constraint.ts';
import { knobValueType } from './knob-value.ts';
import type { KnobSpec, SurfaceSpec } from '../../core/task.ts';
import type { FeasibilityGuard } from './feasibility-guard.ts';


/**
 * Compiles the surface's constraints over its knobs. Throws a `TaskFileError` naming the
 * constraint and the column of the problem (the task file loader reports the same with
 * file:line first, so this is reached only by specs built in code).
 *
 * @example compileSurfaceConstraints({ name: 'model', paths: ['config.json'], knobs, constraints: ['d_model % n_heads == 0'] })
 */
export function compileSurfaceConstraints(surface: Pick<SurfaceSpec, 'name' | 'knobs' | 'constraints'>): KnobConstraint[] {
  const types: Record<string, KnobValueType> = {};
  for (const knob of surface.knobs) types[knob.name] = knobValueType(knob);
  return (surface.constraints ?? []).map((source) => {
    const result = compileKnobConstraint(source, types);
    if (result.ok) return result.constraint;
    const problem = result.problems[0]!;
    throw new AutolabError('TaskFileError', `surface '${surface.name}', constraint ${JSON.stringify(source)}, column ${problem.column}: ${problem.message}`, {
      hint: 'write constraints over the surface\'s knob names, e.g. d_model % n_heads == 0 or batch * width <= 65536',
    });
  });
}

/**
 * One notes line on what the guard knew and refused, or null when it had nothing to do, e.g.
 * `feasibility: crash AssertionError at model.py: ... (12 failed, 5 got past) where d_model % n_heads != 0 (p 0.97); not proposed: 9 predicted to fail`.
 */
export function describeFeasibility(guard: FeasibilityGuard): string | null {
  if (!guard.active) return null;
  const causes = guard.model.causes.map((cause) => `${cause.cause} (${cause.failures} failed, ${cause.passes} got past) where ${cause.rule} (p ${cause.probability.toFixed(2)})`);
  const refused = [
    ...(guard.refused.predicted > 0 ? [`${guard.refused.predicted} predicted to fail`] : []),
    ...(guard.refused.declared > 0 ? [`${guard.refused.declared} violating a declared constraint`] : []),
  ];
  if (causes.length === 0 && refused.length === 0) return null;
  return `feasibility: ${causes.length > 0 ? causes.join('; ') : 'no failures yet'}${refused.length > 0 ? `; candidates not proposed: ${refused.join(', ')}` : ''}`;
}
