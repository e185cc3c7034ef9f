/**
 * Just enough reading of Python source for `autolab init --scan`: which lines are code
 * (not inside a triple-quoted string), where a line's comment starts, the text of a call
 * across lines with the position of each character, and its top-level arguments.
 */
import { scanLineLiterals, type LineLiteral } from '../specialists/knobs/marker-knob.ts';

/** For each line: true when it starts inside a triple-quoted string. */
export function linesInStrings(lines: readonly string[]): boolean[] {
  const inside: boolean[] = [];
  let open: string | null = null;
  for (const line of lines) {
    inside.push(open !== null);
    let index = 0;
    while (index < line.length) {
      if (open !== null) {
        const close = line.indexOf(open, index);
        if (close < 0) break;
        index = close + 3;
        open = null;
        continue;
      }
      const char = line[index]!;
      if (char === '#') break;
      const triple = line.slice(index, index + 3);
      if (triple === '"""' || triple === "'''") {
        open = triple;
        index += 3;
        continue;
      }
      if (char === '"' || char === "'") {
        const end = closingQuote(line, index);
        index = end < 0 ? line.length : end + 1;
        continue;
      }
      index++;
    }
  }
  return inside;
}

function closingQuote(line: string, open: number): number {
  const quote = line[open];
  for (let index = open + 1; index < line.length; index++) {
    if (line[index] === '\\') index++;
    else if (line[index] === quote) return index;
  }
  return -1;
}

/** Where the comment of a line of code starts (the `#` outside strings), or -1. */
export function commentStart(line: string): number {
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    if (char === '#') return index;
    if (char === '"' || char === "'") {
      const end = closingQuote(line, index);
      if (end < 0) return -1;
      index = end;
    }
  }
  return -1;
}

/** The literal that is exactly `text` (trimmed), or null: `0.1`, `-3`, `'relu'`, `True`. */
export function soleLiteral(text: string): LineLiteral | null {
  const trimmed = text.trim();
  const literals = scanLineLiterals(trimmed);
  if (literals.length !== 1) return null;
  const [literal] = literals as [LineLiteral];
  return literal.start === 0 && literal.end === trimmed.length ? literal : null;
}

/** A call's argument text with the (line, column) of each of its characters. */
export interface CallText {
  text: string;
  at: Array<[number, number]>;
  /** The line of the closing parenthesis. */
  endLine: number;
}

const MAX_CALL_LINES = 60;

/**
 * The text between a call's parentheses, from the character after `(` at (line, col),
 * across lines, with comments left out; null when the parentheses do not close within
 * 60 lines.
 */
export function callArguments(lines: readonly string[], line: number, col: number): CallText | null {
  let text = '';
  const at: Array<[number, number]> = [];
  let depth = 1;
  let open: string | null = null;
  for (let row = line; row < Math.min(lines.length, line + MAX_CALL_LINES); row++) {
    const source = lines[row]!;
    for (let index = row === line ? col : 0; index < source.length; index++) {
      const char = source[index]!;
      if (open !== null) {
        text += char;
        at.push([row, index]);
        if (char === '\\') {
          index++;
          if (index < source.length) {
            text += source[index];
            at.push([row, index]);
          }
        } else if (source.startsWith(open, index)) {
          for (let extra = 1; extra < open.length; extra++) {
            text += source[index + extra];
            at.push([row, index + extra]);
          }
          index += open.length - 1;
          open = null;
        }
        continue;
      }
      if (char === '#') break;
      const triple = source.slice(index, index + 3);
      if (triple === '"""' || triple === "'''" || char === '"' || char === "'") {
        open = triple === '"""' || triple === "'''" ? triple : char;
        for (let extra = 0; extra < open.length; extra++) {
          text += source[index + extra];
          at.push([row, index + extra]);
        }
        index += open.length - 1;
        continue;
      }
      if (char === '(' || char === '[' || char === '{') depth++;
      if (char === ')' || char === ']' || char === '}') depth--;
      if (depth === 0) return { text, at, endLine: row };
      text += char;
      at.push([row, index]);
    }
    if (open !== null && open.length === 1) open = null; // an unclosed one-line string: give up on it
    text += '\n';
    at.push([row, source.length]);
  }
  return null;
}

/** One top-level argument of a call: `'--lr'` or `default=0.1`, with its offset in the call text. */
export interface CallArgument {
  keyword: string | null;
  value: string;
  /** Offset of the value's first non-space character in the call text. */
  valueOffset: number;
  /** Offset of the keyword (or of the value when positional). */
  offset: number;
}

/** Splits a call's argument text at its top-level commas. */
export function splitArguments(text: string): CallArgument[] {
  const args: CallArgument[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (body === '') return;
    const keyword = /^([A-Za-z_]\w*)\s*=(?!=)\s*/.exec(body);
    const valueShift = keyword ? keyword[0].length : 0;
    args.push({ keyword: keyword ? keyword[1]! : null, value: body.slice(valueShift).trim(), valueOffset: start + lead + valueShift, offset: start + lead });
  };
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quote !== null) {
      if (char === '\\') index++;
      else if (text.startsWith(quote, index)) {
        index += quote.length - 1;
        quote = null;
      }
      continue;
    }
    const triple = text.slice(index, index + 3);
    if (triple === '"""' || triple === "'''") {
      quote = triple;
      index += 2;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '(' || char === '[' || char === '{') depth++;
    else if (char === ')' || char === ']' || char === '}') depth--;
    else if (char === ',' && depth === 0) {
      push(index);
      start = index + 1;
    }
  }
  push(text.length);
  return args;
}
