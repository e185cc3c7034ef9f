/**
 * Failure signatures: the normalised cause of a failed trial, so that failures group by
 * cause across trials (`crash AssertionError at model.py: assert d_model % n_heads == 0`)
 * and a one-line summary names it (`crash AssertionError at model.py:66 assert d_model %
 * n_heads == 0`), never the first lines the run printed. Pure: no I/O; what it needs from
 * the outside (which files are the recipe's, a source line) comes in the input.
 */
import { abstractText, clip, displayPath, isRecipeFile, lastMeaningfulLine, stripAnsi, type RecipePaths } from './failure-text.ts';
import { parseNodeError } from './node-stack.ts';
import { parsePythonTraceback } from './python-traceback.ts';
import type { ParsedException, StackFrame } from './stack-trace.ts';
import type { FailureFrame, FailureLabel, TrialFailure } from './trial.ts';

export type { FailureFrame } from './trial.ts';

/** What is known about one failure: what a trial record holds, plus optional context. */
export interface FailureSignatureInput {
  label: FailureLabel;
  /** The raw detail beside the label (`labelDetail`). */
  detail?: string | null;
  /** The stdout+stderr tail of the failing phase (`logExcerpt`). */
  output?: string | null;
  /** The phase that failed (`run`, `preflight`, `score`, ...), when known. */
  phase?: string | null;
  /** Which files are the recipe's own code, and how paths are shown. */
  recipe?: RecipePaths;
  /** A source line of a recipe file, for frames the runtime printed without one (Node). */
  sourceLine?: (file: string, line: number) => string | null;
  /** The run's wall-clock budget, for `run_timeout` summaries. */
  runTimeoutMs?: number;
}

/** The normalised cause of one failure. */
export interface FailureSignature {
  /**
   * Equal for equal causes: the exception type and the recipe line that raised it (its
   * source, not its number, so edits above it do not matter), the message too when a
   * library raised it; numbers, paths and temporary names abstracted.
   */
  signature: string;
  /** One line that names the cause, with the real values, for progress lines and lists. */
  summary: string;
  /** The innermost frame of the recipe's own code (else the innermost frame), or null. */
  frame: FailureFrame | null;
  /** The exception, when the failure was one (type and message as printed). */
  exception: { type: string; message: string; code: string | null } | null;
}

const SUMMARY_LIMIT = 240;
const MESSAGE_LIMIT = 160;

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM', 24: 'SIGXCPU', 25: 'SIGXFSZ' };

/**
 * The failure signature of a failed trial, from its label, detail and output tail.
 * Python tracebacks (chained ones, SyntaxError, faulthandler dumps) and Node errors give
 * the exception and the recipe's innermost frame; gate misses, timeouts, size limits,
 * signals and missing metrics give the label and their key facts; other output falls back
 * to its last meaningful line.
 *
 * @example
 * extractFailureSignature({ label: 'crash', detail: 'exited with code 1', output: traceback, recipe: { roots: [worktree] } })
 * // { signature: 'crash AssertionError at model.py: assert d_model % n_heads == <n>',
 * //   summary: 'crash AssertionError at model.py:66 assert d_model % n_heads == 0', frame: { file: 'model.py', line: 66, ... }, ... }
 */
export function extractFailureSignature(input: FailureSignatureInput): FailureSignature {
  const detail = stripAnsi(stripRepeatPrefix(input.detail ?? ''));
  const output = stripAnsi(input.output ?? '');
  const label = input.label;
  switch (label) {
    case 'gate_miss':
      return gateMiss(detail);
    case 'size_exceeded':
      return sizeExceeded(detail, input.recipe);
    case 'run_timeout':
    case 'score_timeout':
      return timeout(label, detail, output, input);
    case 'pruned': {
      const rule = detail.split(':')[0]?.trim() ?? '';
      return plain(`pruned ${abstractText(rule)}`.trim(), `pruned ${clip(firstLine(detail), SUMMARY_LIMIT - 7)}`.trim());
    }
    case 'smoke_failed':
      if (/^smoke run's artifacts: /.test(firstLine(detail))) return smokeOutput(firstLine(detail), input.recipe);
      return fromOutput(input, detail, output);
    case 'crash':
    case 'oom':
    case 'preflight_failed':
    case 'metric_missing':
      return fromOutput(input, detail, output);
    default: {
      const where = input.phase ? ` (${input.phase})` : '';
      const first = firstLine(detail);
      return plain(`${label}${where} ${abstractText(first, input.recipe)}`.trim(), clip(`${label}${where} ${first}`.trim(), SUMMARY_LIMIT));
    }
  }
}

function plain(signature: string, summary: string): FailureSignature {
  return { signature, summary: clip(summary, SUMMARY_LIMIT), frame: null, exception: null };
}

function firstLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).find((line) => line !== '') ?? '';
}

/** `repeat 2 (seed 2), a verification repeat: ...` as the evaluator prefixes details of repeats. */
function stripRepeatPrefix(detail: string): string {
  return detail.replace(/^repeat \d+ \(seed \d+\)(?:, a verification repeat)?: /, '');
}

/** Which gates missed: `accuracy >= 0.96`; the summary keeps by how much. */
function gateMiss(detail: string): FailureSignature {
  const gates = detail.split('; ').map((part) => {
    const missing = /^(.+?) is missing \(gate (.+)\)$/.exec(part.trim());
    if (missing !== null) return `${(missing[1] as string).trim()} missing`;
    const missed = /^(.+?) = .+?, gate (\S+) (\S+) \(missed by/.exec(part.trim());
    if (missed !== null) return `${missed[1]} ${missed[2]} ${missed[3]}`;
    return abstractText(part.trim());
  });
  return plain(`gate_miss ${gates.join('; ')}`, `gate_miss ${firstLine(detail)}`);
}

/** The smoke run's artifacts over the artifact limit, or a smoke gate missed (`smoke_failed gate artifact_bytes <= 16e6`). */
function smokeOutput(line: string, recipe: RecipePaths | undefined): FailureSignature {
  const what = line.replace(/^smoke run's artifacts: /, '');
  if (/^artifacts are /.test(what)) return plain('smoke_failed artifacts limit', `smoke_failed ${what}`);
  const gates = /^gate missed: (.*)$/.exec(what);
  if (gates !== null) return plain(gateMiss(gates[1] as string).signature.replace(/^gate_miss /, 'smoke_failed gate '), `smoke_failed gate missed: ${gates[1]}`);
  return plain(`smoke_failed ${abstractText(what, recipe)}`, `smoke_failed ${what}`);
}

/** Which limit: the diff, a file (by path), the artifacts. */
function sizeExceeded(detail: string, recipe: RecipePaths | undefined): FailureSignature {
  const limits = detail.split('; ').map((part) => {
    const text = part.trim();
    if (/^diff is /.test(text)) return 'diff limit';
    if (/^artifacts are /.test(text)) return 'artifacts limit';
    const file = /^(.+?): \d+ bytes, over the file limit/.exec(text);
    if (file !== null) return `file limit (${abstractText(file[1] as string, recipe)})`;
    return abstractText(text, recipe);
  });
  return plain(`size_exceeded ${limits.join('; ')}`, `size_exceeded ${firstLine(detail)}`);
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** A phase killed at its budget: the budget, and the last thing it printed. */
function timeout(label: 'run_timeout' | 'score_timeout', detail: string, output: string, input: FailureSignatureInput): FailureSignature {
  const budget = label === 'run_timeout' && input.runTimeoutMs !== undefined ? ` at its ${formatDuration(input.runTimeoutMs)} budget` : ' at its budget';
  const phase = label === 'run_timeout' ? 'run' : 'score';
  const last = lastMeaningfulLine(output) ?? lastMeaningfulLine(detail.split('\n').slice(1).join('\n'));
  return plain(`${label} ${phase} killed${budget}`, `${label} ${phase} killed${budget}${last !== null && !/killed at its/.test(last) ? `; last output: ${last}` : ''}`);
}

/** How the command ended, from the first line of the detail: `exited with code 1`, `killed by SIGKILL`. */
function exitOf(detail: string): { text: string; signal: string | null; code: number | null } | null {
  const match = /(?:exited with code (-?\d+)|killed by (SIG[A-Z0-9]+))/.exec(firstLine(detail));
  if (match === null) return null;
  if (match[2] !== undefined) return { text: `killed by ${match[2]}`, signal: match[2], code: null };
  const code = Number(match[1]);
  const signal = code > 128 && code < 160 ? SIGNALS[code - 128] ?? null : null;
  return { text: `exited with code ${code}`, signal, code };
}

/** A crash, OOM, failed preflight or failed score command: the exception if one was printed, else how it ended. */
function fromOutput(input: FailureSignatureInput, detail: string, output: string): FailureSignature {
  const label = input.label;
  const exception = parseException(output) ?? parseException(detail);
  if (exception !== null) return fromException(label, exception, input);
  if (label === 'metric_missing' && !/^score command /.test(firstLine(detail))) {
    const missing = /printed no finite '([^']+)'/.exec(detail);
    const cause = missing !== null ? `no finite '${missing[1]}'` : abstractText(firstLine(detail), input.recipe);
    return plain(`metric_missing ${clip(cause, MESSAGE_LIMIT)}`, `metric_missing ${firstLine(detail)}`);
  }
  if (label === 'preflight_failed' && /^preflight timed out/.test(firstLine(detail))) {
    return plain('preflight_failed timed out', `preflight_failed timed out${lastLineSuffix(output, detail)}`);
  }
  if (label === 'smoke_failed' && /^smoke run killed at its budget/.test(firstLine(detail))) {
    return plain('smoke_failed timed out', `smoke_failed timed out${lastLineSuffix(output, detail)}`);
  }
  const exit = exitOf(detail);
  const last = lastMeaningfulLine(output) ?? lastMeaningfulLine(detail.split('\n').slice(1).join('\n'));
  const where = label === 'metric_missing' ? 'score command ' : '';
  if (exit?.signal !== null && exit?.signal !== undefined) {
    const lastText = last !== null && !/^(exited with code|killed by)/.test(last) ? last : null;
    return plain(`${label} ${where}signal ${exit.signal}`, `${label} ${where}${exit.text}${exit.code !== null ? ` (${exit.signal})` : ''}${lastText !== null ? `; last output: ${lastText}` : ''}`);
  }
  const ending = exit?.text ?? firstLine(detail);
  const lastText = last !== null && last !== ending && !/^(exited with code|killed by)/.test(last) ? last : null;
  return plain(
    `${label} ${where}${abstractExit(exit, ending)}${lastText !== null ? `: ${clip(abstractText(lastText, input.recipe), MESSAGE_LIMIT)}` : ''}`,
    `${label} ${where}${ending}${lastText !== null ? `: ${lastText}` : ''}`,
  );
}

function abstractExit(exit: ReturnType<typeof exitOf>, ending: string): string {
  return exit !== null && exit.code !== null ? `exited with code ${exit.code}` : abstractText(ending);
}

function lastLineSuffix(output: string, detail: string): string {
  const last = lastMeaningfulLine(output) ?? lastMeaningfulLine(detail.split('\n').slice(1).join('\n'));
  return last !== null ? `; last output: ${last}` : '';
}

/** Python first (its frames say more), then Node. */
function parseException(text: string): ParsedException | null {
  if (text.trim() === '') return null;
  return parsePythonTraceback(text) ?? parseNodeError(text);
}

/**
 * The recipe's innermost frame among the frames and the printed location (else the
 * innermost library frame), and whether it is where the exception was raised.
 */
function pickFrame(exception: ParsedException, input: FailureSignatureInput): { frame: FailureFrame; raisedHere: boolean } | null {
  const candidates: StackFrame[] = [...exception.frames];
  const location = exception.location;
  const innermost = candidates[candidates.length - 1];
  if (location !== null && (innermost === undefined || innermost.file !== location.file || innermost.line !== location.line)) {
    // Python: a SyntaxError's line is deeper than any frame. Node: the throw site printed above.
    if (exception.runtime === 'python' || innermost === undefined || !isRecipeFile(innermost.file, input.recipe)) candidates.push(location);
  }
  // The recipe's innermost frame; else the innermost library frame (a runtime's own internals say nothing).
  const recipeFrames = candidates.filter((frame) => isRecipeFile(frame.file, input.recipe));
  const libraryFrames = candidates.filter((frame) => !isRuntimeInternal(frame.file));
  const chosen = recipeFrames[recipeFrames.length - 1] ?? libraryFrames[libraryFrames.length - 1];
  if (chosen === undefined) return null;
  const file = displayPath(chosen.file, input.recipe);
  let source = chosen.source;
  if (source === null && location !== null && location.file === chosen.file && location.line === chosen.line) source = location.source;
  if (source === null && input.sourceLine !== undefined) source = input.sourceLine(chosen.file, chosen.line)?.trim() || null;
  const deepest = candidates[candidates.length - 1];
  return { frame: { file, line: chosen.line, source }, raisedHere: chosen === deepest || (deepest !== undefined && isRuntimeInternal(deepest.file)) };
}

function isRuntimeInternal(file: string): boolean {
  return /^(node:|internal\/|<frozen |<string>|<stdin>)/.test(file);
}

/** The message as shown: Node's unhandled rejection says only what it was rejected with. */
function messageOf(exception: ParsedException): string {
  if (exception.type === 'UnhandledPromiseRejection') {
    const reason = /The promise rejected with the reason "(.*)"\.?/.exec(exception.message);
    if (reason !== null) return `rejected with "${reason[1]}"`;
  }
  return exception.message.split('\n')[0]?.trim() ?? '';
}

function typeOf(exception: ParsedException): string {
  if (exception.type === 'Uncaught') return 'thrown value';
  return exception.code !== null && exception.type !== exception.code ? `${exception.type} [${exception.code}]` : exception.type;
}

function fromException(label: FailureLabel, exception: ParsedException, input: FailureSignatureInput): FailureSignature {
  const picked = pickFrame(exception, input);
  const frame = picked?.frame ?? null;
  const message = messageOf(exception);
  // Raised by the recipe's own line (with its source known), the line is the cause and the
  // message is left out of the key, so that `f"{name} ..."` messages group (as Sentry groups
  // by stack); raised deeper, in a library, the message tells causes apart.
  const describe = (ex: ParsedException, found: ReturnType<typeof pickFrame>, text: string): { key: string; shown: string } => {
    const at = found?.frame ?? null;
    const abstracted = found !== null && found.raisedHere && at !== null && at.source !== null ? '' : abstractText(text, input.recipe);
    const key = `${typeOf(ex)}${abstracted !== '' ? `: ${clip(abstracted, MESSAGE_LIMIT)}` : ''}${at !== null ? ` at ${at.file}${at.source !== null ? `: ${abstractText(at.source)}` : `:${at.line}`}` : ''}`;
    const shownMessage = text !== '' ? `: ${clip(text, 120)}` : '';
    const shownSource = at !== null && at.source !== null && text === '' ? ` ${at.source}` : '';
    return { key, shown: `${typeOf(ex)}${shownMessage}${at !== null ? ` at ${at.file}:${at.line}${shownSource}` : ''}` };
  };
  const main = describe(exception, picked, message);
  let signature = `${label} ${main.key}`;
  let summary = `${label} ${main.shown}`;
  const root = exception.rootCause;
  if (root !== null && (root.type !== exception.type || messageOf(root) !== message)) {
    const cause = describe(root, pickFrame(root, input), messageOf(root));
    signature += ` <- ${cause.key}`;
    summary += ` (from ${cause.shown})`;
  }
  return {
    signature,
    summary: clip(summary, SUMMARY_LIMIT),
    frame,
    exception: { type: exception.type, message: exception.message, code: exception.code },
  };
}

/**
 * What a trial record keeps of a signature: `{ signature, summary, frame }`.
 *
 * @example toTrialFailure(extractFailureSignature({ label: 'crash', output })) // { signature, summary, frame }
 */
export function toTrialFailure(signature: FailureSignature): TrialFailure {
  return { signature: signature.signature, summary: signature.summary, frame: signature.frame };
}
