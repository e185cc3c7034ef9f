import { AutolabError } from './errors.ts';

/** The longest study name, in UTF-8 bytes (it becomes a folder name, a worktree prefix and a git ref component). */
export const MAX_STUDY_NAME_BYTES = 100;

/**
 * Why `name` cannot name a study, or null when it can. A study name becomes a folder
 * (`.autolab/studies/<name>`), the prefix of worktree folders and a git ref component,
 * so it must be one safe path segment. Rules, first broken wins: not empty; not `.` or
 * `..`; no `/` or `\`; no NUL or other control character; at most
 * `MAX_STUDY_NAME_BYTES` bytes; not starting with `-` (it would read as an option).
 *
 * @example
 * studyNameProblem('golf');      // null
 * studyNameProblem('../etc');    // 'a study name cannot contain `/` or `\\` ...'
 */
export function studyNameProblem(name: string): string | null {
  if (name.length === 0) return 'a study name cannot be empty';
  if (name === '.' || name === '..') return `a study name cannot be \`${name}\` (it names a folder, and \`${name}\` would point elsewhere)`;
  if (/[/\\]/.test(name)) return 'a study name cannot contain `/` or `\\` (it names one folder)';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) return 'a study name cannot contain NUL or other control characters';
  const bytes = new TextEncoder().encode(name).length;
  if (bytes > MAX_STUDY_NAME_BYTES) return `a study name is at most ${MAX_STUDY_NAME_BYTES} bytes long (this one is ${bytes})`;
  if (name.startsWith('-')) return 'a study name cannot start with `-` (it would read as a command-line option)';
  return null;
}

/**
 * Throws a `UsageError` naming the broken rule unless `name` can name a study.
 *
 * @example
 * assertStudyName(options.study ?? task.name, '--study');
 */
export function assertStudyName(name: string, source = 'the study name'): void {
  const problem = studyNameProblem(name);
  if (problem === null) return;
  throw new AutolabError('UsageError', `invalid study name ${JSON.stringify(name)} (${source}): ${problem}`, {
    hint: 'use letters, digits, `.`, `_` and `-`, e.g. --study golf-2 (or the task file\'s `name:`)',
  });
}
