import type { LimitsSpec } from '../core/task.ts';
import { matchesAny } from '../core/glob.ts';
import { statePathProblem } from '../layout/state-paths.ts';

/** One changed path of a trial's commit, as git reports it. */
export interface ChangedPathInfo {
  path: string;
  status: string;
  mode: string;
  size: number;
}

export interface LegalityInput {
  changed: readonly ChangedPathInfo[];
  diffBytes: number;
  /** Globs the specialist may edit; null: anything not protected (manual submissions). */
  surfacePaths: readonly string[] | null;
  surfaceName: string | null;
  protectedPaths: readonly string[];
  /** Recipe-relative paths where the study keeps state (the task file, a store file); `.autolab` segments are always refused. */
  statePaths?: readonly string[];
  limits: LimitsSpec;
}

export interface LegalityVerdict {
  illegal: string[];
  sizeExceeded: string[];
}

/**
 * Checks a trial's own changed paths (against its parent) before any compute is spent:
 * outside the study's state, outside protected paths, inside the surface, within the
 * size limits. Symlink escapes and the task's own legality command are checked by the
 * caller (they need the worktree); the cumulative change from the baseline by
 * `checkCumulative`.
 */
export function checkLegality(input: LegalityInput): LegalityVerdict {
  const illegal: string[] = [];
  const sizeExceeded: string[] = [];
  for (const change of input.changed) {
    const state = statePathProblem(change.path, input.statePaths ?? []);
    if (state !== null) {
      illegal.push(`${change.path}: ${state}; no trial may change it`);
      continue;
    }
    if (matchesAny(change.path, input.protectedPaths as string[])) {
      illegal.push(`${change.path}: protected path (evaluator-owned; no trial may change it)`);
      continue;
    }
    if (input.surfacePaths !== null && !matchesAny(change.path, input.surfacePaths as string[])) {
      illegal.push(`${change.path}: outside surface '${input.surfaceName}' (${input.surfacePaths.join(', ')})`);
      continue;
    }
    if (change.size > input.limits.maxFileBytes) {
      sizeExceeded.push(`${change.path}: ${change.size} bytes, over the file limit of ${input.limits.maxFileBytes}`);
    }
  }
  if (input.diffBytes > input.limits.maxDiffBytes) {
    sizeExceeded.push(`diff is ${input.diffBytes} bytes, over the limit of ${input.limits.maxDiffBytes}`);
  }
  return { illegal, sizeExceeded };
}

/**
 * Checks the trial's whole tree against the baseline (its cumulative diff): no state
 * path, no protected path and no file over the limit, whichever ancestor changed it. A
 * parent that was itself illegal, or never finished its legality check, cannot pass a
 * forbidden change on. Surfaces judge each trial's own edit (`checkLegality`): a chain
 * of legal edits by specialists of different surfaces is legal.
 *
 * @example
 * checkCumulative({ changed: sinceBaseline, protectedPaths: ['score.js'], limits }); // { illegal: ['score.js: protected path changed since the baseline ...'], sizeExceeded: [] }
 */
export function checkCumulative(input: Pick<LegalityInput, 'changed' | 'protectedPaths' | 'statePaths' | 'limits'>): LegalityVerdict {
  const illegal: string[] = [];
  const sizeExceeded: string[] = [];
  for (const change of input.changed) {
    const state = statePathProblem(change.path, input.statePaths ?? []);
    if (state !== null) illegal.push(`${change.path}: changed since the baseline, ${state}`);
    else if (matchesAny(change.path, input.protectedPaths as string[])) illegal.push(`${change.path}: protected path changed since the baseline (in this trial's lineage)`);
    else if (change.size > input.limits.maxFileBytes) sizeExceeded.push(`${change.path}: ${change.size} bytes since the baseline, over the file limit of ${input.limits.maxFileBytes}`);
  }
  return { illegal, sizeExceeded };
}
