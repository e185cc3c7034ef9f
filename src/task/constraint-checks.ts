import { compileKnobConstraint, type KnobValueType } from '../core/knob-constraint.ts';
import type { TaskFileIssue } from './task-file-issue.ts';

/**
 * Checks of a surface's knob lattice (`step`) and `constraints:` on the raw YAML data:
 * steps that fit the knob, constraints that parse, name only knobs of their surface and
 * compare values of the right type. Part of `semanticIssues`.
 */

type Raw = Record<string, unknown>;
type Path = Array<string | number>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Problems with a knob's `step` (the rest of the knob is checked beside it). */
export function stepIssues(knob: Raw, path: Path): TaskFileIssue[] {
  const step = knob.step;
  if (step === undefined || step === null || typeof step !== 'number') return [];
  const at: Path = [...path, 'step'];
  if (knob.type === 'categorical') return [{ path: at, message: 'step applies to float and int knobs only' }];
  if (knob.log === true) return [{ path: at, message: 'step cannot be combined with log: true (a log scale has no even steps); drop one of them' }];
  const issues: TaskFileIssue[] = [];
  if (knob.type === 'int' && !Number.isInteger(step)) issues.push({ path: at, message: `expected a whole number step for an int knob, got ${step}` });
  const { low, high } = knob;
  if (typeof low === 'number' && typeof high === 'number' && low < high && step > high - low) {
    issues.push({ path: at, message: `step (${step}) is larger than high - low (${high - low}): the knob would have a single value` });
  }
  return issues;
}

/** What a raw knob holds, for the type checks of constraints. */
function valueType(knob: unknown): KnobValueType {
  if (!isRecord(knob)) return 'any';
  if (knob.type === 'float' || knob.type === 'int') return 'number';
  if (knob.type !== 'categorical' || !Array.isArray(knob.choices) || knob.choices.length === 0) return 'any';
  const types = new Set(knob.choices.map((choice) => typeof choice));
  if (types.size !== 1) return 'any';
  const only = [...types][0];
  return only === 'number' || only === 'string' || only === 'boolean' ? only : 'any';
}

/** Problems with a surface's `constraints:` list. */
export function constraintIssues(surface: Raw, path: Path): TaskFileIssue[] {
  const constraints = surface.constraints;
  if (!Array.isArray(constraints)) return [];
  const knobs: Record<string, KnobValueType> = {};
  if (isRecord(surface.knobs)) for (const [name, knob] of Object.entries(surface.knobs)) knobs[name] = valueType(knob);
  const issues: TaskFileIssue[] = [];
  constraints.forEach((source: unknown, index) => {
    if (typeof source !== 'string' || source.trim() === '') return;
    const result = compileKnobConstraint(source, knobs);
    if (result.ok) return;
    for (const problem of result.problems) {
      issues.push({ path: [...path, 'constraints', index], message: `${JSON.stringify(source)}, column ${problem.column}: ${problem.message}` });
    }
  });
  if (constraints.length > 0 && Object.keys(knobs).length === 0) {
    issues.push({ path: [...path, 'constraints'], message: 'constraints apply to knobs, but this surface declares none; declare them under knobs:' });
  }
  return issues;
}
