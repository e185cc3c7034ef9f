/**
 * The one error base class of autolab. Every error a user can cause carries a name,
 * a message that says what to do next, and (where there is one) the underlying cause.
 *
 * @example
 * throw new AutolabError('TaskFileError', 'autolab.yaml:3:5: objective.metric is required', { hint: 'add `metric: val_loss`' });
 */
export class AutolabError extends Error {
  readonly hint: string | undefined;

  constructor(name: string, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.hint = options.hint;
  }

  /** True for any AutolabError, whatever its name (works across module copies). */
  static is(value: unknown): value is AutolabError {
    return value instanceof Error && 'hint' in value && typeof (value as { name: unknown }).name === 'string';
  }
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
