import type { LimitsSpec } from '../core/task.ts';
import { matchesAny } from '../core/glob.ts';

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
  limits: LimitsSpec;
}

export interface LegalityVerdict {
  illegal: string[];
  sizeExceeded: string[];
}

/**
 * Checks a trial's changed paths before any compute is spent: inside the surface,
 * outside protected paths, within the size limits. Symlink escapes and the task's own
 * legality command are checked by the caller (they need the worktree).
 */
export function checkLegality(input: LegalityInput): LegalityVerdict {
  const illegal: string[] = [];
  const sizeExceeded: string[] = [];
  for (const change of input.changed) {
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
