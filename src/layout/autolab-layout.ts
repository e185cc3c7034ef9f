/**
 * Where autolab keeps its private state: everything under `<root>/.autolab/`, beside the
 * task file. This module is the one place that names those folders and files; nothing
 * outside `.autolab/` is ever written (except a branch `export` creates on request).
 *
 * ```
 * .autolab/
 *   .gitignore                 `*`: the user's git never sees any of this
 *   autolab.db                 the default SQLite store
 *   repo.git/                  the private bare repo (shared by the studies of one task)
 *   worktrees/<study>+<id>     a trial's worktree; `<study>+<id>.r<k>` for parallel repeats,
 *                              `<study>+s<pid>-<hex>` for a specialist's scratch worktree
 *   evaluators/<safe study>/   the baseline's evaluator checkout (setup and score run here)
 *   evaluator/                 the same for workspaces opened without a study (old layout)
 *   studies/<study>/           data/, holdout/, setup.log, setup.done,
 *     trials/<id>/             artifacts/, {legality,preflight,run,score}.log, curve.jsonl,
 *                              and `-r<k>` twins of each for repeat k > 0;
 *       levels/<level>/        a continued ladder's artifacts of a lower level (the next level resumes from them)
 * ```
 *
 * A study name enters as one folder name, so every function here that takes one checks
 * it first (`assertStudyName`: no `/`, no `..`, no control characters, ...). Folder names
 * are unchanged from earlier versions, so existing studies still open.
 */
import { join } from 'node:path';
import { assertStudyName } from '../core/study-name.ts';

/** The name of the private state folder, beside the task file. */
export const STATE_DIR_NAME = '.autolab';

/** `<root>/.autolab`. */
export function stateDirOf(root: string): string {
  return join(root, STATE_DIR_NAME);
}

/** Where the private repository and its worktrees live. */
export interface WorkspaceLayout {
  /** `<root>/.autolab`, ignored by the user's git through its own `.gitignore` (`*`). */
  stateDir: string;
  /** The private bare repository. */
  gitDir: string;
  /** The evaluator's checkout of the baseline (`.autolab/evaluator`, or one per study). */
  evaluatorDir: string;
  /** Parent folder of the trial worktrees. */
  worktreesDir: string;
  /** Removed worktrees on their way out (moved here at once, deleted in the background; emptied again by recovery). */
  worktreeTrashDir: string;
  /** Prefix of the trial refs: `refs/autolab/trials/` (or one per study). */
  trialRefPrefix: string;
}

/**
 * The workspace's layout under `<root>/.autolab/`; with `study`, that study's refs
 * (`refs/autolab/studies/<study>/trials/<id>`) and evaluator (`.autolab/evaluators/<study>`).
 * Several studies of one task share the private repo (its objects and the worktrees
 * folder); a study's refs and evaluator checkout are its own.
 *
 * @example
 * workspaceLayout('/proj', 'golf').evaluatorDir; // '/proj/.autolab/evaluators/golf'
 */
export function workspaceLayout(root: string, study?: string): WorkspaceLayout {
  const stateDir = stateDirOf(root);
  if (study !== undefined) assertStudyName(study);
  const key = study === undefined ? undefined : safeName(study);
  return {
    stateDir,
    gitDir: join(stateDir, 'repo.git'),
    evaluatorDir: key === undefined ? join(stateDir, 'evaluator') : join(stateDir, 'evaluators', key),
    worktreesDir: join(stateDir, 'worktrees'),
    worktreeTrashDir: join(stateDir, 'worktrees.removing'),
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

/** The phases whose output is logged to a file of the trial. */
export type LoggedPhase = 'preflight' | 'smoke' | 'run' | 'score' | 'legality';

/** Where a study keeps its files under `<root>/.autolab/`. */
export interface StudyPaths {
  /** `<root>/.autolab`. */
  state: string;
  /** The default SQLite store, `.autolab/autolab.db`. */
  store: string;
  /** `.autolab/studies/<study>`. */
  study: string;
  /** `$AUTOLAB_DATA`, written by setup, read by runs. */
  data: string;
  /** `$AUTOLAB_HOLDOUT`, written by setup, read only by score. */
  holdout: string;
  setupLog: string;
  /** Written once the task's setup has succeeded. */
  setupDone: string;
  /** A trial's folder: its logs, curves and artifacts. */
  trial(id: number): string;
  /** A trial's artifacts folder (`$AUTOLAB_ARTIFACTS` of repeat 0). */
  artifacts(id: number): string;
  /** A phase's log of repeat 0. */
  log(id: number, phase: LoggedPhase): string;
  /** Where a continued ladder keeps a trial's artifacts of fidelity level `level` (its name) for the next level to resume from. */
  levelArtifacts(id: number, level: string): string;
  /** A file of one repeat in the trial's folder: `<base><ext>` for repeat 0, `<base>-r<k><ext>` after. */
  repeatFile(id: number, repeat: number, base: string, extension?: string): string;
  /** The worktree name of a trial (unique across studies of one root). */
  worktreeName(id: number): string;
  /** The worktree of an extra slot running repeats of a trial in parallel. */
  repeatWorktreeName(id: number, extra: number): string;
  /** The prefix every worktree name of this study starts with (for cleanup). */
  worktreePrefix: string;
  /** A specialist's scratch worktree, owned by process `pid` (see `scratchOwnerPid`). */
  scratchWorktreeName(pid: number, suffix: string): string;
}

/**
 * The paths of study `studyName` under `<root>/.autolab/`. Throws a `UsageError` for a
 * name that is not one safe folder name.
 *
 * @example
 * const paths = studyPaths('/proj', 'golf');
 * paths.log(3, 'run'); // '/proj/.autolab/studies/golf/trials/3/run.log'
 */
export function studyPaths(root: string, studyName: string): StudyPaths {
  assertStudyName(studyName);
  const state = stateDirOf(root);
  const study = join(state, 'studies', studyName);
  const trial = (id: number): string => join(study, 'trials', String(id));
  return {
    state,
    store: join(state, 'autolab.db'),
    study,
    data: join(study, 'data'),
    holdout: join(study, 'holdout'),
    setupLog: join(study, 'setup.log'),
    setupDone: join(study, 'setup.done'),
    trial,
    artifacts: (id) => join(trial(id), 'artifacts'),
    log: (id, phase) => join(trial(id), `${phase}.log`),
    levelArtifacts: (id, level) => join(trial(id), 'levels', level),
    repeatFile: (id, repeat, base, extension = '') => join(trial(id), repeat === 0 ? `${base}${extension}` : `${base}-r${repeat}${extension}`),
    worktreeName: (id) => `${studyName}+${id}`,
    repeatWorktreeName: (id, extra) => `${studyName}+${id}.r${extra}`,
    worktreePrefix: `${studyName}+`,
    scratchWorktreeName: (pid, suffix) => `${studyName}+s${pid}-${suffix}`,
  };
}

/** Parses the owner pid out of a scratch worktree name, or null for trial worktrees. */
export function scratchOwnerPid(name: string): number | null {
  const match = /\+s(\d+)-[0-9a-f]+$/.exec(name);
  return match ? Number(match[1]) : null;
}
