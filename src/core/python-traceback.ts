/**
 * Reads Python's tracebacks out of a command's output: the usual `Traceback (most recent
 * call last):` blocks (chained ones included), a SyntaxError printed without a header,
 * a tail that lost the header to truncation, and faulthandler's `Fatal Python error`
 * dumps. Pure: no I/O.
 */
import type { ParsedException, StackFrame } from './stack-trace.ts';

const HEADER = /^\s*Traceback \(most recent call last\):\s*$/;
const DIRECT_CAUSE = /^\s*The above exception was the direct cause of the following exception:\s*$/;
const DURING_HANDLING = /^\s*During handling of the above exception, another exception occurred:\s*$/;
const FRAME = /^\s*File "(.+?)", line (\d+)(?:, in (.+?))?\s*$/;
const FAULT_FRAME = /^\s*File "(.+?)", line (\d+) in (.+?)\s*$/;
const CARETS = /^\s*[\^~]+[\s^~]*$/;
/** `Type` or `Type: message`, the type a dotted identifier, at the start of the line. */
/** Names that are exceptions wherever they appear. */
const EXCEPTION_NAME = /(Error|Exception|Exit|Interrupt|Warning|Iteration|Failure|Timeout)$/;
const EXCEPTION_LINE = /^([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)(?::\s?(.*))?$/;

interface Block {
  frames: StackFrame[];
  exception: { type: string; message: string } | null;
  chained: boolean;
}

/**
 * The exception that ended a Python program, parsed from its output, or null when the
 * output holds no traceback. With a chain, the last exception is returned and the first
 * one is its `rootCause`.
 *
 * @example parsePythonTraceback(output)?.type // 'AssertionError'
 */
export function parsePythonTraceback(output: string): ParsedException | null {
  const fatal = parseFaultHandler(output);
  if (fatal !== null) return fatal;
  const blocks = readBlocks(output.split(/\r?\n/));
  const complete = blocks.filter((block) => block.exception !== null);
  const last = complete[complete.length - 1];
  if (last === undefined) return null;
  const toParsed = (block: Block): ParsedException => {
    const frames = block.frames.filter((frame) => frame.function !== null);
    // A SyntaxError's location is its last frame (printed without `in <function>`).
    const located = block.frames[block.frames.length - 1];
    const location = located !== undefined && located.function === null ? located : null;
    return { runtime: 'python', type: block.exception!.type, code: null, message: block.exception!.message, frames, location, rootCause: null };
  };
  const parsed = toParsed(last);
  const lastIndex = blocks.indexOf(last);
  // The chain is the run of blocks before the last one that were joined by a chain marker.
  let first = lastIndex;
  while (first > 0 && (blocks[first] as Block).chained && (blocks[first - 1] as Block).exception !== null) first -= 1;
  if (first < lastIndex) parsed.rootCause = toParsed(blocks[first] as Block);
  return parsed;
}

function readBlocks(lines: readonly string[]): Block[] {
  const blocks: Block[] = [];
  let current: Block | null = null;
  let chained = false;
  let linesSinceFrame = 0;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    if (HEADER.test(line)) {
      current = { frames: [], exception: null, chained };
      blocks.push(current);
      chained = false;
      continue;
    }
    if (DIRECT_CAUSE.test(line) || DURING_HANDLING.test(line)) {
      chained = true;
      current = null;
      continue;
    }
    const frame = FRAME.exec(line);
    if (frame !== null) {
      if (current === null || current.exception !== null) {
        // A frame without a header: a SyntaxError of the main script, or a tail cut by truncation.
        current = { frames: [], exception: null, chained };
        blocks.push(current);
        chained = false;
      }
      const parsed: StackFrame = { file: frame[1] as string, line: Number(frame[2]), function: frame[3] ?? null, source: null };
      const next = lines[index + 1];
      if (next !== undefined && /^\s{2,}\S/.test(next) && !FRAME.test(next) && !CARETS.test(next)) {
        parsed.source = next.trim();
        index += 1;
      }
      while (lines[index + 1] !== undefined && CARETS.test(lines[index + 1] as string)) index += 1;
      current.frames.push(parsed);
      linesSinceFrame = 0;
      continue;
    }
    if (current === null || current.frames.length === 0) continue;
    if (current.exception !== null) continue;
    // The exception line follows the frames (stdout flushed at exit may follow it; the
    // message is its first line only, so that such output never joins it).
    if (line.trim() === '') continue;
    const match = /^\S/.test(line) ? EXCEPTION_LINE.exec(line.trimEnd()) : null;
    // Right after the frames any type goes (custom exceptions); later, only names that look like one.
    if (match !== null && (linesSinceFrame === 0 || EXCEPTION_NAME.test(match[1] as string))) {
      current.exception = { type: match[1] as string, message: (match[2] ?? '').trim() };
    }
    linesSinceFrame += 1;
  }
  return blocks;
}

/** faulthandler's dump: `Fatal Python error: Segmentation fault` and frames most recent first. */
function parseFaultHandler(output: string): ParsedException | null {
  const lines = output.split(/\r?\n/);
  const start = lines.findIndex((line) => /^Fatal Python error: /.test(line));
  if (start < 0) return null;
  const message = (lines[start] as string).replace(/^Fatal Python error: /, '').trim();
  const frames: StackFrame[] = [];
  let inThread = false;
  for (const line of lines.slice(start + 1)) {
    if (/^(Current thread|Thread) 0x[0-9a-f]+ .*most recent call first/.test(line)) {
      if (inThread) break; // only the first (crashing) thread
      inThread = true;
      continue;
    }
    const frame = FAULT_FRAME.exec(line);
    if (inThread && frame !== null) frames.push({ file: frame[1] as string, line: Number(frame[2]), function: frame[3] as string, source: null });
    else if (inThread && line.trim() === '' && frames.length > 0) break;
  }
  return { runtime: 'python', type: 'Fatal Python error', code: null, message, frames: frames.reverse(), location: null, rootCause: null };
}
