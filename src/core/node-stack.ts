/**
 * Reads Node's uncaught errors out of a command's output: `Error: message` with its
 * `    at fn (file:line:col)` frames, the `file:line` and source line Node prints above
 * (which is where a SyntaxError is), `Error [ERR_CODE]: ...` and the `{ code: '...' }`
 * block after the frames, thrown values that are not errors, unhandled rejections, and
 * V8's fatal `JavaScript heap out of memory`. Pure: no I/O.
 */
import { pathFromUrl } from './failure-text.ts';
import type { ParsedException, StackFrame } from './stack-trace.ts';

const AT_LINE = /^\s+at (?:async )?(?:(.+?) \((.+?):(\d+):\d+\)|(.+?):(\d+):\d+)\s*$/;
/** `Type`, `Type: message` or `Type [ERR_CODE]: message` at the start of a line. */
const HEADER = /^(?:Uncaught )?([A-Za-z_$][\w$.]*)(?: \[([A-Z][A-Z0-9_]*)\])?(?::\s?(.*))?$/;
const ERROR_NAME = /(Error|Exception|Rejection|Warning)$/;
/** Node's `file:line` above the error, e.g. `/app/train.js:12` or `file:///app/lib.mjs:2`. */
const LOCATION = /^((?:file:\/\/)?\/.+|node:[\w/.-]+|[A-Za-z]:\\.+):(\d+)$/;
const CARETS = /^\s*\^+\s*$/;
const FATAL = /^FATAL ERROR: (.+)$/;

/**
 * The error that ended a Node program, parsed from its output, or null when there is none.
 *
 * @example parseNodeError(output)?.code // 'ERR_MODULE_NOT_FOUND'
 */
export function parseNodeError(output: string): ParsedException | null {
  const lines = output.split(/\r?\n/);
  const fatal = lines.findIndex((line) => FATAL.test(line));
  if (fatal >= 0) {
    return { runtime: 'node', type: 'FATAL ERROR', code: null, message: (FATAL.exec(lines[fatal] as string)![1] as string).trim(), frames: [], location: null, rootCause: null };
  }
  // The last run of `at` lines, and the error header above it.
  let end = -1;
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    if (AT_LINE.test(lines[index] as string)) {
      end = index;
      break;
    }
  }
  if (end < 0) return parseThrownValue(lines);
  let start = end;
  while (start > 0 && AT_LINE.test(lines[start - 1] as string)) start -= 1;
  let headerIndex = -1;
  for (let index = start - 1; index >= Math.max(0, start - 40); index -= 1) {
    const match = HEADER.exec((lines[index] as string).trimEnd());
    if (match !== null && (ERROR_NAME.test(match[1] as string) || match[2] !== undefined)) {
      headerIndex = index;
      break;
    }
  }
  if (headerIndex < 0) return null;
  const header = HEADER.exec((lines[headerIndex] as string).trimEnd())!;
  const frames: StackFrame[] = [];
  for (const line of lines.slice(start, end + 1)) {
    const match = AT_LINE.exec(line)!;
    const file = match[2] ?? match[4] ?? '';
    frames.push({ file: pathFromUrl(file), line: Number(match[3] ?? match[5]), function: match[1] ?? null, source: null });
  }
  const code = header[2] ?? /^\s*code: '([A-Z][A-Z0-9_]*)'/m.exec(lines.slice(end + 1, end + 12).join('\n'))?.[1] ?? null;
  return {
    runtime: 'node',
    type: header[1] as string,
    code,
    message: messageOf(header[3] ?? '', lines.slice(headerIndex + 1, start)),
    frames: frames.reverse(),
    location: locationAbove(lines, headerIndex),
    rootCause: null,
  };
}

/** The message's first line; Node's AssertionError puts the asserted expression on later lines. */
function messageOf(first: string, rest: readonly string[]): string {
  const text = first.trim();
  if (text !== '' && !/:$/.test(text)) return text;
  const more = rest.map((line) => line.trim()).filter((line) => line !== '' && !/^Require stack:$/.test(line) && !/^- /.test(line));
  return [text, ...more.slice(0, 1)].filter((part) => part !== '').join(' ');
}

/** The `file:line`, source and caret lines Node prints above an uncaught error, if any. */
function locationAbove(lines: readonly string[], before: number): StackFrame | null {
  for (let index = before - 1; index >= Math.max(0, before - 8); index -= 1) {
    const match = LOCATION.exec((lines[index] as string).trim());
    if (match === null) continue;
    const source = lines[index + 1];
    const carets = lines[index + 2];
    if (source === undefined || carets === undefined || !CARETS.test(carets)) continue;
    return { file: pathFromUrl(match[1] as string), line: Number(match[2]), function: null, source: source.trim() };
  }
  return null;
}

/** `throw "boom"`: the location, the source, the carets, then the value and Node's hint. */
function parseThrownValue(lines: readonly string[]): ParsedException | null {
  const hint = lines.findIndex((line) => /^\(Use `node --trace-uncaught/.test(line));
  if (hint < 1) return null;
  const value = (lines[hint - 1] as string).trim();
  const location = locationAbove(lines, hint - 1);
  if (location === null) return null;
  return { runtime: 'node', type: 'Uncaught', code: null, message: value, frames: [], location, rootCause: null };
}
