/**
 * The shapes the traceback parsers return (Python and Node alike), so that a failure
 * signature is built the same way whatever runtime the recipe uses.
 */

/** One frame of a stack trace, as the runtime printed it. */
export interface StackFrame {
  /** The file as printed (a path, a `file://` URL, `node:internal/...`, `<string>`). */
  file: string;
  line: number;
  /** The function or scope (`<module>`, `Object.<anonymous>`), when printed. */
  function: string | null;
  /** The source line, when the runtime printed it (Python does; Node only above the error). */
  source: string | null;
}

/** An exception a runtime printed when it ended the program (or a phase's command). */
export interface ParsedException {
  runtime: 'python' | 'node';
  /** The exception type as printed: `AssertionError`, `torch.cuda.OutOfMemoryError`, `Error`. */
  type: string;
  /** Node's error code (`ERR_MODULE_NOT_FOUND`), when printed. */
  code: string | null;
  /** The message (its first lines), empty when there is none (`AssertionError`). */
  message: string;
  /** Frames, outermost first (the innermost, where it was raised, last). */
  frames: StackFrame[];
  /**
   * Where the runtime says it happened when that is not a frame: a SyntaxError's line, the
   * `file:line` with its source that Node prints above an uncaught error.
   */
  location: StackFrame | null;
  /**
   * For Python's chains (`raise ... from e`, an exception while handling another): the
   * first exception of the chain, the root cause; null otherwise.
   */
  rootCause: ParsedException | null;
}
