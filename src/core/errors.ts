/**
 * The closed set of error codes autolab throws. Each names who can act on it; the
 * message says what happened and the hint what to do next. docs/errors.md lists them.
 */
export const ERROR_CODES = {
  /** The task file is malformed or inconsistent (message carries file:line:col). */
  TaskFileError: 'the task file is malformed or inconsistent',
  /** The task file changed how trials are judged since the study started. */
  TaskChanged: 'the task file changed how trials are judged since the study started',
  /** A command-line or library call was used wrongly (bad flag, bad name, bad combination). */
  UsageError: 'a command or library call was used wrongly',
  /** A study, trial, file or specialist that was asked for does not exist. */
  NotFound: 'what was asked for does not exist',
  /** The store (SQLite file or PostgreSQL database) failed or refused an operation. */
  StoreError: 'the store failed or refused an operation',
  /** The store belongs to another study or task than the one asked for. */
  StudyMismatch: 'the store belongs to another study or task',
  /** A file lock could not be taken. */
  LockError: 'a lock on the study could not be taken',
  /** The private workspace under `.autolab/` could not be created or used. */
  WorkspaceError: 'the private workspace could not be created or used',
  /** A git command failed (git missing, a corrupt repository). */
  GitError: 'a git command failed',
  /** A patch could not be read or applied. */
  PatchError: 'a patch could not be read or applied',
  /** A trial would build on, or export, an illegal edit (its own or an ancestor's). */
  IllegalLineage: "a trial's lineage holds an illegal edit",
  /** `autolab export` could not hand a trial back. */
  ExportError: 'a trial could not be exported',
  /** The task's setup command failed. */
  SetupError: "the task's setup command failed",
  /** The baseline could not be measured (it failed, or its driver is still alive). */
  BaselineError: 'the baseline could not be measured',
  /** The recipe's protected or setup files changed on disk since the study's baseline (`run --strict`). */
  RecipeDrift: "the recipe's protected or setup files changed since the baseline",
  /** `autolab init --scan` could not turn a file into knobs without breaking it. */
  ScanError: 'a scanned file could not be given knobs safely',
  /** A knob declaration does not match the recipe's files. */
  KnobError: "a knob declaration does not match the recipe's files",
  /** The sandbox was required but cannot be built on this machine. */
  SandboxUnavailable: 'the sandbox was required but cannot be built here',
  /** An executor was handed a request it cannot run. */
  InvalidCommandRequest: 'an executor was handed a request it cannot run',
  /** Slot settings that cannot work (no slots, bad GPU ids). */
  InvalidSlotPool: 'the slot settings cannot work',
  /** A worker lost its lease on a trial (another worker may take it over). */
  LeaseLost: 'a worker lost its lease on a trial',
  /** The work was stopped by the user or a signal. */
  Interrupted: 'the work was stopped',
  /** The dashboard server could not start or serve. */
  ServerError: 'the dashboard server could not start or serve',
} as const;

/** One of the closed set of error codes (the `name` of every AutolabError). */
export type AutolabErrorCode = keyof typeof ERROR_CODES;

/**
 * The one error base class of autolab. Every error a user can cause carries a code from
 * the closed set `ERROR_CODES` (also its `name`), a message that says what to do next,
 * and (where there is one) the underlying cause.
 *
 * @example
 * throw new AutolabError('TaskFileError', 'autolab.yaml:3:5: objective.metric is required', { hint: 'add `metric: val_loss`' });
 * // elsewhere
 * if (AutolabError.is(error, 'NotFound')) return 404;
 */
export class AutolabError extends Error {
  readonly hint: string | undefined;
  declare readonly name: AutolabErrorCode;

  constructor(code: AutolabErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = code;
    this.hint = options.hint;
  }

  /** The error's code (the same as its name). */
  get code(): AutolabErrorCode {
    return this.name;
  }

  /**
   * True for an AutolabError (works across module copies), and with `code`, only for
   * that code (or any of the codes given).
   */
  static is(value: unknown, code?: AutolabErrorCode | readonly AutolabErrorCode[]): value is AutolabError {
    if (!(value instanceof Error) || !('hint' in value) || typeof value.name !== 'string' || !(value.name in ERROR_CODES)) return false;
    if (code === undefined) return true;
    return typeof code === 'string' ? value.name === code : code.includes(value.name as AutolabErrorCode);
  }
}

/** True when `value` is an AutolabError about the task file (malformed, or changed how trials are judged). */
export function isTaskFileError(value: unknown): value is AutolabError {
  return AutolabError.is(value, ['TaskFileError', 'TaskChanged']);
}

/** True when `value` is an AutolabError saying that what was asked for does not exist. */
export function isNotFound(value: unknown): value is AutolabError {
  return AutolabError.is(value, 'NotFound');
}

/** True when `value` is an AutolabError of a wrong call (a bad flag, name or combination). */
export function isUsageError(value: unknown): value is AutolabError {
  return AutolabError.is(value, 'UsageError');
}

/** True when `value` is an AutolabError from the store. */
export function isStoreError(value: unknown): value is AutolabError {
  return AutolabError.is(value, ['StoreError', 'StudyMismatch', 'LockError']);
}

/** True when `value` is an AutolabError from the private workspace or git. */
export function isWorkspaceError(value: unknown): value is AutolabError {
  return AutolabError.is(value, ['WorkspaceError', 'GitError', 'PatchError', 'ExportError']);
}

/** Turns anything thrown into an Error with a readable message. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}

/** A non-fatal problem, reported to the user, never thrown. */
export interface AutolabWarning {
  code: string;
  message: string;
}
