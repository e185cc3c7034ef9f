/**
 * Where autolab keeps its private state: `<root>/.autolab/`, beside the task file.
 * Nothing outside this folder is ever written by the workspace (except a branch that
 * `exportBranch` creates on request).
 *
 * Several studies of one task share the private repo (and so its objects and trial
 * worktrees folder); a study's refs and evaluator checkout are its own.
 */
import { join } from 'node:path';

export interface WorkspaceLayout {
  /** `<root>/.autolab`, ignored by the user's git through its own `.gitignore` (`*`). */
  stateDir: string;
  /** The private bare repository. */
  gitDir: string;
  /** The evaluator's checkout of the baseline (`.autolab/evaluator`, or one per study). */
  evaluatorDir: string;
  /** Parent folder of the trial worktrees. */
  worktreesDir: string;
  /** Prefix of the trial refs: `refs/autolab/trials/` (or one per study). */
  trialRefPrefix: string;
}

/**
 * The layout under `<root>/.autolab/`; with `study`, that study's refs
 * (`refs/autolab/studies/<study>/trials/<id>`) and evaluator (`.autolab/evaluators/<study>`).
 */
export function workspaceLayout(root: string, study?: string): WorkspaceLayout {
  const stateDir = join(root, '.autolab');
  const key = study === undefined ? undefined : safeName(study);
  return {
    stateDir,
    gitDir: join(stateDir, 'repo.git'),
    evaluatorDir: key === undefined ? join(stateDir, 'evaluator') : join(stateDir, 'evaluators', key),
    worktreesDir: join(stateDir, 'worktrees'),
    trialRefPrefix: key === undefined ? 'refs/autolab/trials/' : `refs/autolab/studies/${key}/trials/`,
  };
}

/**
 * A study name as one ref component and folder name: letters, digits, `_`, `-` kept,
 * every other byte as `%XX` (so `.`, `..`, `@{` and `.lock` cannot occur).
 */
export function safeName(name: string): string {
  let result = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    result += /[A-Za-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return result === '' ? '%' : result;
}
