import { matchesAny } from '../core/glob.ts';
import { closestMatch } from '../core/suggest.ts';
import { constraintIssues, stepIssues } from './constraint-checks.ts';
import { fidelityIssues } from './fidelity-schema.ts';
import type { TaskFileIssue } from './task-file-issue.ts';

/**
 * Checks of the task file that span several keys or that zod's shape cannot say: knob
 * rules (steps and constraints in `constraint-checks.ts`), a knob's file lies in its surface, specialists name existing surfaces and are
 * uniquely named. They run on the raw YAML data, whatever else is wrong with it, so a
 * user sees every problem at once; values of the wrong type are left to the schema.
 */

type Raw = Record<string, unknown>;
type Path = Array<string | number>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Strips `./` prefixes and repeated slashes: the form paths are compared in. */
export function normaliseRelativePath(path: string): string {
  let text = path.trim().replace(/\\/g, '/').replace(/\/{2,}/g, '/');
  while (text.startsWith('./')) text = text.slice(2);
  return text;
}

/** Absolute, or climbing out of the recipe with `..`. */
function escapesRecipe(path: string): boolean {
  const text = normaliseRelativePath(path);
  return text.startsWith('/') || /^[A-Za-z]:/.test(text) || text.split('/').includes('..');
}

/**
 * Whether a recipe file falls under a surface or protected path (the same rules as
 * legality: `src/core/glob.ts`).
 */
export function pathMatches(file: string, pattern: string): boolean {
  return matchesAny(normaliseRelativePath(file), [normaliseRelativePath(pattern)]);
}

function checkKnob(knob: Raw, path: Path, surfacePaths: string[], protectedPaths: string[], surfaceName: string): TaskFileIssue[] {
  const issues: TaskFileIssue[] = [];
  const has = (key: string) => Object.hasOwn(knob, key) && knob[key] !== undefined && knob[key] !== null;
  const locators = 'key (a dotted key path into a JSON or YAML file) or marker (the literal on the line commented `autolab: <marker>`)';
  if (has('key') && has('marker')) issues.push({ path: [...path, 'marker'], message: `use either ${locators}, not both` });
  else if (!has('key') && !has('marker')) issues.push({ path, message: `a knob needs ${locators}` });

  const type = knob.type;
  if (type === 'float' || type === 'int') {
    const missingBounds = (['low', 'high'] as const).filter((bound) => !has(bound));
    if (missingBounds.length > 0) issues.push({ path, message: `a ${type} knob needs ${missingBounds.join(' and ')}` });
    for (const bound of ['low', 'high'] as const) {
      if (type === 'int' && typeof knob[bound] === 'number' && !Number.isInteger(knob[bound])) {
        issues.push({ path: [...path, bound], message: `expected an integer for an int knob, got ${String(knob[bound])}` });
      }
    }
    const { low, high } = knob;
    if (typeof low === 'number' && typeof high === 'number') {
      if (!(low < high)) issues.push({ path: [...path, 'high'], message: `high (${high}) must be greater than low (${low})` });
      if (knob.log === true && !(low > 0)) issues.push({ path: [...path, 'low'], message: `must be > 0 with log: true, got ${low}` });
    }
    if (has('choices')) issues.push({ path: [...path, 'choices'], message: 'choices apply to categorical knobs only' });
    issues.push(...stepIssues(knob, path));
  } else if (type === 'categorical') {
    if (!has('choices')) issues.push({ path, message: 'a categorical knob needs choices, e.g. choices: [relu, tanh]' });
    else if (Array.isArray(knob.choices) && knob.choices.length === 0) {
      issues.push({ path: [...path, 'choices'], message: 'must list at least one choice' });
    }
    for (const key of ['low', 'high', 'log', 'step']) {
      if (has(key)) issues.push({ path: [...path, key], message: `${key} applies to float and int knobs only` });
    }
  }

  const file = knob.file;
  if (typeof file === 'string' && file.trim() !== '') {
    if (escapesRecipe(file)) {
      issues.push({ path: [...path, 'file'], message: `expected a path relative to the recipe root, got ${JSON.stringify(file)}` });
    } else if (/[*?]/.test(file)) {
      issues.push({ path: [...path, 'file'], message: `expected one file, not a glob, got ${JSON.stringify(file)}` });
    } else {
      if (surfacePaths.length > 0 && !surfacePaths.some((pattern) => pathMatches(file, pattern))) {
        issues.push({
          path: [...path, 'file'],
          message: `${JSON.stringify(file)} is not inside the paths of surface "${surfaceName}" (${surfacePaths.join(', ')}); add it to surfaces.${surfaceName}.paths`,
        });
      }
      const guard = protectedPaths.find((pattern) => pathMatches(file, pattern));
      if (guard !== undefined) {
        issues.push({ path: [...path, 'file'], message: `${JSON.stringify(file)} is protected (by "${guard}"); a knob cannot live in an evaluator-owned file` });
      }
    }
  }
  return issues;
}

function checkRelativePaths(value: unknown, path: Path): TaskFileIssue[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index) =>
    typeof item === 'string' && escapesRecipe(item)
      ? [{ path: [...path, index], message: `expected a path or glob relative to the recipe root, got ${JSON.stringify(item)}` }]
      : [],
  );
}

function checkSpecialists(raw: Raw): TaskFileIssue[] {
  const issues: TaskFileIssue[] = [];
  if (!Array.isArray(raw.specialists)) return issues;
  const surfaces = isRecord(raw.surfaces) ? raw.surfaces : {};
  const surfaceNames = Object.keys(surfaces);
  const seen = new Map<string, number>();
  raw.specialists.forEach((specialist: unknown, index) => {
    if (!isRecord(specialist)) return;
    const path: Path = ['specialists', index];
    if (typeof specialist.name === 'string') {
      const first = seen.get(specialist.name);
      if (first !== undefined) {
        issues.push({ path: [...path, 'name'], message: `duplicate specialist name "${specialist.name}" (also specialists[${first}]); names must be unique` });
      } else seen.set(specialist.name, index);
    }
    const surfaceName = specialist.surface;
    if (typeof surfaceName !== 'string' || surfaceName === '') return;
    if (!Object.hasOwn(surfaces, surfaceName)) {
      const suggestion = closestMatch(surfaceName, surfaceNames);
      const hint = suggestion
        ? `did you mean "${suggestion}"?`
        : surfaceNames.length > 0
          ? `defined surfaces: ${surfaceNames.join(', ')}`
          : 'declare it under surfaces:, e.g. surfaces: { main: { paths: [train.py] } }';
      issues.push({ path: [...path, 'surface'], message: `no surface named "${surfaceName}"; ${hint}` });
      return;
    }
    const surface = surfaces[surfaceName];
    if (specialist.kind === 'knobs' && isRecord(surface) && !(isRecord(surface.knobs) && Object.keys(surface.knobs).length > 0)) {
      issues.push({ path: [...path, 'kind'], message: `a knobs specialist needs knobs, but surface "${surfaceName}" declares none; add surfaces.${surfaceName}.knobs` });
    }
  });
  return issues;
}

/** Every cross-key problem of a raw task file (the result of `doc.toJS()`). */
export function semanticIssues(raw: unknown): TaskFileIssue[] {
  if (!isRecord(raw)) return [];
  const issues: TaskFileIssue[] = [];
  const protectedPaths = strings(raw.protected);
  issues.push(...checkRelativePaths(raw.protected, ['protected']));
  if (isRecord(raw.surfaces)) {
    for (const [surfaceName, surface] of Object.entries(raw.surfaces)) {
      if (!isRecord(surface)) continue;
      const surfacePaths = strings(surface.paths);
      issues.push(...checkRelativePaths(surface.paths, ['surfaces', surfaceName, 'paths']));
      issues.push(...constraintIssues(surface, ['surfaces', surfaceName]));
      if (!isRecord(surface.knobs)) continue;
      for (const [knobName, knob] of Object.entries(surface.knobs)) {
        if (isRecord(knob)) issues.push(...checkKnob(knob, ['surfaces', surfaceName, 'knobs', knobName], surfacePaths, protectedPaths, surfaceName));
      }
    }
  }
  issues.push(...checkSpecialists(raw));
  issues.push(...fidelityIssues(raw));
  return issues;
}
